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
} as const;

export type JobKey = keyof typeof JOBS;
export type JobName = (typeof JOBS)[JobKey];
