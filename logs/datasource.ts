/** What Grafana's Loki data source needs from this part (the Grafana part creates the data source). */
import { DATASOURCES } from "../contract/datasources";
import { durationToMs, serviceUrl, type Settings } from "../settings";

export interface LokiDatasourceSpec {
  readonly uid: string;
  readonly name: string;
  /** Loki inside the Docker network. */
  readonly url: string;
  /** Lines Explore asks for: no more than Loki's per-query limit, or Explore shows an error instead of logs. */
  readonly maxLines: number;
  /** Seconds Grafana waits: a little longer than Loki's own query timeout, so Loki's clearer error wins. */
  readonly timeoutSeconds: number;
}

export function lokiDatasource(settings: Settings): LokiDatasourceSpec {
  const { maxEntriesPerQuery, queryTimeout } = settings.loki.limits;
  return {
    uid: DATASOURCES.loki.uid,
    name: DATASOURCES.loki.name,
    url: serviceUrl(settings, "loki"),
    maxLines: Math.min(1000, maxEntriesPerQuery),
    timeoutSeconds: Math.ceil(durationToMs(queryTimeout) / 1000) + 10,
  };
}
