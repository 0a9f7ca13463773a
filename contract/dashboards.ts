/** Dashboard UIDs are a contract: alert links and runbooks point at them, so they never change. */
export const DASHBOARDS = {
  apiOverview: { uid: "api-overview", title: "API Overview" },
  systemHealth: { uid: "system-health", title: "System Health" },
  postgresql: { uid: "postgresql", title: "PostgreSQL Performance" },
  business: { uid: "business", title: "Business Metrics" },
  securityEvents: { uid: "security-events", title: "Security Events" },
} as const;

export type DashboardKey = keyof typeof DASHBOARDS;
export type DashboardUid = (typeof DASHBOARDS)[DashboardKey]["uid"];

/** Link to a dashboard on the given Grafana, e.g. for an alert's `dashboard_url` annotation. */
export function dashboardUrl(grafanaUrl: string, key: DashboardKey): string {
  return `${grafanaUrl.replace(/\/$/, "")}/d/${DASHBOARDS[key].uid}`;
}
