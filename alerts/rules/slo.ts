/**
 * The API's objectives (`alerts.slo`) as error-budget burn-rate alerts: the multi-window multi-burn-rate alerts of
 * Google's SRE workbook (chapter 5, "Alerting on SLOs"), as Sloth and Pyrra generate them. Two objectives, one
 * code: availability (requests not answered with a server error) and latency (requests answered within a
 * threshold); each is a "bad share" of requests recorded per window, and the same pairs alert on both.
 *
 * A burn rate is the bad share divided by the budget (1 − objective): at 1× the budget lasts exactly the SLO
 * period. Each alert pairs a long window (is the budget really burning?) with a short one of a twelfth of it (is it
 * still burning now?), so a blip never fires and the alert clears minutes after the errors stop:
 * - page (critical): 2 % of the period's budget spent in an hour (14.4× over 1h and 5m, for 30 days), or 5 % in
 *   6 hours (6× over 6h and 30m);
 * - ticket (warning, chat): 10 % in a day (3× over 1d and 2h), or 10 % in 3 days (1× over 3d and 6h).
 * The shares are recorded per window from the same request series as `HighErrorRate` and `SlowApi` (backend or
 * Traefik, `alerts.requestMetricsSource`), which stay as they are: fixed thresholds that know nothing of traffic,
 * where these scale with it.
 */
import {
  SLO_PERIOD_RATIOS,
  sloErrorRatio,
  sloSlowRatio,
  SLO_WINDOWS,
  type SloWindow,
} from "../../contract/recordingRules";
import { JOBS } from "../../contract/jobs";
import type { Settings } from "../../settings";
import { monitoringConfig, percent, type MonitoringConfig } from "../config";
import type { AlertingRule, RecordingRule, RuleFile } from "../types";
import { errorLogs, slowLogs } from "./api";
import { alertRule } from "./common";
import { requestSource, type RequestSource } from "./requests";

/**
 * One window pair of the workbook's table: the share of the period's budget it detects being spent within its
 * long window. The burn-rate factor follows from the period: share × period ÷ long window (14.4 for 2 % of
 * 30 days in 1 hour).
 */
interface BurnRatePair {
  readonly long: SloWindow;
  readonly short: SloWindow;
  readonly budgetShare: number;
}

const WINDOW_HOURS: Record<SloWindow, number> = {
  "5m": 1 / 12,
  "30m": 0.5,
  "1h": 1,
  "2h": 2,
  "6h": 6,
  "1d": 24,
  "3d": 72,
};

export const PAGE_PAIRS: readonly BurnRatePair[] = [
  { long: "1h", short: "5m", budgetShare: 0.02 },
  { long: "6h", short: "30m", budgetShare: 0.05 },
];
export const TICKET_PAIRS: readonly BurnRatePair[] = [
  { long: "1d", short: "2h", budgetShare: 0.1 },
  { long: "3d", short: "6h", budgetShare: 0.1 },
];

/** The burn rate at which a pair fires, for an objective counted over `windowDays`. */
export function burnRateFactor(pair: BurnRatePair, windowDays: number): number {
  return Number(((pair.budgetShare * windowDays * 24) / WINDOW_HOURS[pair.long]).toFixed(2));
}

/** One objective of the API, as the rules need it. */
export interface ApiSlo {
  readonly key: keyof typeof SLO_PERIOD_RATIOS;
  /** The share of good requests it asks for. */
  readonly objective: number;
  /** 1 − objective, rounded so 0.999 gives 0.001 and not 0.0010000000000000009. */
  readonly budget: number;
  /** The recorded bad share over a window. */
  readonly ratio: (window: SloWindow) => string;
  /** The bad share over a window, from the raw request series. */
  readonly ratioExpr: (window: string) => string;
  /** `Api<Name>BudgetBurnFast` / `...Slow`. */
  readonly alertPrefix: string;
  /** What burns, for the texts: "server errors", "requests slower than 0.3 s". */
  readonly bad: string;
  /** The objective in words, for the texts. */
  readonly statement: string;
  readonly logs: string;
}

/** A series selector with one more matcher: `name{a="b"}` → `name{a="b", <matcher>}`. */
function withMatcher(series: string, matcher: string): string {
  return series.endsWith("}") ? `${series.slice(0, -1)}, ${matcher}}` : `${series}{${matcher}}`;
}

/**
 * The matcher of one histogram bound. Prometheus 3 stores a classic histogram's `le` as a float in its text form
 * (`le="5"` scraped becomes `le="5.0"`; "le and quantile label values are normalized", Prometheus 3.0 migration
 * guide; seen on the deployed 3.5.0 scraping `le="0.25"`, `le="5"`: it stored `0.25` and `5.0`), while a promtool
 * test's input keeps what it is given: a whole bound matches both spellings.
 */
export function leMatcher(bound: number): string {
  return Number.isInteger(bound) ? `le=~"${bound}(\\\\.0)?"` : `le="${bound}"`;
}

/** The share of requests slower than `thresholdSeconds`: 1 − the rate of its bucket ÷ the rate of all requests. */
function slowShareExpr(source: RequestSource, thresholdSeconds: number, window: string): string {
  const rate = (matcher: string) => `sum(rate(${withMatcher(source.buckets, matcher)}[${window}]))`;
  return `1 - ${rate(leMatcher(thresholdSeconds))} / ${rate('le="+Inf"')}`;
}

const roundedBudget = (objective: number) => Number((1 - objective).toPrecision(6));

/** The API's two objectives from the settings. */
export function apiSlos(settings: Settings, config: MonitoringConfig = monitoringConfig(settings)): ApiSlo[] {
  const source = requestSource(config);
  const { availability, latency } = settings.alerts.slo;
  const threshold = config.latencyThresholdSeconds;
  return [
    {
      key: "availability",
      objective: availability,
      budget: roundedBudget(availability),
      ratio: sloErrorRatio,
      ratioExpr: (window) => `sum(rate(${source.errors}[${window}])) / sum(rate(${source.requests}[${window}]))`,
      alertPrefix: "ApiErrorBudgetBurn",
      bad: "server errors",
      statement: `${percent(availability)} % availability objective`,
      logs: errorLogs(config, settings),
    },
    {
      key: "latency",
      objective: latency.objective,
      budget: roundedBudget(latency.objective),
      ratio: sloSlowRatio,
      ratioExpr: (window) => slowShareExpr(source, threshold, window),
      alertPrefix: "ApiLatencyBudgetBurn",
      bad: `requests slower than ${threshold} s`,
      statement: `objective of ${percent(latency.objective)} % of requests within ${threshold} s`,
      logs: slowLogs(config, settings, threshold),
    },
  ];
}

/**
 * The bad share of every objective over every window, then over the period. Recorded as koprogo-api whatever the
 * source, like the request rules: the alerts select on it.
 */
export function sloRecordingRules(settings: Settings): RecordingRule[] {
  const labels = { job: JOBS.api };
  return apiSlos(settings).flatMap((slo) =>
    SLO_WINDOWS.map((window) => ({ record: slo.ratio(window), expr: slo.ratioExpr(window), labels })),
  );
}

/**
 * The period's bad share: the mean of the hourly shares over `alerts.slo.windowDays` (as Sloth averages its
 * short-window ratios). Every hour weighs the same whatever its traffic; a rate over 30 days of raw counters would
 * weigh them right but read millions of samples at every evaluation on a 2 GB VPS. Evaluated every minute: a
 * dashboard figure, no alert reads it.
 */
export function sloPeriodRules(settings: Settings): RecordingRule[] {
  const { apiSelector } = monitoringConfig(settings);
  const days = settings.alerts.slo.windowDays;
  return apiSlos(settings).map((slo) => ({
    record: SLO_PERIOD_RATIOS[slo.key],
    expr: `avg_over_time(${slo.ratio("1h")}{${apiSelector}}[${days}d])`,
    labels: { job: JOBS.api },
  }));
}

/** The burn rate over the long window of the first pair that holds (the value the alert shows). */
function burnExpr(slo: ApiSlo, pairs: readonly BurnRatePair[], windowDays: number, apiSelector: string): string {
  const burn = (window: SloWindow) => `${slo.ratio(window)}{${apiSelector}} / ${slo.budget}`;
  return pairs
    .map((pair) => {
      const factor = burnRateFactor(pair, windowDays);
      return `(${burn(pair.long)} > ${factor} and ${burn(pair.short)} > ${factor})`;
    })
    .join(" or ");
}

/** The fast (paging) and slow (ticket) alerts of one objective. */
function burnAlerts(config: MonitoringConfig, slo: ApiSlo, windowDays: number): AlertingRule[] {
  const describe = (pairs: readonly BurnRatePair[]) =>
    pairs.map((p) => `${burnRateFactor(p, windowDays)}× over ${p.long} and ${p.short}`).join(", or ");
  const what = slo.key === "availability" ? "error budget" : "latency budget";
  return [
    alertRule(config, {
      alert: `${slo.alertPrefix}Fast`,
      expr: burnExpr(slo, PAGE_PAIRS, windowDays, config.apiSelector),
      for: "errorBudgetBurn",
      severity: "critical",
      summary: `The API is burning its ${what} fast.`,
      description: `The API answers ${slo.bad} at {{ $value | humanize }}× the rate its ${slo.statement} allows over ${windowDays} days (${describe(PAGE_PAIRS)}): at this pace the budget is gone within days.`,
      dashboard: "apiOverview",
      logs: slo.logs,
    }),
    alertRule(config, {
      alert: `${slo.alertPrefix}Slow`,
      expr: burnExpr(slo, TICKET_PAIRS, windowDays, config.apiSelector),
      for: "errorBudgetBurn",
      severity: "warning",
      summary: `The API is burning its ${what} faster than it lasts.`,
      description: `The API answers ${slo.bad} at {{ $value | humanize }}× the rate its ${slo.statement} allows over ${windowDays} days (${describe(TICKET_PAIRS)}): the budget will not last the period.`,
      dashboard: "apiOverview",
      logs: slo.logs,
    }),
  ];
}

export function sloRuleFile(settings: Settings): RuleFile {
  const config = monitoringConfig(settings);
  const { windowDays } = settings.alerts.slo;
  return {
    name: "slo",
    groups: [
      { name: "koprogo-api-slo-ratios", rules: sloRecordingRules(settings) },
      { name: "koprogo-api-slo-period", interval: "1m", rules: sloPeriodRules(settings) },
      {
        name: "koprogo-api-slo",
        rules: apiSlos(settings, config).flatMap((slo) => burnAlerts(config, slo, windowDays)),
      },
    ],
  };
}
