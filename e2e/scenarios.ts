/**
 * The fault scenarios, shared by the e2e tests (which assert on the result) and the benchmark (which times it).
 * Each injects one fault in a lane and waits for the notifications it must cause, recording when each arrived.
 */
import { durationToMs } from "../settings";
import { instantQuery, queryValue, postAlerts, prometheusAlerts, type PrometheusAlert } from "./prometheusApi";
import { sleep, waitFor } from "./processes";
import type { ReceivedNotification, ReceiverRole } from "./receivers";
import type { Lane } from "./stack";

/** Who hears about an alert, by severity (brief: critical → PagerDuty + Slack + SMS, warning → Slack only). */
export const ROLES_BY_SEVERITY: Record<"critical" | "warning", readonly ReceiverRole[]> = {
  critical: ["pager", "chat", "sms"],
  warning: ["chat"],
};

export interface NotifyOutcome {
  readonly alertname: string;
  /** `Date.now()` at the fault. */
  readonly faultAt: number;
  /** The first firing notification per role that must get it. */
  readonly fired: Partial<Record<ReceiverRole, ReceivedNotification>>;
  /** When the fault was repaired, and the first resolved notification per role. */
  readonly repairedAt?: number;
  readonly resolved?: Partial<Record<ReceiverRole, ReceivedNotification>>;
  /** For alerts proven live up to pending: when Prometheus first reported it, and the alert it reported. */
  readonly pendingAt?: number;
  readonly pending?: PrometheusAlert;
  /** When the alert had fired before the fault (a transient), what was seen and how long the wait for it took. */
  readonly beforeFault?: string;
}

/** Waits until `expr` has value `value` in the lane's Prometheus (the steady state before a fault). */
export async function waitForValue(lane: Lane, expr: string, value: number, timeoutMs = 150_000): Promise<void> {
  await waitFor(
    `${expr} == ${value} in lane ${lane.name}`,
    async () => ((await queryValue(lane.prometheus, expr)) === value ? true : undefined),
    timeoutMs,
    250,
  );
}

/** Waits for the first `status` notification of `alertname` at every role in `roles` that arrived after `after`. */
export async function waitForNotifications(
  lane: Lane,
  alertname: string,
  roles: readonly ReceiverRole[],
  status: "firing" | "resolved",
  after: number,
  timeoutMs: number,
) {
  return waitFor(
    `${status} ${alertname} at ${roles.join(", ")} in lane ${lane.name}`,
    () => {
      const found = roles.map((role) => [role, lane.receivers.first(role, alertname, status, after)] as const);
      return found.every(([, n]) => n !== undefined)
        ? (Object.fromEntries(found) as Partial<Record<ReceiverRole, ReceivedNotification>>)
        : undefined;
    },
    timeoutMs,
    50,
  );
}

interface FaultOptions {
  /** Repair the fault once notified, and wait for the resolved notifications. */
  readonly resolve?: boolean;
  readonly timeoutMs?: number;
  /** Sleep this long before the fault (a random phase of the scrape and evaluation ticks, for the benchmark). */
  readonly delayMs?: number;
}

/**
 * Waits, before a fault, until `alertname` is inactive in Prometheus and no role's last notification about it says
 * "firing". Why: Alertmanager notifies a group again only when its set of firing alerts changes (or after the
 * repeat interval, 1h for critical alerts). An alert that fired before the fault (a transient: with 1m scrape and
 * evaluation, one timed-out scrape can stay visible to two evaluations, more than `DatabaseDown`'s 30s `for`) and
 * fires again after it, before its resolved notification went out (up to `group_interval`, 5m at the tool
 * defaults), is "still firing" to Alertmanager: no notification for an hour. Returns what was seen, or undefined
 * when the slate was clean at once.
 */
export async function waitForCleanSlate(
  lane: Lane,
  alertname: string,
  roles: readonly ReceiverRole[],
): Promise<string | undefined> {
  const began = Date.now();
  const active = async () => (await prometheusAlerts(lane.prometheus)).filter((a) => a.labels.alertname === alertname);
  const notified = () => roles.filter((role) => lane.receivers.lastSaysFiring(role, alertname));
  const [wasActive, wasNotified] = [await active(), notified()];
  if (wasActive.length === 0 && wasNotified.length === 0) return undefined;
  // The evidence, for the report: scrapes that failed or were slow in the last 15 minutes.
  const evidence = async (what: string, expr: string) =>
    (await instantQuery(lane.prometheus, expr).catch(() => [])).map(
      (s) => `${what}{job="${s.metric.job}"} ${Number(s.value[1]).toFixed(2)}`,
    );
  const seen = [
    ...(await evidence("min up", "min_over_time(up[15m]) == 0")),
    ...(await evidence("max scrape s", "max_over_time(scrape_duration_seconds[15m]) > 5")),
  ].join(", ");
  const timeoutMs =
    durationToMs(lane.settings.notifications.groupInterval) +
    2 * durationToMs(lane.settings.prometheus.evaluationInterval) +
    60_000;
  await waitFor(
    `${alertname} inactive and resolved at ${roles.join(", ")} before the fault in lane ${lane.name}`,
    async () => ((await active()).length === 0 && notified().length === 0 ? true : undefined),
    timeoutMs,
    500,
  );
  return `${alertname} was ${wasActive.map((a) => a.state).join("/") || "resolved but"} ${wasNotified.length > 0 ? `notified (${wasNotified.join(", ")})` : "not notified"} before the fault (${seen || "no failed or slow scrape in the last 15m"}); waited ${((Date.now() - began) / 1000).toFixed(0)} s for it to resolve`;
}

async function faultAndRepair(
  lane: Lane,
  alertname: string,
  fault: () => Promise<void>,
  repair: () => Promise<void>,
  options: FaultOptions,
): Promise<NotifyOutcome> {
  const roles = ROLES_BY_SEVERITY.critical;
  if (options.delayMs) await sleep(options.delayMs);
  // Checked just before the fault: a transient can come at any time until then.
  const beforeFault = await waitForCleanSlate(lane, alertname, roles);
  const faultAt = Date.now();
  await fault();
  const fired = await waitForNotifications(lane, alertname, roles, "firing", faultAt, options.timeoutMs ?? 120_000);
  if (!options.resolve) return { alertname, faultAt, fired, beforeFault };
  const repairedAt = Date.now();
  await repair();
  const resolved = await waitForNotifications(
    lane,
    alertname,
    roles,
    "resolved",
    repairedAt,
    options.timeoutMs ?? 120_000,
  );
  return { alertname, faultAt, fired, repairedAt, resolved, beforeFault };
}

/** The API process is killed: `ApiDown` must reach the pager, chat and SMS; a resolved message when it is back. */
export async function apiDownScenario(lane: Lane, options: FaultOptions = {}): Promise<NotifyOutcome> {
  await waitForValue(lane, 'up{job="koprogo-api"}', 1);
  return faultAndRepair(
    lane,
    "ApiDown",
    () => lane.api.kill(),
    () => lane.api.start(),
    options,
  );
}

/** PostgreSQL stops while its exporter keeps running: `DatabaseDown` (through `pg_up == 0`). */
export async function databaseDownScenario(lane: Lane, options: FaultOptions = {}): Promise<NotifyOutcome> {
  await waitForValue(lane, 'pg_up{job="postgresql"}', 1);
  return faultAndRepair(
    lane,
    "DatabaseDown",
    () => lane.database.cluster.stop(),
    () => lane.database.cluster.start(),
    options,
  );
}

/**
 * A fault whose alert has a `for` longer than a CI run (`HighErrorRate` 5m, `SlowApi` 10m). The rule is proven live
 * up to pending (the expression, recording rules and thresholds, on the real metrics); the firing alert Prometheus
 * would then send is handed to the live Alertmanager with the labels and annotations Prometheus rendered, and the
 * notifications are awaited as for the other faults. With `untilFiring`, the scenario waits for the real `for` (the
 * benchmark does).
 */
async function longForScenario(
  lane: Lane,
  alertname: string,
  fault: () => Promise<void>,
  options: FaultOptions & { untilFiring?: boolean },
): Promise<NotifyOutcome> {
  const timeoutMs = options.timeoutMs ?? 240_000;
  if (options.delayMs) await sleep(options.delayMs);
  const faultAt = Date.now();
  await fault();
  const pending = await waitFor(
    `${alertname} pending in lane ${lane.name}`,
    async () => (await prometheusAlerts(lane.prometheus)).find((a) => a.labels.alertname === alertname),
    timeoutMs,
    250,
  );
  const pendingAt = Date.now();
  const severity = pending.labels.severity;
  if (severity !== "critical" && severity !== "warning")
    throw new Error(`${alertname} has severity ${severity}: no notification role`);
  if (!options.untilFiring) {
    await postAlerts(lane.alertmanager, [
      {
        labels: pending.labels,
        annotations: pending.annotations,
        startsAt: new Date().toISOString(),
        generatorURL: `${lane.prometheusUrl}/graph`,
      },
    ]);
  }
  const fired = await waitForNotifications(
    lane,
    alertname,
    ROLES_BY_SEVERITY[severity],
    "firing",
    faultAt,
    options.untilFiring ? timeoutMs + 15 * 60_000 : timeoutMs,
  );
  return { alertname, faultAt, fired, pendingAt, pending };
}

/** The API answers 5xx at `errorsPerSecond` (20/s in the brief's scenario): `HighErrorRate`. */
export function highErrorRateScenario(
  lane: Lane,
  options: FaultOptions & { untilFiring?: boolean; errorsPerSecond?: number } = {},
): Promise<NotifyOutcome> {
  return longForScenario(
    lane,
    "HighErrorRate",
    () => lane.api.setMode({ mode: "errors", errorsPerSecond: options.errorsPerSecond ?? 20 }),
    options,
  );
}

/** Every request takes about 2.5 s: `SlowApi`, a warning, at the chat only. */
export function slowApiScenario(
  lane: Lane,
  options: FaultOptions & { untilFiring?: boolean } = {},
): Promise<NotifyOutcome> {
  return longForScenario(lane, "SlowApi", () => lane.api.setMode({ mode: "slow", latencySeconds: 2.5 }), options);
}
