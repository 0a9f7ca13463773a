/**
 * The error-budget alerts (alerts/rules/slo.ts) on the real servers: one lane per fault (Prometheus, Alertmanager,
 * the stand-in API, the receivers), each Prometheus seeded with hours of normal traffic (e2e/requestHistory.ts), then
 * a share of the API's requests turned into 5xx answers and the pager watched. Shared by the benchmark (the long
 * runs: a 2 % error rate, an hour of 0.1 %) and the lab test (the short ones: a total outage, two minutes of 0.1 %).
 */
import * as fs from "fs";
import { JOBS } from "../contract/jobs";
import { sloErrorRatio } from "../contract/recordingRules";
import { queryValue } from "./prometheusApi";
import { sleep, waitFor } from "./processes";
import { backfillRequestHistory } from "./requestHistory";
import { BASELINE_REQUESTS_PER_SECOND } from "./standInApi";
import { TIMINGS, type NotificationTiming } from "./settings";
import { E2eStack, type Lane } from "./stack";

/** The alerts that page and that open a ticket when the budget burns (alerts/rules/slo.ts). */
export const SLO_PAGE_ALERT = "ApiErrorBudgetBurnFast";
export const SLO_TICKET_ALERT = "ApiErrorBudgetBurnSlow";

export interface SloFault {
  readonly name: string;
  /** The share of the API's requests answered 5xx from the fault on (1: a total outage). */
  readonly errorRatio: number;
  /** How long the pager is watched after the fault. */
  readonly watchMs: number;
  /** Stop watching at the page (a fault that must page); else watch the whole time (a fault that must not). */
  readonly untilPaged: boolean;
}

export interface SloPagingOutcome {
  readonly name: string;
  readonly errorRatio: number;
  /** How long the pager was watched after the fault. */
  readonly watchedMs: number;
  /** From the fault to the first firing `ApiErrorBudgetBurnFast` at the pager; absent: never paged. */
  readonly pagedAfterMs?: number;
  /** From the fault to the first firing `ApiErrorBudgetBurnSlow` at the chat; absent: no ticket. */
  readonly ticketAfterMs?: number;
  /** Every alert that reached the pager during the watch. */
  readonly pagerAlerts: readonly string[];
  /** The burn rate (5xx share ÷ the error budget) over 5 minutes and an hour when the watch ended. */
  readonly burn5m?: number;
  readonly burn1h?: number;
  /** Prometheus's resident memory at the end (MiB), with the history and the SLO rules. */
  readonly prometheusRssMiB?: number;
}

export interface SloPagingOptions {
  /** Hours of normal traffic in Prometheus before the fault. Defaults to 6 (the longest paging window). */
  readonly historyHours?: number;
  /** Defaults to the prod stack's intervals (`prodTuned`: 3 s scrape, 2 s evaluation). */
  readonly timing?: NotificationTiming;
  readonly log?: (line: string) => void;
}

const API = `job="${JOBS.api}"`;

function residentMiB(pid: number): number | undefined {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) / 1024 : undefined;
}

/** Waits until the lane's Prometheus holds the history and evaluates the ratios on it, all requests good. */
async function waitForSteadyState(lane: Lane, historyHours: number): Promise<void> {
  const expected = historyHours * 3600 * BASELINE_REQUESTS_PER_SECOND;
  await waitFor(
    `lane ${lane.name}: the backfilled history and the SLO ratios at 0`,
    async () => {
      const history = await queryValue(lane.prometheus, `sum(increase(http_requests_total{${API}}[${historyHours}h]))`);
      const ratio5m = await queryValue(lane.prometheus, `${sloErrorRatio("5m")}{${API}}`);
      const ratio1h = await queryValue(lane.prometheus, `${sloErrorRatio("1h")}{${API}}`);
      const up = await queryValue(lane.prometheus, `up{${API}}`);
      return up === 1 && history !== undefined && history > 0.9 * expected && ratio5m === 0 && ratio1h === 0
        ? true
        : undefined;
    },
    90_000,
    1000,
  );
}

async function watchFault(lane: Lane, fault: SloFault, log: (line: string) => void): Promise<SloPagingOutcome> {
  const settings = lane.settings.alerts.slo;
  const budget = 1 - settings.availability;
  await lane.api.setMode(
    fault.errorRatio === 0 ? { mode: "normal" } : { mode: "failing", errorRatio: fault.errorRatio },
  );
  const faultAt = Date.now();
  let lastLog = faultAt;
  for (;;) {
    const elapsed = Date.now() - faultAt;
    const paged = lane.receivers.first("pager", SLO_PAGE_ALERT, "firing", faultAt);
    if ((paged && fault.untilPaged) || elapsed >= fault.watchMs) break;
    if (Date.now() - lastLog >= 5 * 60_000) {
      lastLog = Date.now();
      const burn1h = await queryValue(lane.prometheus, `${sloErrorRatio("1h")}{${API}}`);
      log(`slo ${fault.name}: ${Math.round(elapsed / 60_000)} min, 1h burn ${((burn1h ?? 0) / budget).toFixed(2)}×`);
    }
    await sleep(500);
  }
  const watchedMs = Date.now() - faultAt;
  const after = (role: "pager" | "chat", alert: string) => {
    const n = lane.receivers.first(role, alert, "firing", faultAt);
    return n ? n.at - faultAt : undefined;
  };
  const burn = async (window: "5m" | "1h") => {
    const ratio = await queryValue(lane.prometheus, `${sloErrorRatio(window)}{${API}}`);
    return ratio === undefined ? undefined : ratio / budget;
  };
  const pagerAlerts = [
    ...new Set(
      lane.receivers.received
        .filter((n) => n.role === "pager" && n.at >= faultAt)
        .flatMap((n) => n.payload.alerts.filter((a) => a.status === "firing").map((a) => a.labels.alertname)),
    ),
  ].sort();
  return {
    name: fault.name,
    errorRatio: fault.errorRatio,
    watchedMs,
    pagedAfterMs: after("pager", SLO_PAGE_ALERT),
    ticketAfterMs: after("chat", SLO_TICKET_ALERT),
    pagerAlerts,
    burn5m: await burn("5m"),
    burn1h: await burn("1h"),
    prometheusRssMiB: residentMiB(lane.processes.prometheus.pid),
  };
}

/** Runs every fault in a lane of its own, at once; stops every server it started, whatever happens. */
export async function runSloFaults(
  faults: readonly SloFault[],
  options: SloPagingOptions = {},
): Promise<SloPagingOutcome[]> {
  const historyHours = options.historyHours ?? 6;
  const log = options.log ?? (() => undefined);
  const stack = await E2eStack.start();
  try {
    const database = await stack.database();
    const lanes: Lane[] = [];
    for (const fault of faults) {
      lanes.push(
        await stack.lane(`slo-${fault.name}`, database, {
          timing: options.timing ?? TIMINGS.prodTuned,
          seedPrometheusData: (dataDir, settings) =>
            backfillRequestHistory(dataDir, {
              job: JOBS.api,
              instance: settings.targets.api.address,
              hours: historyHours,
              stepSeconds: 15,
              endSeconds: Math.floor(Date.now() / 1000) - 1,
            }),
        }),
      );
    }
    await Promise.all(lanes.map((lane) => waitForSteadyState(lane, historyHours)));
    log(`slo: ${lanes.length} lanes hold ${historyHours} h of history; faults ${faults.map((f) => f.name).join(", ")}`);
    return await Promise.all(faults.map((fault, i) => watchFault(lanes[i], fault, log)));
  } finally {
    await stack.stop();
  }
}
