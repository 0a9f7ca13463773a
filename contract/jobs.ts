/**
 * Scrape job names are a contract (brief): alerts, dashboards, Loki `job` labels and runbooks all use them.
 */
export const JOBS = {
  api: "koprogo-api",
  postgres: "postgresql",
  node: "node",
  prometheus: "prometheus",
  alertmanager: "alertmanager",
  traefik: "traefik",
  postgresExporter: "postgres-exporter",
  loki: "loki",
  grafana: "grafana",
  alloy: "alloy",
  crowdsec: "crowdsec",
  /** cAdvisor: the Docker containers' memory, restarts and OOM kills. */
  cadvisor: "cadvisor",
  /** The application's MinIO (object store), its cluster metrics. */
  minio: "minio",
  /** Blackbox probes that expect a 2xx answer: the public API health and Grafana, through Traefik and TLS. */
  probeHttp: "blackbox-http",
  /** Blackbox probes that expect a refusal (401, 403, 404): `/metrics` as the internet reaches it. */
  probeRefused: "blackbox-refused",
} as const;

/** The `probe` label of each blackbox target: the probe jobs set it (prometheus/scrapeJobs.ts), the alerts select on it. */
export const PROBES = { apiHealth: "api-health", grafana: "grafana", publicMetrics: "public-metrics" } as const;

export type JobKey = keyof typeof JOBS;
export type JobName = (typeof JOBS)[JobKey];
