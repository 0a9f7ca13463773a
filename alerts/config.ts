/**
 * The one monitoring-settings module (the `_config` of the node and kubernetes mixins): every selector, window,
 * threshold and `for` duration the rules and runbooks use, derived from the stack settings. A number or a
 * selector is written here once; rules, tests and the runbooks' generated definitions read it.
 */
import { JOBS } from "../contract/jobs";
import { FOR, WINDOWS } from "../contract/ruleTiming";
import { SERVICE_PORTS, type Settings } from "../settings";
import { latencyThresholdSeconds } from "../settings/alerting";

// Written in contract/ruleTiming.ts, below the settings, which check the scrape and evaluation intervals against them.
export { FOR, WINDOWS, type ForKey } from "../contract/ruleTiming";

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
 * The scrape-job selectors, which do not depend on the settings: the rules and the dashboards both read them, so
 * a dashboard panel selects exactly the series its alert reads (`tests/unit/dashboards.selectors.test.ts`).
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
  cadvisor: jobSelector(JOBS.cadvisor),
  minio: jobSelector(JOBS.minio),
  probeHttp: jobSelector(JOBS.probeHttp),
  probeRefused: jobSelector(JOBS.probeRefused),
  /** Docker containers only: cAdvisor's cgroup hierarchy rows without a container name (`/`, `/system.slice/...`) are out. */
  namedContainers: 'name!=""',
  /** The matcher that keeps real filesystems only (see `PSEUDO_FILESYSTEMS`); used after a job selector. */
  realFilesystems: `fstype!~${promqlString(PSEUDO_FILESYSTEMS.join("|"))}`,
  /** The scenarios of CrowdSec's `crowdsecurity/suricata` collection: major (severity 1) and high/medium (2) IDS alerts. */
  suricataScenarios: 'name=~"crowdsecurity/suricata-.*"',
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
  /** The latency objective's threshold in seconds: a bucket bound of the source's histogram (set, or its default). */
  readonly latencyThresholdSeconds: number;
  readonly cadvisorSelector: string;
  readonly minioSelector: string;
  readonly probeHttpSelector: string;
  readonly probeRefusedSelector: string;
  /** What is scraped, so a rule file alerts only on what exists: MinIO, the backup metrics. */
  readonly watches: {
    readonly minio: boolean;
    readonly backups: boolean;
  };
  /** The application's containers that must always run (`ContainerDown`): those the stack's targets name. */
  readonly appContainers: readonly string[];
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
    latencyThresholdSeconds: latencyThresholdSeconds(settings.alerts),
    grafanaUrl: settings.alerts.grafanaUrl,
    prometheusUrl: prometheusUrl(settings),
    cadvisorSelector: SELECTORS.cadvisor,
    minioSelector: SELECTORS.minio,
    probeHttpSelector: SELECTORS.probeHttp,
    probeRefusedSelector: SELECTORS.probeRefused,
    watches: {
      minio: settings.targets.minio !== null,
      backups: settings.backups.metricsDirectory !== null,
    },
    appContainers: appContainers(settings),
  };
}

/**
 * The application's containers `ContainerDown` expects, by name: the hosts of the stack's targets (backend,
 * PostgreSQL, Traefik, MinIO) that name a container rather than an address.
 */
export function appContainers(settings: Settings): string[] {
  const { api, postgres, traefik, minio } = settings.targets;
  const hosts = [api.address, postgres.address, traefik, minio?.address]
    .filter((address): address is string => typeof address === "string")
    .map((address) => address.slice(0, address.lastIndexOf(":")));
  return [
    ...new Set(
      hosts.filter((host) => /^[a-z][a-z0-9_.-]*$/i.test(host) && !/^[\d.]+$/.test(host) && host !== "localhost"),
    ),
  ];
}

/** A ratio as a percentage for texts: `0.1` → `10`, without floating-point noise. */
export function percent(ratio: number): number {
  return Number((ratio * 100).toFixed(2));
}
