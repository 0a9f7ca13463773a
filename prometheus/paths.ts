/** Where Prometheus finds its files inside its container (the host's config directory is mounted there). */
export const PROMETHEUS_PATHS = {
  configDir: "/etc/prometheus",
  config: "/etc/prometheus/prometheus.yml",
  rulesGlob: "/etc/prometheus/rules/*.yml",
  metricsBearerToken: "/etc/prometheus/secrets/metrics-bearer-token",
  data: "/prometheus",
} as const;
