/**
 * The one monitoring-settings module (the `_config` of the node and kubernetes mixins): every selector, window,
 * threshold and `for` duration the rules and runbooks use, derived from the stack settings. A number or a
 * selector is written here once; rules, tests and the runbooks' generated definitions read it.
 */
import { JOBS } from "../contract/jobs";
import { SERVICE_PORTS, type Settings } from "../settings";

/**
 * Filesystems that are not real disks: in-memory (tmpfs, ramfs), container layers (overlay), read-only images
 * (squashfs, iso9660) and kernel pseudo filesystems. They are full by design or cannot be cleaned, so `DiskFull`
 * ignores them.
 */
export const PSEUDO_FILESYSTEMS = [
  "tmpfs",
  "devtmpfs",
  "ramfs",
  "overlay",
  "squashfs",
  "iso9660",
  "nsfs",
  "proc",
  "sysfs",
  "cgroup",
  "cgroup2",
  "autofs",
  "fuse.lxcfs",
  "tracefs",
  "debugfs",
  "securityfs",
  "configfs",
  "efivarfs",
] as const;

/**
 * How long a condition must hold before its alert fires. Long enough that a blip (a restart, one slow scrape)
 * does not page anyone; short where every second of outage counts. `ApiDown` and `DatabaseDown` are the brief's.
 */
export const FOR = {
  apiDown: "1m",
  databaseDown: "30s",
  diskFull: "5m",
  highErrorRate: "5m",
  memoryExhaustion: "5m",
  slowApi: "10m",
  highCpu: "15m",
  databaseConnectionsHigh: "5m",
  /** A monitoring service or exporter down: its own data is missing, not the product's. */
  targetDown: "5m",
  /** Failures that a retry usually clears: wait for them to persist. */
  selfMonitoringFailure: "10m",
  /** Compactions run every two hours: failures over two cycles, not one that the next compaction repairs. */
  tsdbCompactionsFailing: "4h",
  /** The dead man's switch fires from the first evaluation. */
  watchdog: "0s",
  /** Loki down this long before a message: a restart after a config change takes well under a minute. */
  lokiDown: "2m",
  /** Alloy down this long: its positions are kept, so a short outage loses nothing. */
  alloyDown: "5m",
  /** Pushes failing this long: a lone timeout is retried. */
  lokiIngestionFailing: "10m",
  /** A dropped line is lost data: almost at once. */
  alloyLogsDropped: "1m",
  /** Loki refusing lines (limits, too old) this long: a short burst over the rate limit is retried by Alloy. */
  lokiDiscardingLogs: "15m",
  crowdsecDown: "5m",
  crowdsecLogSourceSilent: "10m",
  /** A burst of IDS detections is an attack under way: two evaluations, not more. */
  securityIdsHighSeverityBurst: "2m",
  securityBanSpike: "5m",
  /**
   * The error-budget alerts fire as soon as both windows of a pair agree: the short window is what keeps a blip
   * from firing and what resets the alert once the errors stop (SRE workbook, multi-window multi-burn-rate).
   */
  errorBudgetBurn: "0s",
} as const;

export type ForKey = keyof typeof FOR;

/**
 * The scrape-job selectors, which do not depend on the settings: the rules and the dashboards both read them, so
 * a dashboard panel selects exactly the series its alert reads (`tests/dashboards.selectors.test.ts`).
 */
export const SELECTORS = {
  api: jobSelector(JOBS.api),
  postgres: jobSelector(JOBS.postgres),
  node: jobSelector(JOBS.node),
  prometheus: jobSelector(JOBS.prometheus),
  alertmanager: jobSelector(JOBS.alertmanager),
  loki: jobSelector(JOBS.loki),
  alloy: jobSelector(JOBS.alloy),
  crowdsec: jobSelector(JOBS.crowdsec),
  /** The matcher that keeps real filesystems only (see `PSEUDO_FILESYSTEMS`); used after a job selector. */
  realFilesystems: `fstype!~${promqlString(PSEUDO_FILESYSTEMS.join("|"))}`,
  /** The scenarios of CrowdSec's `crowdsecurity/suricata` collection: major (severity 1) and high/medium (2) IDS alerts. */
  suricataScenarios: 'name=~"crowdsecurity/suricata-.*"',
} as const;

/** Windows that are part of an alert's meaning (the `Per10m` of a threshold's name), written once. */
export const WINDOWS = {
  /** The window of every rate. 5m: at least four scrapes at the 15 s interval, and the brief's window. */
  rate: "5m",
  idsBurst: "10m",
  banSpike: "15m",
  /** Any dropped log line in this window counts: a drop is lost data. */
  droppedLogs: "15m",
  tsdbCompactions: "3h",
} as const;

/** Thresholds that are no stack setting: properties of the tools, not of the deployment. */
export const FIXED_THRESHOLDS = {
  /** Share of Alloy's pushes to Loki that fail before `LokiIngestionFailing`; a lone timeout is retried. */
  lokiPushErrorRatio: 0.1,
} as const;

export interface MonitoringConfig {
  /** Selector of the backend's scrape job (and of the request recording rules, whatever their source). */
  readonly apiSelector: string;
  readonly postgresSelector: string;
  readonly nodeSelector: string;
  readonly prometheusSelector: string;
  readonly alertmanagerSelector: string;
  readonly lokiSelector: string;
  readonly alloySelector: string;
  readonly crowdsecSelector: string;
  /** Traefik's job and the backend's Traefik service, for `requestMetricsSource: traefik`. */
  readonly traefikSelector: string;
  /** Real filesystems only: no pseudo filesystem (see `PSEUDO_FILESYSTEMS`). */
  readonly filesystemSelector: string;
  /** The window of every rate. 5m: at least four scrapes at the 15 s interval, and the brief's window. */
  readonly rateInterval: string;
  /** Jobs with their own "down" alert, which the generic `TargetDown` leaves to them. */
  readonly jobsWithDedicatedDownAlert: readonly string[];
  readonly thresholds: Settings["alerts"]["thresholds"];
  /** The security alerts' thresholds and the log window in which a busy log must show lines. */
  readonly security: Settings["security"]["alerts"];
  /**
   * CrowdSec's file sources that are never quiet on a public VPS (SSH scanners and HTTP bots hit it every few
   * minutes), as a regex of their exact paths: silence there means the log is not written or not read.
   */
  readonly busyLogSources: string;
  readonly windows: typeof WINDOWS;
  readonly fixedThresholds: typeof FIXED_THRESHOLDS;
  readonly for: typeof FOR;
  readonly requestMetricsSource: Settings["alerts"]["requestMetricsSource"];
  /** Where links point: Grafana (dashboards, logs), Prometheus (self-monitoring pages). */
  readonly grafanaUrl: string;
  readonly prometheusUrl: string;
}

/** `job="<name>"`. */
export function jobSelector(name: string): string {
  return `job=${promqlString(name)}`;
}

/** A PromQL string literal (backslashes and quotes escaped), for values that come from the settings. */
export function promqlString(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** The URL people open Prometheus at: its external URL, else the loopback port an SSH tunnel reaches. */
export function prometheusUrl(settings: Settings): string {
  return (
    settings.prometheus.externalUrl ?? `http://127.0.0.1:${settings.prometheus.hostPort ?? SERVICE_PORTS.prometheus}`
  );
}

/** `text` as a regex that matches it literally, escaped once more for a PromQL string written without `promqlString`. */
function literalRegexInPromql(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\\\$&");
}

export function monitoringConfig(settings: Settings): MonitoringConfig {
  return {
    apiSelector: SELECTORS.api,
    postgresSelector: SELECTORS.postgres,
    nodeSelector: SELECTORS.node,
    prometheusSelector: SELECTORS.prometheus,
    alertmanagerSelector: SELECTORS.alertmanager,
    lokiSelector: SELECTORS.loki,
    alloySelector: SELECTORS.alloy,
    crowdsecSelector: SELECTORS.crowdsec,
    traefikSelector: `${jobSelector(JOBS.traefik)}, service=~${promqlString(settings.alerts.traefikService)}`,
    filesystemSelector: `${SELECTORS.node}, ${SELECTORS.realFilesystems}`,
    rateInterval: WINDOWS.rate,
    jobsWithDedicatedDownAlert: [JOBS.api, JOBS.postgres, JOBS.loki, JOBS.alloy, JOBS.crowdsec],
    thresholds: settings.alerts.thresholds,
    security: settings.security.alerts,
    busyLogSources: [settings.security.logs.auth, settings.security.logs.traefikAccess]
      .map(literalRegexInPromql)
      .join("|"),
    windows: WINDOWS,
    fixedThresholds: FIXED_THRESHOLDS,
    for: FOR,
    requestMetricsSource: settings.alerts.requestMetricsSource,
    grafanaUrl: settings.alerts.grafanaUrl,
    prometheusUrl: prometheusUrl(settings),
  };
}

/** A ratio as a percentage for texts: `0.1` → `10`, without floating-point noise. */
export function percent(ratio: number): number {
  return Number((ratio * 100).toFixed(2));
}
