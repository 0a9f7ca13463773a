/**
 * Links that notifications carry (dashboard, logs in Grafana Explore, Prometheus pages). The same API as the
 * alerting part's `contract/links.ts` (branch `alerts`), limited to what the log alerts use: when both meet,
 * keep that one.
 */
import { DATASOURCES } from "./datasources";

/** A Grafana time range: relative (`now-1h`) or absolute epoch milliseconds as text. */
export interface TimeRange {
  readonly from: string;
  readonly to: string;
}

/** The range a `logs_url` opens with: the hour before now (annotation templates do not know the alert's start). */
export const ALERT_LOG_RANGE: TimeRange = { from: "now-1h", to: "now" };

const EXPLORE_PANE = "alert";

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

/** Grafana Explore (Grafana 10+ URL format) with one query pre-filled; the JSON is URL-encoded, so no `{{` reaches a Go template. */
export function exploreUrl(grafanaUrl: string, datasource: { readonly uid: string; readonly type: string }, expr: string, range: TimeRange = ALERT_LOG_RANGE): string {
  if (expr.trim() === "") throw new Error("an Explore link needs a query");
  const panes = {
    [EXPLORE_PANE]: {
      datasource: datasource.uid,
      queries: [{ refId: "A", expr, queryType: "range", datasource }],
      range: { from: range.from, to: range.to },
    },
  };
  return `${withoutTrailingSlash(grafanaUrl)}/explore?schemaVersion=1&panes=${encodeURIComponent(JSON.stringify(panes))}&orgId=1`;
}

/** Explore on the Loki data source with a LogQL query. */
export function logsUrl(grafanaUrl: string, logql: string, range: TimeRange = ALERT_LOG_RANGE): string {
  return exploreUrl(grafanaUrl, { uid: DATASOURCES.loki.uid, type: "loki" }, logql, range);
}

/** A page of Prometheus's own UI, for alerts about the monitoring stack itself. */
export function prometheusPageUrl(prometheusUrl: string, page: "targets" | "rules" | "alerts" | "config" | "tsdb-status"): string {
  return `${withoutTrailingSlash(prometheusUrl)}/${page}`;
}
