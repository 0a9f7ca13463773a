/**
 * The API's SLOs (`alerts.slo`): availability (requests answered without a 5xx) and latency (requests answered
 * within `latencySeconds`), alerted on with multi-window, multi-burn-rate rules as Google's SRE workbook sets them
 * ("Alerting on SLOs", table 5-8) and as Sloth and Pyrra generate them:
 *
 * | tier | burn rate | long window | short window | budget spent when it fires | severity |
 * |---|---|---|---|---|---|
 * | fast | 14.4 | 1h | 5m | 2 % of 30 days | critical (page) |
 * | fast | 6 | 6h | 30m | 5 % | critical (page) |
 * | slow | 3 | 1d | 2h | 10 % | warning (ticket) |
 * | slow | 1 | 3d | 6h | 10 % | warning (ticket) |
 *
 * The long window makes an alert significant, the short one makes it stop soon after the problem does. Fed by the
 * same request series as the recording rules of requests.ts (the backend's or Traefik's), so the SLOs follow
 * `alerts.requestMetricsSource`. The error ratios of each window are recorded once and every alert reads them.
 */
import { JOBS } from "../../contract/jobs";
import type { Settings } from "../../settings";
import { monitoringConfig, percent, type MonitoringConfig } from "../config";
import type { AlertingRule, RecordingRule, RuleFile } from "../types";
import { errorLogs, slowLogs } from "./api";
import { alertRule } from "./common";
import { requestSource } from "./requests";

/** The windows an error ratio is recorded over (every window a burn-rate tier reads). */
export const SLO_WINDOWS = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"] as const;
type SloWindow = (typeof SLO_WINDOWS)[number];

/** The tiers of table 5-8: burn rate, long and short window. */
export const BURN_RATE_TIERS = {
  fast: [
    { burnRate: 14.4, long: "1h", short: "5m" },
    { burnRate: 6, long: "6h", short: "30m" },
  ],
  slow: [
    { burnRate: 3, long: "1d", short: "2h" },
    { burnRate: 1, long: "3d", short: "6h" },
  ],
} as const satisfies Record<string, readonly { burnRate: number; long: SloWindow; short: SloWindow }[]>;

/** The two SLOs: their `slo` label. */
export const SLOS = { availability: "api-availability", latency: "api-latency" } as const;

/** `slo:sli_error:ratio_rate<window>`: the share of bad requests (errors, or too slow) in the window, per SLO. */
export function sloErrorRatioRule(window: SloWindow): string {
  return `slo:sli_error:ratio_rate${window}`;
}

/** A histogram bucket's `le` as Prometheus 3 stores it: a float, `1` written `1.0` (it normalises at scrape). */
export function leLabel(seconds: number): string {
  return Number.isInteger(seconds) ? seconds.toFixed(1) : String(seconds);
}

/** The error budget of a target, without floating-point noise: `0.999` → `0.001`. */
export function errorBudget(target: number): number {
  return Number((1 - target).toPrecision(12));
}

/** Windows recorded every evaluation; the longer ones move slowly and are recorded once a minute (their cost grows with the window). */
export const SHORT_SLO_WINDOWS: readonly SloWindow[] = ["5m", "30m", "1h"];
/** How often the long windows are recorded. */
export const LONG_SLO_INTERVAL = "1m";

export function sloRecordingRules(settings: Settings, windows: readonly SloWindow[] = SLO_WINDOWS): RecordingRule[] {
  const config = monitoringConfig(settings);
  const source = requestSource(config);
  const total = (window: string) => `sum(rate(${source.requests}[${window}]))`;
  const within = (window: string) =>
    `sum(rate(${bucketSelector(source.buckets, `le="${leLabel(config.slo.latencySeconds)}"`)}[${window}]))`;
  const counted = (window: string) => `sum(rate(${bucketSelector(source.buckets, 'le="+Inf"')}[${window}]))`;
  return windows.flatMap((window) => [
    // Server errors over all requests. No request in the window: 0/0, no value, no alert.
    {
      record: sloErrorRatioRule(window),
      expr: `sum(rate(${source.errors}[${window}])) / ${total(window)}`,
      labels: { job: JOBS.api, slo: SLOS.availability },
    },
    // Requests slower than the threshold over all requests: the bucket at the threshold counts the fast ones.
    {
      record: sloErrorRatioRule(window),
      expr: `1 - ${within(window)} / ${counted(window)}`,
      labels: { job: JOBS.api, slo: SLOS.latency },
    },
  ]);
}

/** A series selector with one more matcher: `m{a="b"}` + `le="1"` → `m{a="b", le="1"}`. */
function bucketSelector(selector: string, matcher: string): string {
  return selector.endsWith("}") ? `${selector.slice(0, -1)}, ${matcher}}` : `${selector}{${matcher}}`;
}

/** `(long > x and short > x) or (...)`, per tier, the value being the long window's burn rate. */
function burnExpr(
  slo: string,
  budget: number,
  tiers: readonly { burnRate: number; long: SloWindow; short: SloWindow }[],
) {
  const ratio = (window: SloWindow) => `${sloErrorRatioRule(window)}{job="${JOBS.api}", slo="${slo}"} / ${budget}`;
  return tiers
    .map(({ burnRate, long, short }) => `(${ratio(long)} > ${burnRate} and ${ratio(short)} > ${burnRate})`)
    .join(" or ");
}

function tierText(tiers: readonly { burnRate: number; long: string; short: string }[]): string {
  return tiers.map((t) => `${t.burnRate}x over ${t.long} and ${t.short}`).join(", or ");
}

export function sloAlerts(settings: Settings): AlertingRule[] {
  const config: MonitoringConfig = monitoringConfig(settings);
  const { availability, latency, latencySeconds } = config.slo;
  const specs = [
    {
      name: "ApiErrorBudgetBurn",
      slo: SLOS.availability,
      budget: errorBudget(availability),
      what: `of its requests answered without a server error (SLO ${percent(availability)}%)`,
      logs: errorLogs(config, settings),
    },
    {
      name: "ApiLatencyBudgetBurn",
      slo: SLOS.latency,
      budget: errorBudget(latency),
      what: `of its requests answered within ${latencySeconds}s (SLO ${percent(latency)}%)`,
      logs: slowLogs(config, settings),
    },
  ];
  return specs.flatMap((spec) => [
    alertRule(config, {
      alert: `${spec.name}Fast`,
      expr: burnExpr(spec.slo, spec.budget, BURN_RATE_TIERS.fast),
      for: "sloPage",
      severity: "critical",
      summary: "The API is burning its 30-day error budget fast.",
      description: `The API spends the error budget of its ${spec.slo} SLO {{ $value | printf "%.1f" }} times as fast as 30 days allow (${tierText(BURN_RATE_TIERS.fast)}): at this pace the month's budget ${spec.what} is gone within days.`,
      dashboard: "apiOverview",
      logs: spec.logs,
    }),
    alertRule(config, {
      alert: `${spec.name}Slow`,
      expr: burnExpr(spec.slo, spec.budget, BURN_RATE_TIERS.slow),
      for: "sloTicket",
      severity: "warning",
      summary: "The API is slowly burning its 30-day error budget.",
      description: `The API spends the error budget of its ${spec.slo} SLO {{ $value | printf "%.1f" }} times as fast as 30 days allow (${tierText(BURN_RATE_TIERS.slow)}): the month's budget ${spec.what} will not last.`,
      dashboard: "apiOverview",
      logs: spec.logs,
    }),
  ]);
}

export function sloRuleFile(settings: Settings): RuleFile {
  return {
    name: "slo",
    groups: [
      { name: "koprogo-api-slo-ratios", rules: sloRecordingRules(settings, SHORT_SLO_WINDOWS) },
      {
        name: "koprogo-api-slo-ratios-long",
        interval: LONG_SLO_INTERVAL,
        rules: sloRecordingRules(
          settings,
          SLO_WINDOWS.filter((w) => !SHORT_SLO_WINDOWS.includes(w)),
        ),
      },
      { name: "koprogo-api-slo-alerts", rules: sloAlerts(settings) },
    ],
  };
}
