import { CONFIG_DIRS } from "../contract/configDirs";

/** Where Prometheus finds its files inside its container (the host's config directory is mounted there). */
export const PROMETHEUS_PATHS = {
  configDir: CONFIG_DIRS.prometheus.container,
  config: "/etc/prometheus/prometheus.yml",
  // Relative paths resolve against the directory of prometheus.yml (Prometheus 2.x and 3.x): `/etc/prometheus` in
  // the container, the render directory when the e2e harness runs Debian's binary on the same files.
  rulesGlob: "rules/*.yml",
  metricsBearerToken: "secrets/metrics-bearer-token",
  data: "/prometheus",
} as const;
