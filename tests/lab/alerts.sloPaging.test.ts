/**
 * The error-budget alerts page in time and only when they must, on the real servers (Prometheus, Alertmanager and
 * the receivers at the deployed versions, the prod stack's 3 s scrape and 2 s evaluation, each Prometheus holding
 * 6 hours of normal traffic first): the short runs of the benchmark's SLO lane (bench/slo.ts has the 2 % error rate
 * and the hour of 0.1 %). About 3 minutes: both lanes at once.
 */
import { startWatchdog } from "../../e2e/processes";
import { runSloFaults, SLO_PAGE_ALERT, type SloPagingOutcome } from "../../e2e/sloPaging";
import { e2eSkipReason } from "../../e2e/tools";

const skipReason = e2eSkipReason();
if (skipReason) console.warn(`SLO paging tests skipped: ${skipReason}`);
const describeLab = skipReason ? describe.skip : describe;

/** The brief's bound: a total outage pages within two minutes. */
const OUTAGE_PAGE_WITHIN_MS = 120_000;
/** How long the 0.1 % blip is watched: past the 5-minute window's first minutes and the 1-hour pair's evaluation. */
const BLIP_WATCH_MS = 120_000;

describeLab("the error-budget alerts on the real servers", () => {
  let outcomes: Map<string, SloPagingOutcome>;

  beforeAll(async () => {
    const cancel = startWatchdog(290_000, "the SLO paging lanes");
    try {
      const results = await runSloFaults([
        { name: "outage", errorRatio: 1, watchMs: OUTAGE_PAGE_WITHIN_MS + 30_000, untilPaged: true },
        { name: "blip", errorRatio: 0.001, watchMs: BLIP_WATCH_MS, untilPaged: false },
      ]);
      outcomes = new Map(results.map((r) => [r.name, r]));
    } finally {
      cancel();
    }
  }, 300_000);

  it("page within two minutes of a total outage (every request a 5xx)", () => {
    const outage = outcomes.get("outage")!;
    expect(outage.pagedAfterMs).toBeDefined();
    expect(outage.pagedAfterMs!).toBeLessThan(OUTAGE_PAGE_WITHIN_MS);
    // Not by luck of an empty window: the hour's burn rate is diluted by the history, the last 5 minutes' is not.
    expect(outage.burn5m!).toBeGreaterThan(14.4);
    expect(outage.pagerAlerts).toContain(SLO_PAGE_ALERT);
  });

  it("never page on errors at the objective's own pace (0.1 % of requests)", () => {
    const blip = outcomes.get("blip")!;
    expect(blip.watchedMs).toBeGreaterThanOrEqual(BLIP_WATCH_MS);
    expect(blip.pagedAfterMs).toBeUndefined();
    expect(blip.pagerAlerts).toEqual([]);
    // The errors were there and counted: a burn above zero on the 5-minute window, far under the page's 14.4×.
    expect(blip.burn5m!).toBeGreaterThan(0);
    expect(blip.burn5m!).toBeLessThan(14.4);
  });
});
