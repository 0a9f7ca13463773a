/**
 * Links that notifications carry, so each step of the incident procedure is one click: the alert's dashboard,
 * its logs in Grafana Explore with a pre-filled LogQL query, and its runbook. Pure functions: rules and the
 * Alertmanager templates build their links here.
 */
import { DATASOURCES } from "./datasources";
import { LOG_JOBS } from "./logs";

/** A Grafana time range: relative (`now-1h`) or absolute epoch milliseconds as text. */
export interface TimeRange {
  readonly from: string;
  readonly to: string;
}

/**
 * The range an alert's `logs_url` opens with. Prometheus annotation templates do not know when the alert became
 * active, so the link is relative; the Alertmanager template swaps `from` for the alert's start (see
 * `alertmanager/templates.ts`), which gives a range around the alert in notifications.
 */
export const ALERT_LOG_RANGE: TimeRange = { from: "now-1h", to: "now" };

/** The pane id Explore restores the query into; any short key works, a fixed one keeps links stable. */
const EXPLORE_PANE = "alert";

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

/**
 * Grafana Explore with one query pre-filled: `/explore?schemaVersion=1&panes=<JSON>&orgId=1` (the URL format of
 * Grafana 10 and later; the JSON is URL-encoded, so a link never contains `{{` that a Go template would expand).
 */
export function exploreUrl(
  grafanaUrl: string,
  datasource: { readonly uid: string; readonly type: string },
  expr: string,
  range: TimeRange = ALERT_LOG_RANGE,
): string {
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

/** A LogQL stream selector on log labels, e.g. `{job="koprogo-api"}`. Label values are escaped for LogQL. */
export function logSelector(labels: Readonly<Record<string, string>>): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) throw new Error("a LogQL stream selector needs at least one label");
  return `{${entries.map(([name, value]) => `${name}=${JSON.stringify(value)}`).join(", ")}}`;
}

/** The stream selector of one of the contract's log jobs. */
export function logJobSelector(job: keyof typeof LOG_JOBS): string {
  return logSelector({ job: LOG_JOBS[job] });
}

/** The query an Explore link opens (its first query's `expr`), or `undefined` for any other URL. */
export function exploreQuery(url: string): string | undefined {
  const panes = new URL(url).searchParams.get("panes");
  if (!panes) return undefined;
  const parsed = JSON.parse(panes) as Record<string, { queries?: { expr?: string }[] }>;
  return Object.values(parsed)[0]?.queries?.[0]?.expr;
}

/**
 * The URL-encoded text of a range's `from` as it stands inside an Explore link, so a template can find it and
 * substitute an absolute time. Only characters that need no escaping in a regex or a Go template string.
 */
export function encodedRangeFrom(range: TimeRange = ALERT_LOG_RANGE): string {
  const encoded = encodeURIComponent(`"from":${JSON.stringify(range.from)}`);
  if (!/^[A-Za-z0-9%-]+$/.test(encoded))
    throw new Error(`range start ${range.from} cannot be substituted in a template`);
  return encoded;
}

/** A page of Prometheus's own UI (`targets`, `rules`, `alerts`, `config`, `tsdb-status`), for self-monitoring alerts. */
export function prometheusPageUrl(
  prometheusUrl: string,
  page: "targets" | "rules" | "alerts" | "config" | "tsdb-status",
): string {
  return `${withoutTrailingSlash(prometheusUrl)}/${page}`;
}

/** The runbook of an alert: `<base>/<Alert>.md`. */
export function runbookUrl(runbookBaseUrl: string, alert: string): string {
  return `${withoutTrailingSlash(runbookBaseUrl)}/${alert}.md`;
}
