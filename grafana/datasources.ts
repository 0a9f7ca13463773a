/**
 * Grafana's data sources with the contract's fixed UIDs: the dashboards, alert links and runbooks name them by
 * UID. The provider resources and the rendered `grafana/datasources.json` are both built from this list.
 */
import { DATASOURCES } from "../contract/datasources";
import { webPasswordName } from "../contract/webAccess";
import { serviceUrl, type Settings } from "../settings";

export interface DataSourceSpec {
  readonly uid: string;
  readonly name: string;
  readonly type: "prometheus" | "loki" | "alertmanager";
  /** Reached by Grafana's server on the stack's network (never by the browser). */
  readonly url: string;
  readonly isDefault: boolean;
  readonly jsonData: Readonly<Record<string, unknown>>;
  /**
   * The login Grafana signs in with (contract/webAccess.ts), for the servers that refuse a caller without one.
   * Its password goes in the data source's secure JSON data (encrypted in Grafana's database), never in a file.
   */
  readonly basicAuth?: { readonly user: "grafana"; readonly server: "prometheus" | "alertmanager" };
}

export function grafanaDataSources(
  settings: Pick<Settings, "namePrefix" | "serviceAddresses" | "nodeExporter" | "prometheus">,
): DataSourceSpec[] {
  return [
    {
      ...DATASOURCES.prometheus,
      type: "prometheus",
      url: serviceUrl(settings, "prometheus"),
      isDefault: true,
      // The scrape interval as the smallest step, so `$__rate_interval` always spans at least four samples.
      jsonData: { httpMethod: "POST", timeInterval: settings.prometheus.scrapeInterval, prometheusType: "Prometheus" },
      basicAuth: { user: "grafana", server: "prometheus" },
    },
    {
      ...DATASOURCES.loki,
      type: "loki",
      url: serviceUrl(settings, "loki"),
      isDefault: false,
      jsonData: { maxLines: 1000 },
    },
    {
      ...DATASOURCES.alertmanager,
      type: "alertmanager",
      url: serviceUrl(settings, "alertmanager"),
      isDefault: false,
      // Prometheus's Alertmanager, not Grafana's: Grafana shows its alerts and silences, it sends none.
      jsonData: { implementation: "prometheus", handleGrafanaManagedAlerts: false },
      basicAuth: { user: "grafana", server: "alertmanager" },
    },
  ];
}

/** `grafana/datasources.json`: the same list in Grafana's provisioning shape, for review. It holds no secret. */
export function dataSourcesDocument(settings: Parameters<typeof grafanaDataSources>[0]) {
  return {
    apiVersion: 1,
    datasources: grafanaDataSources(settings).map((ds) => ({
      uid: ds.uid,
      name: ds.name,
      type: ds.type,
      access: "proxy",
      url: ds.url,
      isDefault: ds.isDefault,
      editable: false,
      jsonData: ds.jsonData,
      // The password is set through Grafana's API as secure JSON data (`basicAuthPassword`), not written here.
      ...(ds.basicAuth ? { basicAuth: true, basicAuthUser: ds.basicAuth.user } : {}),
    })),
  };
}

/** The name of Grafana's password on `server` among the stack's secrets (its data source logins). */
export const GRAFANA_DATASOURCE_LOGINS = {
  prometheus: webPasswordName("prometheus", "grafana"),
  alertmanager: webPasswordName("alertmanager", "grafana"),
} as const;
