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
export const PSEUDO_FILESYSTEMS = ["tmpfs", "devtmpfs", "ramfs", "overlay", "squashfs", "iso9660", "nsfs", "proc", "sysfs", "cgroup", "cgroup2", "autofs", "fuse.lxcfs", "tracefs", "debugfs", "securityfs", "configfs", "efivarfs"] as const;

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
} as const;

export type ForKey = keyof typeof FOR;

export interface MonitoringConfig {
  /** Selector of the backend's scrape job (and of the request recording rules, whatever their source). */
  readonly apiSelector: string;
  readonly postgresSelector: string;
  readonly nodeSelector: string;
  readonly prometheusSelector: string;
  readonly alertmanagerSelector: string;
  /** Traefik's job and the backend's Traefik service, for `requestMetricsSource: traefik`. */
  readonly traefikSelector: string;
  /** Real filesystems only: no pseudo filesystem (see `PSEUDO_FILESYSTEMS`). */
  readonly filesystemSelector: string;
  /** The window of every rate. 5m: at least four scrapes at the 15 s interval, and the brief's window. */
  readonly rateInterval: string;
  /** Jobs with their own "down" alert, which the generic `TargetDown` leaves to them. */
  readonly jobsWithDedicatedDownAlert: readonly string[];
  readonly thresholds: Settings["alerts"]["thresholds"];
  readonly for: typeof FOR;
  readonly requestMetricsSource: Settings["alerts"]["requestMetricsSource"];
  /** Where links point: Grafana (dashboards, logs), Prometheus (self-monitoring pages). */
  readonly grafanaUrl: string;
  readonly prometheusUrl: string;
}

/** A PromQL string literal (backslashes and quotes escaped), for values that come from the settings. */
export function promqlString(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** The URL people open Prometheus at: its external URL, else the loopback port an SSH tunnel reaches. */
export function prometheusUrl(settings: Settings): string {
  return settings.prometheus.externalUrl ?? `http://127.0.0.1:${settings.prometheus.hostPort ?? SERVICE_PORTS.prometheus}`;
}

export function monitoringConfig(settings: Settings): MonitoringConfig {
  const job = (name: string) => `job=${promqlString(name)}`;
  return {
    apiSelector: job(JOBS.api),
    postgresSelector: job(JOBS.postgres),
    nodeSelector: job(JOBS.node),
    prometheusSelector: job(JOBS.prometheus),
    alertmanagerSelector: job(JOBS.alertmanager),
    traefikSelector: `${job(JOBS.traefik)}, service=~${promqlString(settings.alerts.traefikService)}`,
    filesystemSelector: `${job(JOBS.node)}, fstype!~${promqlString(PSEUDO_FILESYSTEMS.join("|"))}`,
    rateInterval: "5m",
    jobsWithDedicatedDownAlert: [JOBS.api, JOBS.postgres, JOBS.loki, JOBS.alloy, JOBS.crowdsec],
    thresholds: settings.alerts.thresholds,
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
