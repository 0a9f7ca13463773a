/**
 * SLO paging: how long the error-budget alerts (alerts/rules/slo.ts) take to page on the real servers, at the prod
 * stack's intervals, for a total outage, a steady 2 % of errors, and errors at the objective's own pace (0.1 %),
 * which must never page. Each fault has a lane of its own whose Prometheus holds hours of normal traffic first
 * (e2e/sloPaging.ts, e2e/requestHistory.ts); all lanes run at once, so the section takes as long as its longest
 * watch (about an hour).
 */
import { runSloFaults, type SloFault, type SloPagingOutcome } from "../e2e/sloPaging";
import { TIMINGS } from "../e2e/settings";
import { fixed, table } from "./stats";

/** Hours of normal traffic before each fault: the longest paging window (6h). */
export const SLO_HISTORY_HOURS = 6;

/** The faults, and how long each is watched (`watchMinutes` for the 2 % and the 0.1 %). */
export function sloBenchFaults(watchMinutes: number): SloFault[] {
  return [
    { name: "outage", errorRatio: 1, watchMs: 10 * 60_000, untilPaged: true },
    { name: "errors-2pct", errorRatio: 0.02, watchMs: watchMinutes * 60_000, untilPaged: true },
    { name: "errors-0.1pct", errorRatio: 0.001, watchMs: watchMinutes * 60_000, untilPaged: false },
  ];
}

/** What BENCHMARKS.json keeps of the run (`sloPaging`), rounded as the report prints it. */
export interface SloPagingFigures {
  readonly date: string;
  readonly scrapeInterval: string;
  readonly evaluationInterval: string;
  readonly historyHours: number;
  /** Seconds from a total outage to the page, 1 decimal. */
  readonly outagePagedSeconds: number;
  /** Minutes from a steady 2 % of errors to the page, 1 decimal. */
  readonly errors2pctPagedMinutes: number;
  /** Minutes the 0.1 % of errors ran without a page, 0 decimals. */
  readonly errors01pctWatchedMinutes: number;
  /** Pages during it: 0 when the objective's own pace never pages. */
  readonly errors01pctPages: number;
  /** Its burn rate over the last hour when the watch ended, 2 decimals (about 1×: the budget's own pace). */
  readonly errors01pctBurn1h: number;
  /** Prometheus's resident memory in the 2 % lane at its end, 1 decimal. */
  readonly prometheusRssMiB: number;
}

const round = (value: number, digits: number) => Number(fixed(value, digits));

function outcome(outcomes: readonly SloPagingOutcome[], name: string): SloPagingOutcome {
  const found = outcomes.find((o) => o.name === name);
  if (!found) throw new Error(`slo bench: no outcome for ${name}`);
  return found;
}

export function sloPagingFigures(date: string, outcomes: readonly SloPagingOutcome[]): SloPagingFigures {
  const outage = outcome(outcomes, "outage");
  const errors = outcome(outcomes, "errors-2pct");
  const blip = outcome(outcomes, "errors-0.1pct");
  if (outage.pagedAfterMs === undefined) throw new Error("slo bench: the total outage never paged");
  if (errors.pagedAfterMs === undefined)
    throw new Error(`slo bench: 2 % of errors did not page within ${fixed(errors.watchedMs / 60_000, 0)} minutes`);
  return {
    date,
    scrapeInterval: TIMINGS.prodTuned.scrapeInterval,
    evaluationInterval: TIMINGS.prodTuned.evaluationInterval,
    historyHours: SLO_HISTORY_HOURS,
    outagePagedSeconds: round(outage.pagedAfterMs / 1000, 1),
    errors2pctPagedMinutes: round(errors.pagedAfterMs / 60_000, 1),
    errors01pctWatchedMinutes: round(blip.watchedMs / 60_000, 0),
    errors01pctPages: blip.pagerAlerts.length,
    errors01pctBurn1h: round(blip.burn1h ?? Number.NaN, 2),
    prometheusRssMiB: round(errors.prometheusRssMiB ?? Number.NaN, 1),
  };
}

export async function benchSloPaging(watchMinutes: number, log: (line: string) => void): Promise<SloPagingOutcome[]> {
  log(`slo paging: a total outage, 2 % and 0.1 % of errors, each after ${SLO_HISTORY_HOURS} h of history`);
  return runSloFaults(sloBenchFaults(watchMinutes), {
    historyHours: SLO_HISTORY_HOURS,
    timing: TIMINGS.prodTuned,
    log,
  });
}

const minutes = (ms: number | undefined) => (ms === undefined ? "never" : `${fixed(ms / 60_000, 1)} min`);

/** The report's table, one row per fault. */
export function sloPagingTable(outcomes: readonly SloPagingOutcome[]): string {
  const labels: Record<string, string> = {
    outage: "total outage (every request a 5xx)",
    "errors-2pct": "2 % of requests answered 5xx",
    "errors-0.1pct": "0.1 % of requests answered 5xx (the objective's own pace)",
  };
  return table(
    [
      "fault",
      "watched",
      "page (`ApiErrorBudgetBurnFast` at the pager)",
      "ticket (`ApiErrorBudgetBurnSlow` at the chat)",
      "burn 5m / 1h at the end",
      "pager received",
    ],
    outcomes.map((o) => [
      labels[o.name] ?? o.name,
      minutes(o.watchedMs),
      o.name === "outage" && o.pagedAfterMs !== undefined
        ? `${fixed(o.pagedAfterMs / 1000, 1)} s`
        : minutes(o.pagedAfterMs),
      minutes(o.ticketAfterMs),
      `${fixed(o.burn5m ?? Number.NaN, 2)}× / ${fixed(o.burn1h ?? Number.NaN, 2)}×`,
      o.pagerAlerts.join(", ") || "nothing",
    ]),
  );
}

/** The section of BENCHMARKS.md. */
export function sloPagingSection(figures: SloPagingFigures, outcomes: readonly SloPagingOutcome[]): string {
  const f = figures;
  return [
    "## SLO paging",
    "",
    `The availability objective's alerts (99.9 % over 30 days, the default; \`alerts/rules/slo.ts\`) on the real Prometheus and Alertmanager at the prod stack's intervals (${f.scrapeInterval} scrape, ${f.evaluationInterval} evaluation; critical alerts have \`group_wait: 0s\`), from the fault to the first request at the pager. Each fault runs in a lane of its own whose Prometheus holds ${f.historyHours} hours of the stand-in API's normal traffic first (10 requests/s, written with \`promtool tsdb create-blocks-from openmetrics\`, e2e/requestHistory.ts), as a server that has run for hours does: without it every window holds only the fault and any error rate pages at once. The stand-in then answers that share of its requests with a 500 (\`failing\` mode, exact to the request). All lanes at once.`,
    "",
    sloPagingTable(outcomes),
    "",
    `- A total outage paged after ${fixed(f.outagePagedSeconds, 1)} s (aim: within 2 minutes).`,
    `- 2 % of errors paged after ${fixed(f.errors2pctPagedMinutes, 1)} min (aim: within an hour; the 1 h window passes 14.4 × 0.1 % after 43.2 min of it).`,
    `- 0.1 % of errors: ${f.errors01pctPages} page in ${fixed(f.errors01pctWatchedMinutes, 0)} min (aim: never), ending at a 1 h burn rate of ${fixed(f.errors01pctBurn1h, 2)}×; the page needs 14.4× over the hour (or 6× over 6 hours), which errors at the budget's own pace cannot reach however long they last.`,
    `- Prometheus held ${fixed(f.prometheusRssMiB, 1)} MiB resident in the 2 % lane, with its ${f.historyHours} hours of history and every rule of the stack.`,
  ].join("\n");
}
