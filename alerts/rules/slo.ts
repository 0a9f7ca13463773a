/**
 * The API's availability objective (`alerts.slo`) as error-budget burn-rate alerts: the multi-window
 * multi-burn-rate alerts of Google's SRE workbook (chapter 5, "Alerting on SLOs"), as Sloth and Pyrra generate them.
 *
 * A burn rate is the share of requests answered with a server error divided by the error budget (1 − objective):
 * at 1× the budget lasts exactly the SLO period. Each alert pairs a long window (is the budget really burning?) with
 * a short one of a twelfth of it (is it still burning now?), so a blip never fires and the alert clears minutes
 * after the errors stop:
 * - page (critical): 2 % of the period's budget spent in an hour (14.4× over 1h and 5m, for 30 days), or 5 % in
 *   6 hours (6× over 6h and 30m);
 * - ticket (warning, chat): 10 % in a day (3× over 1d and 2h), or 10 % in 3 days (1× over 3d and 6h).
 * The ratios are recorded per window from the same request counters as `HighErrorRate` (backend or Traefik,
 * `alerts.requestMetricsSource`), which stays as it is: a fixed errors-per-second threshold that knows nothing of
 * traffic, where these scale with it.
 */
import { sloErrorRatio, SLO_WINDOWS, type SloWindow } from "../../contract/recordingRules";
import { JOBS } from "../../contract/jobs";
import type { Settings } from "../../settings";
import { monitoringConfig, percent } from "../config";
import type { RecordingRule, RuleFile } from "../types";
import { errorLogs } from "./api";
import { alertRule } from "./common";
import { requestSource } from "./requests";

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

/** `job:slo_errors_per_request:ratio_rate<window>`: server errors per request over each window. */
export function sloRecordingRules(settings: Settings): RecordingRule[] {
  const source = requestSource(monitoringConfig(settings));
  // Recorded as koprogo-api whatever the source, like the request rules: the alerts select on it.
  return SLO_WINDOWS.map((window) => ({
    record: sloErrorRatio(window),
    expr: `sum(rate(${source.errors}[${window}])) / sum(rate(${source.requests}[${window}]))`,
    labels: { job: JOBS.api },
  }));
}

/** The burn rate over the long window of the first pair that holds (the value the alert shows). */
function burnExpr(pairs: readonly BurnRatePair[], budget: number, windowDays: number, apiSelector: string): string {
  const burn = (window: SloWindow) => `${sloErrorRatio(window)}{${apiSelector}} / ${budget}`;
  return pairs
    .map((pair) => {
      const factor = burnRateFactor(pair, windowDays);
      return `(${burn(pair.long)} > ${factor} and ${burn(pair.short)} > ${factor})`;
    })
    .join(" or ");
}

export function sloRuleFile(settings: Settings): RuleFile {
  const config = monitoringConfig(settings);
  const { availability, windowDays } = settings.alerts.slo;
  // 1 − objective, rounded so 0.999 gives 0.001 and not 0.0010000000000000009.
  const budget = Number((1 - availability).toPrecision(6));
  const objective = `${percent(availability)} %`;
  const describe = (pairs: readonly BurnRatePair[]) =>
    pairs.map((p) => `${burnRateFactor(p, windowDays)}× over ${p.long} and ${p.short}`).join(", or ");
  return {
    name: "slo",
    groups: [
      { name: "koprogo-api-slo-ratios", rules: sloRecordingRules(settings) },
      {
        name: "koprogo-api-slo",
        rules: [
          alertRule(config, {
            alert: "ApiErrorBudgetBurnFast",
            expr: burnExpr(PAGE_PAIRS, budget, windowDays, config.apiSelector),
            for: "errorBudgetBurn",
            severity: "critical",
            summary: "The API is burning its error budget fast.",
            description: `The API answers server errors at {{ $value | humanize }}× the rate its ${objective} availability objective allows over ${windowDays} days (${describe(PAGE_PAIRS)}): at this pace the budget is gone within days.`,
            dashboard: "apiOverview",
            logs: errorLogs(config, settings),
          }),
          alertRule(config, {
            alert: "ApiErrorBudgetBurnSlow",
            expr: burnExpr(TICKET_PAIRS, budget, windowDays, config.apiSelector),
            for: "errorBudgetBurn",
            severity: "warning",
            summary: "The API is burning its error budget faster than it lasts.",
            description: `The API answers server errors at {{ $value | humanize }}× the rate its ${objective} availability objective allows over ${windowDays} days (${describe(TICKET_PAIRS)}): the budget will not last the period.`,
            dashboard: "apiOverview",
            logs: errorLogs(config, settings),
          }),
        ],
      },
    ],
  };
}
