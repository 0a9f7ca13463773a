/**
 * Prometheus scrape jobs, named by the contract (`JOBS`). Each job is plain data; `prometheus.yml` is built from
 * this list, and a part of the stack that exposes metrics adds its job here.
 */
import { JOBS, PROBES, type JobName } from "../contract/jobs";
import { crowdsecMetricsTarget } from "../security/crowdsec";
import { enabledAgents } from "../security/files";
import { SERVICE_PORTS, serviceAddress, type Settings } from "../settings";
import { NODE_METRIC_RELABEL, POSTGRES_METRIC_RELABEL } from "../exporters/relabel";
import type { WebServer } from "../contract/webAccess";
import { passwordFile } from "../webauth/paths";
import { PROMETHEUS_PATHS } from "./paths";
import { grafanaHealthUrl, PROBE_SCRAPE, type ProbeTarget } from "../blackbox/config";
import { BLACKBOX_MODULES } from "../exporters/blackbox";

export interface ScrapeJob {
  readonly job_name: JobName;
  readonly static_configs: { targets: string[]; labels?: Record<string, string> }[];
  readonly metrics_path?: string;
  readonly scheme?: "http" | "https";
  readonly authorization?: { type: "Bearer"; credentials_file: string };
  readonly basic_auth?: { username: string; password_file: string };
  readonly relabel_configs?: Record<string, unknown>[];
  readonly metric_relabel_configs?: Record<string, unknown>[];
  /** Query parameters of the scrape (a blackbox probe's `module`). */
  readonly params?: Record<string, string[]>;
  /** A job's own interval and timeout, when the stack's does not suit it (probes). */
  readonly scrape_interval?: string;
  readonly scrape_timeout?: string;
  /** How to parse a scrape whose Content-Type is missing or unknown (Prometheus 3 fails such a scrape otherwise). */
  readonly fallback_scrape_protocol?: "PrometheusText0.0.4";
}

/**
 * Prometheus's login on a server of the stack (contract/webAccess.ts). The password file is relative to
 * prometheus.yml's directory, as Prometheus resolves it: `/etc/prometheus` in the container, the render directory
 * in the e2e harness.
 */
export function basicAuthTo(server: WebServer): { username: string; password_file: string } {
  return { username: "prometheus", password_file: passwordFile(server, "prometheus").relative };
}

function job(job_name: JobName, target: string, extra: Partial<ScrapeJob> = {}): ScrapeJob {
  return { job_name, static_configs: [{ targets: [target] }], ...extra };
}

/** Keeps the `instance` label readable and stable: the exporter's address says nothing about what it watches. */
function instanceLabel(instance: string): Record<string, unknown>[] {
  return [{ target_label: "instance", replacement: instance }];
}

/**
 * Drops series no alert, recording rule or panel reads. Each is large and useless here: Go runtime internals
 * beyond the few a "is it healthy" panel needs, and per-handler HTTP histograms of the monitoring services.
 */
const DROP_UNUSED_INTERNALS: Record<string, unknown>[] = [
  {
    source_labels: ["__name__"],
    regex:
      "go_(gc_.*|godebug_.*|sched_.*|cpu_classes_.*|memory_classes_.*|memstats_(frees|mallocs|lookups|buck_hash|gc_sys|mcache|mspan|next_gc|other_sys|stack).*)",
    action: "drop",
  },
];

/**
 * Prometheus's and Alertmanager's own metrics: the counters and gauges the self-monitoring alerts read stay; the
 * histogram buckets of every internal operation (HTTP handlers, compactions, notification latency: `_sum` and
 * `_count` stay), the dialer's per-target connection tracking and service-discovery internals go. So do the
 * series that grow with the configuration, one per HTTP handler and code or per scrape pool (Prometheus 3.5 has a
 * dozen per pool: metadata cache, symbol table, sync), the query-engine quantiles, and Alertmanager 0.28's
 * per-integration request counters and latency (its `alertmanager_notifications_failed_total`, which
 * `AlertmanagerNotificationsFailing` reads, and `_notifications_total` stay). About half their series, read by
 * no alert or panel.
 */
export const DROP_SELF_MONITORING_DETAIL: Record<string, unknown>[] = [
  ...DROP_UNUSED_INTERNALS,
  {
    source_labels: ["__name__"],
    regex:
      "(prometheus|alertmanager)_.+_bucket|net_conntrack_.+|prometheus_target_sync_length_seconds|prometheus_sd_.+",
    action: "drop",
  },
  {
    source_labels: ["__name__"],
    regex:
      "prometheus_http_(requests_total|request_duration_seconds_.+|response_size_bytes_.+)|prometheus_target_(metadata_cache_.+|scrape_pool_.+|sync_.+)|prometheus_engine_query_duration_seconds(_sum|_count)?|alertmanager_notification_(requests_total|requests_failed_total|latency_seconds_.+)",
    action: "drop",
  },
];

/** The cAdvisor series an alert reads (alerts/rules/containers.ts), of named containers only: the scrape's allowlist. */
export const CADVISOR_KEPT_METRICS = [
  "container_memory_working_set_bytes",
  "container_spec_memory_limit_bytes",
  "container_start_time_seconds",
  "container_oom_events_total",
  "container_last_seen",
] as const;

export const CADVISOR_METRIC_RELABEL: Record<string, unknown>[] = [
  { source_labels: ["__name__"], regex: CADVISOR_KEPT_METRICS.join("|"), action: "keep" },
  // The cgroup hierarchy's own rows (`/`, `/system.slice/...`) have no container name.
  { source_labels: ["name"], regex: "", action: "drop" },
];

/** MinIO's cluster metrics (metrics v2): one scrape covers the whole (here single-node) deployment. */
export const MINIO_METRICS_PATH = "/minio/v2/metrics/cluster";

/**
 * The `minio` job keeps what an alert reads (capacity) and the health counts a panel may show; MinIO's cluster
 * endpoint also serves per-bucket, per-API and replication series by the hundred.
 */
export const MINIO_METRIC_RELABEL: Record<string, unknown>[] = [
  {
    source_labels: ["__name__"],
    regex: "minio_cluster_(capacity_.+|drive_.+|nodes_.+|health_.+)|minio_node_process_resident_memory_bytes",
    action: "keep",
  },
];

export function scrapeJobs(settings: Settings): ScrapeJob[] {
  const { api, postgres, traefik } = settings.targets;
  const jobs: ScrapeJob[] = [
    job(JOBS.prometheus, settings.serviceAddresses.prometheus ?? `localhost:${SERVICE_PORTS.prometheus}`, {
      basic_auth: basicAuthTo("prometheus"),
      metric_relabel_configs: DROP_SELF_MONITORING_DETAIL,
    }),
    job(JOBS.alertmanager, serviceAddress(settings, "alertmanager"), {
      basic_auth: basicAuthTo("alertmanager"),
      metric_relabel_configs: DROP_SELF_MONITORING_DETAIL,
    }),
    job(JOBS.node, serviceAddress(settings, "nodeExporter"), {
      basic_auth: basicAuthTo("nodeExporter"),
      relabel_configs: instanceLabel(settings.environment === "e2e" ? "e2e-host" : "vps"),
      metric_relabel_configs: NODE_METRIC_RELABEL,
    }),
    job(JOBS.api, api.address, {
      metrics_path: api.metricsPath,
      scheme: api.scheme,
      // The token is read from a file so that prometheus.yml holds no secret and can be rendered and reviewed.
      authorization: api.bearerToken
        ? { type: "Bearer", credentials_file: PROMETHEUS_PATHS.metricsBearerToken }
        : undefined,
      // Prometheus 3 fails a scrape without a valid Content-Type (2.x assumed the text format). The exporters and the
      // Go services set it; the backend's hand-written `/metrics` handler may not, and ApiDown would fire for a
      // header. The text format is what it serves.
      fallback_scrape_protocol: "PrometheusText0.0.4",
    }),
    // `up{job="postgresql"}` is the exporter; `pg_up` is the database behind it. The instance names the database.
    job(JOBS.postgres, serviceAddress(settings, "postgresExporter"), {
      basic_auth: basicAuthTo("postgresExporter"),
      relabel_configs: instanceLabel(postgres.address),
      metric_relabel_configs: POSTGRES_METRIC_RELABEL,
    }),
    job(JOBS.loki, serviceAddress(settings, "loki"), { metric_relabel_configs: DROP_UNUSED_INTERNALS }),
    job(JOBS.alloy, serviceAddress(settings, "alloy"), { metric_relabel_configs: DROP_UNUSED_INTERNALS }),
    // Grafana's /metrics is behind basic auth ([metrics] basic_auth_*): it is on the application's network for Traefik.
    job(JOBS.grafana, serviceAddress(settings, "grafana"), {
      basic_auth: basicAuthTo("grafana"),
      metric_relabel_configs: DROP_UNUSED_INTERNALS,
    }),
  ];
  if (traefik) jobs.push(job(JOBS.traefik, traefik));
  // An operator's cAdvisor (the stack does not run one): only the series the Container* alerts read.
  if (settings.targets.cadvisor)
    jobs.push(job(JOBS.cadvisor, settings.targets.cadvisor, { metric_relabel_configs: CADVISOR_METRIC_RELABEL }));
  // MinIO's cluster metrics (v2): capacity, drives, nodes. Its token is read from a file, like the backend's.
  if (settings.targets.minio)
    jobs.push(
      job(JOBS.minio, settings.targets.minio.address, {
        metrics_path: MINIO_METRICS_PATH,
        authorization: settings.targets.minio.bearerToken
          ? { type: "Bearer", credentials_file: PROMETHEUS_PATHS.minioMetricsToken }
          : undefined,
        metric_relabel_configs: MINIO_METRIC_RELABEL,
      }),
    );
  // CrowdSec runs on the host and listens on the Docker bridge gateway, like the node exporter.
  if (enabledAgents(settings).includes("crowdsec"))
    jobs.push(job(JOBS.crowdsec, crowdsecMetricsTarget(settings), { relabel_configs: instanceLabel("vps") }));
  jobs.push(...probeJobs(settings));
  return jobs.map(withoutUndefined);
}

/**
 * The blackbox probes, one job per module: the URL is the target, sent to the exporter as `?target=`, and stays the
 * `instance`; each target's `probe` label names it for the alerts (alerts/rules/probes.ts).
 */
export function probeJobs(settings: Settings): ScrapeJob[] {
  if (!settings.blackbox.enabled) return [];
  const { apiHealthUrl, publicMetricsUrl, probeGrafana } = settings.blackbox;
  const grafana = probeGrafana ? grafanaHealthUrl(settings) : undefined;
  const ok: ProbeTarget[] = [
    ...(apiHealthUrl ? [{ url: apiHealthUrl, probe: PROBES.apiHealth }] : []),
    ...(grafana ? [{ url: grafana, probe: PROBES.grafana }] : []),
  ];
  const refused: ProbeTarget[] = publicMetricsUrl ? [{ url: publicMetricsUrl, probe: PROBES.publicMetrics }] : [];
  const exporter = serviceAddress(settings, "blackbox");
  const probeJob = (job_name: JobName, module: string, targets: readonly ProbeTarget[]): ScrapeJob => ({
    job_name,
    metrics_path: "/probe",
    params: { module: [module] },
    scrape_interval: PROBE_SCRAPE.interval,
    scrape_timeout: PROBE_SCRAPE.timeout,
    static_configs: targets.map((t) => ({ targets: [t.url], labels: { probe: t.probe } })),
    relabel_configs: [
      { source_labels: ["__address__"], target_label: "__param_target" },
      { source_labels: ["__param_target"], target_label: "instance" },
      { target_label: "__address__", replacement: exporter },
    ],
  });
  return [
    ...(ok.length > 0 ? [probeJob(JOBS.probeHttp, BLACKBOX_MODULES.httpsOk, ok)] : []),
    ...(refused.length > 0 ? [probeJob(JOBS.probeRefused, BLACKBOX_MODULES.httpsRefused, refused)] : []),
  ];
}

function withoutUndefined(scrape: ScrapeJob): ScrapeJob {
  return Object.fromEntries(Object.entries(scrape).filter(([, value]) => value !== undefined)) as unknown as ScrapeJob;
}
