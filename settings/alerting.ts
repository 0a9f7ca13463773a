/** Alert thresholds and notification receivers. The numbers are the brief's contract; a stack may tune them. */
import { z } from "zod";
import { REQUEST_LATENCY_BUCKETS } from "../contract/backendMetrics";
import { duration, httpUrl, isRegex, nonNegative, positive, ratio } from "./primitives";

export const thresholdSettings = z
  .object({
    /** `DiskFull` fires below this share of free space on a real filesystem. Defaults to `0.10`. */
    diskFreeRatio: ratio.default(0.1),
    /** `HighErrorRate` fires above this many API errors per second. Defaults to `10`. */
    errorsPerSecond: nonNegative.default(10),
    /** `MemoryExhaustion` fires below this many available bytes. Defaults to 100 MiB. */
    memoryAvailableBytes: nonNegative.default(100 * 1024 * 1024),
    /** `SlowApi` fires above this P99 latency in seconds. Defaults to `1`. */
    latencyP99Seconds: positive.default(1),
    /** `HighCpu` fires above this busy share of all CPUs. Defaults to `0.8`. */
    cpuBusyRatio: ratio.default(0.8),
    /** `DatabaseConnectionsHigh` fires above this share of `max_connections`. Defaults to `0.8`. */
    dbConnectionsRatio: ratio.default(0.8),
    /** `DiskSpaceLow` (warning) fires below this share of free space on a real filesystem. Defaults to `0.2` (KoproGo's own rules). */
    diskWarningFreeRatio: ratio.default(0.2),
    /** `DiskFillingUp` fires when a filesystem's free space, extrapolated over the last day, reaches zero within this many days. Defaults to `4`. */
    diskFullWithinDays: positive.default(4),
    /** `HighLoad` fires above this 15-minute load average per CPU. Defaults to `1.5` (KoproGo's own rules). */
    loadPerCpu: positive.default(1.5),
    /** `MemoryLow` (warning) fires below this share of the host's memory available. Defaults to `0.15` (85 % used, KoproGo's own rules). */
    memoryAvailableWarningRatio: ratio.default(0.15),
    /** `ContainerMemoryHigh` fires above this share of a container's memory limit (working set). Defaults to `0.9`. */
    containerMemoryRatio: ratio.default(0.9),
    /** `ContainerRestarting` fires at this many restarts of one container within 15 minutes. Defaults to `2`. */
    containerRestarts: positive.default(2),
    /** `BackupTooOld` fires when the last successful backup is older than this many hours. Defaults to `26` (a daily backup and two hours of slack). */
    backupMaxAgeHours: positive.default(26),
    /** `MinioDiskSpaceLow` fires below this share of MinIO's usable capacity free. Defaults to `0.2`. */
    minioFreeRatio: ratio.default(0.2),
    /** `DatabaseCacheHitRatioLow` fires below this share of blocks read from PostgreSQL's buffer cache. Defaults to `0.95`. */
    dbCacheHitRatio: ratio.default(0.95),
    /** `DatabaseDeadTuplesHigh` fires above this share of dead rows in a table that also has `dbDeadTuplesMin` dead rows. Defaults to `0.2`. */
    dbDeadTupleRatio: ratio.default(0.2),
    /** `DatabaseDeadTuplesHigh` needs at least this many dead rows in the table: a small table's ratio means nothing. Defaults to `10000`. */
    dbDeadTuplesMin: positive.default(10000),
    /** `DatabaseSlowStatements` fires above this mean execution time of the database's statements, in seconds. Defaults to `0.25`. */
    dbStatementMeanSeconds: positive.default(0.25),
    /** `TlsCertificateExpiring` (warning) fires when a probed certificate expires within this many days. Defaults to `14`. */
    certExpiryWarningDays: positive.default(14),
    /** `TlsCertificateExpiryCritical` fires when a probed certificate expires within this many days. Defaults to `3`. */
    certExpiryCriticalDays: positive.default(3),
  })
  .strict();

/** An SLO's target share: above 0.9 (the page's 14.4× the budget must stay below 100 %) and below 1 (a budget to burn). */
const sloObjective = z
  .number()
  .gt(0.9, "must be above 0.9 (the burn-rate factors page at 14.4× the budget, which must stay below 100 %)")
  .lt(1, "must be below 1 (a 100 % objective leaves no error budget to burn)");

/**
 * The latency threshold each request-metrics source gets when none is set: a bound of its histogram
 * (`REQUEST_LATENCY_BUCKETS`), the one nearest 0.3 s, which a page of KoproGo's API answers well within.
 */
export const DEFAULT_LATENCY_THRESHOLD_SECONDS = { backend: 0.25, traefik: 0.3 } as const;

/** The API's latency objective: a share of its requests answered within a threshold over `windowDays`. */
export const latencySloSettings = z
  .object({
    /** Share of the API's requests answered within `thresholdSeconds`. Defaults to `0.99`: 1 % may be slower. */
    objective: sloObjective.default(0.99),
    /**
     * The threshold in seconds: an upper bound (`le`) of the request histogram of `alerts.requestMetricsSource`
     * (backend: 0.005 to 10; Traefik's default buckets: 0.1, 0.3, 1.2, 5). Defaults to `0.25` (backend) or `0.3`
     * (Traefik).
     */
    thresholdSeconds: positive.optional(),
  })
  .strict();

/**
 * The API's service level objectives, read by the error-budget burn-rate alerts (alerts/rules/slo.ts: the
 * multi-window multi-burn-rate alerts of Google's SRE workbook, chapter 5).
 */
export const sloSettings = z
  .object({
    /**
     * Share of the API's requests that must not be answered with a server error (5xx) over `windowDays`.
     * Defaults to `0.999`: an error budget of 0.1 %, about 43 minutes of total outage in 30 days.
     */
    availability: sloObjective.default(0.999),
    /** The latency objective, counted over the same `windowDays`: 99 % of the requests within 0.25 s or 0.3 s. */
    latency: latencySloSettings.prefault({}),
    /** The period the objective is counted over, in days. Defaults to `30`. */
    windowDays: z
      .number()
      .int("must be a whole number of days")
      .min(7, "must be at least 7")
      .max(90, "must be at most 90")
      .default(30),
  })
  .strict();

/** Syntax JavaScript accepts and RE2 (Prometheus, Loki) refuses: lookaround and backreferences. */
function isRe2Compatible(value: string): boolean {
  return !/\(\?[=!<]|\\[1-9]/.test(value);
}

/** Where the request metrics (rate, errors, latency) come from: the backend's own, or Traefik's. */
export const requestMetricsSource = z.enum(["backend", "traefik"]);

const slackReceiver = z
  .object({
    kind: z.literal("slack"),
    /** Channel for alerts. Defaults to `#alerts`. The webhook URL is the `slackWebhookUrl` secret. */
    channel: z
      .string()
      .regex(
        /^#[a-z0-9][a-z0-9._-]{0,79}$/,
        "must be a Slack channel like #alerts (lower-case letters, digits, . _ -): Alertmanager expands it as a template",
      )
      .default("#alerts"),
  })
  .strict();
const pagerdutyReceiver = z.object({ kind: z.literal("pagerduty") }).strict();
const webhookReceiver = z
  .object({
    kind: z.literal("webhook"),
    /** Endpoint that receives Alertmanager's webhook JSON (an SMS gateway, or a local receiver in dev). */
    url: httpUrl,
    /** Name of the secret sent as `Authorization: Bearer`, if the endpoint needs one. */
    tokenSecret: z.enum(["smsWebhookToken"]).optional(),
  })
  .strict();
const disabledReceiver = z.object({ kind: z.literal("disabled") }).strict();
/**
 * A dead man's switch that expects a ping at least every few minutes and alerts by its own means when pings stop:
 * a healthchecks.io check (or any healthchecks-style ping URL), or a PagerDuty or Better Stack heartbeat URL. Its
 * URL is the `watchdogHeartbeatUrl` secret (whoever has it can fake the heartbeat), read by Alertmanager from a
 * file (`url_file`, Alertmanager 0.26 and later).
 */
const heartbeatReceiver = z.object({ kind: z.literal("heartbeat") }).strict();
const watchdogReceiver = z.discriminatedUnion("kind", [heartbeatReceiver, webhookReceiver, disabledReceiver]);

export const notificationSettings = z
  .object({
    /** Chat for every alert (critical and warning): Slack `#alerts` in prod. */
    chat: z
      .discriminatedUnion("kind", [slackReceiver, webhookReceiver, disabledReceiver])
      .default({ kind: "disabled" }),
    /** Paging for critical alerts: PagerDuty in prod. */
    pager: z
      .discriminatedUnion("kind", [pagerdutyReceiver, webhookReceiver, disabledReceiver])
      .default({ kind: "disabled" }),
    /** SMS for critical alerts, through an SMS gateway's webhook. */
    sms: z.discriminatedUnion("kind", [webhookReceiver, disabledReceiver]).default({ kind: "disabled" }),
    /**
     * Dead man's switch: receives the always-firing `Watchdog` alert. Defaults to `{kind: heartbeat}` (the
     * `watchdogHeartbeatUrl` secret) as soon as chat, pager or SMS is on: notifications that can silently stop are
     * worse than none. `staging` and `prod` refuse `disabled`.
     */
    watchdog: watchdogReceiver.optional(),
    /** How long a new group waits for more alerts before the first warning notification. */
    groupWait: duration.default("30s"),
    /** How long before a changed group is notified again. */
    groupInterval: duration.default("5m"),
    /** How often a still-firing critical alert is sent again. */
    criticalRepeatInterval: duration.default("1h"),
    /** How often a still-firing warning alert is sent again. */
    warningRepeatInterval: duration.default("12h"),
    /**
     * How often the always-firing `Watchdog` is sent to the dead man's switch. The switch must be set to expect a
     * ping at least this often (with some slack): when pings stop, the alerting pipeline itself is broken.
     */
    watchdogRepeatInterval: duration.default("5m"),
  })
  .strict()
  .transform(({ watchdog, ...rest }) => ({
    ...rest,
    watchdog: watchdog ?? (notificationsOn(rest) ? { kind: "heartbeat" as const } : { kind: "disabled" as const }),
  }));

/** Whether any human-facing receiver is on (then the dead man's switch must be too). */
export function notificationsOn(n: {
  chat: { kind: string };
  pager: { kind: string };
  sms: { kind: string };
}): boolean {
  return [n.chat, n.pager, n.sms].some((r) => r.kind !== "disabled");
}

export const alertSettings = z
  .object({
    thresholds: thresholdSettings.prefault({}),
    /** The API's availability objective and the period it is counted over (the error-budget alerts). */
    slo: sloSettings.prefault({}),
    /** Feed of the request metrics used by `HighErrorRate`, `SlowApi` and the API dashboard. */
    requestMetricsSource: requestMetricsSource.default("backend"),
    /**
     * With `requestMetricsSource: traefik`, a regex on Traefik's `service` label matching the backend's service
     * (Traefik names Docker services `<name>@docker`). Defaults to `.*backend.*`, which fits `koprogo-backend`.
     */
    traefikService: z
      .string()
      .min(1, "must be a regex matching the backend's Traefik service")
      .refine(isRegex, { message: "must be a valid regular expression" })
      .refine(isRe2Compatible, {
        message: "must be an RE2 regular expression (no lookaround, no backreference): Prometheus and Loki run it",
      })
      .refine((v) => !/[\r\n]|\{\{|\}\}/.test(v), { message: "must be one line without {{ or }}" })
      .default(".*backend.*"),
    /** Base URL of the runbooks that `runbook_url` points at (the repository's `alerts/runbooks/` on the web). */
    runbookBaseUrl: httpUrl.default("https://github.com/koprogo/koprogo-observability/blob/main/alerts/runbooks"),
    /** Grafana's public URL, for dashboard and log links in notifications. */
    grafanaUrl: httpUrl.default("http://127.0.0.1:3001"),
  })
  .strict()
  .superRefine((alerts, ctx) => {
    const problem = latencyThresholdProblem(alerts.requestMetricsSource, alerts.slo.latency.thresholdSeconds);
    if (problem) ctx.addIssue({ code: "custom", path: ["slo", "latency", "thresholdSeconds"], message: problem });
  });

/**
 * The latency objective's threshold: the one set, else the default of the request-metrics source (the default
 * depends on the source, so it is resolved where both are known, for the rules and the dashboards alike).
 */
export function latencyThresholdSeconds(alerts: {
  readonly requestMetricsSource: keyof typeof DEFAULT_LATENCY_THRESHOLD_SECONDS;
  readonly slo: { readonly latency: { readonly thresholdSeconds?: number } };
}): number {
  return alerts.slo.latency.thresholdSeconds ?? DEFAULT_LATENCY_THRESHOLD_SECONDS[alerts.requestMetricsSource];
}

/**
 * Why a latency threshold cannot be read from the source's histogram, or undefined: it must be one of its bucket
 * bounds, since the share of requests under any other value is not counted anywhere.
 */
export function latencyThresholdProblem(
  source: keyof typeof REQUEST_LATENCY_BUCKETS,
  thresholdSeconds: number | undefined,
): string | undefined {
  const bounds: readonly number[] = REQUEST_LATENCY_BUCKETS[source];
  if (thresholdSeconds === undefined || bounds.includes(thresholdSeconds)) return undefined;
  const origin =
    source === "traefik"
      ? "Traefik's default buckets (traefik_service_request_duration_seconds, no --metrics.prometheus.buckets)"
      : "the backend's http_request_duration_seconds buckets (contract/backendMetrics.ts)";
  return `must be a bucket bound of the ${source} request histogram (alerts.requestMetricsSource: ${source}), one of ${bounds.join(", ")} seconds: ${origin}; the share of requests under ${thresholdSeconds} s is not counted anywhere (got ${thresholdSeconds})`;
}

export type ThresholdSettings = z.infer<typeof thresholdSettings>;
export type NotificationSettings = z.infer<typeof notificationSettings>;
export type AlertSettings = z.infer<typeof alertSettings>;

/**
 * The dead man's switch where people rely on the alerts (`staging`, `prod`): refused off, because an alerting
 * pipeline that breaks silently is worse than none. Checked with the required secrets (settings/load.ts), on
 * the parsed stack config: the schema itself still parses any environment, for generators and tests.
 */
export function watchdogProblem(settings: {
  environment: string;
  notifications: { watchdog: { kind: string } };
}): { key: string; message: string } | undefined {
  if (
    (settings.environment !== "prod" && settings.environment !== "staging") ||
    settings.notifications.watchdog.kind !== "disabled"
  )
    return undefined;
  return {
    key: "notifications.watchdog",
    message: `must not be disabled in ${settings.environment}: set {kind: heartbeat} and the watchdogHeartbeatUrl secret (a healthchecks.io ping URL or a PagerDuty/Better Stack heartbeat URL), see docs/operator/security.md "Dead man's switch"`,
  };
}
