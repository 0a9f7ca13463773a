/** Grafana data source UIDs: dashboards, alert links and the Grafana provider resources all use these. */
export const DATASOURCES = {
  prometheus: { uid: "prometheus", name: "Prometheus" },
  loki: { uid: "loki", name: "Loki" },
  alertmanager: { uid: "alertmanager", name: "Alertmanager" },
} as const;
