/**
 * Alerts on the log pipeline itself: Loki or Alloy down, pushes failing, lines dropped or refused. Without them
 * the first sign of a broken pipeline would be an empty Explore in the middle of an incident.
 */
import { DATASOURCES } from "../../contract/datasources";
import { exploreUrl, logsUrl, prometheusPageUrl } from "../../contract/links";
import { JOBS } from "../../contract/jobs";
import { containsLine, eq, logQuery, matches, streamSelector } from "../../logs/logql";
import { logsQueryForJob } from "../../logs/queries";
import { SERVICE_PORTS, type Settings } from "../../settings";
import type { AlertingRule, RuleFileBuilder } from "../types";
import { COUNT } from "../valueFormats";

/** Every selector, window and threshold of these rules, written once. */
export const LOG_ALERTS = {
  loki: `job="${JOBS.loki}"`,
  alloy: `job="${JOBS.alloy}"`,
  /** Loki down this long before a message: a restart after a config change takes well under a minute. */
  lokiDownFor: "2m",
  /** Alloy down this long: its positions are kept, so a short outage loses nothing. */
  alloyDownFor: "5m",
  /** Share of Alloy's pushes to Loki that fail before `LokiIngestionFailing`; a lone timeout is retried. */
  pushErrorRatio: 0.1,
  pushErrorsFor: "10m",
  /** Window in which any dropped line counts: a drop is lost data. */
  droppedWindow: "15m",
  droppedFor: "1m",
  /** Loki refusing lines (limits, too old) this long: a short burst over the rate limit is retried by Alloy. */
  discardingFor: "15m",
  rateWindow: "5m",
} as const;

/** Where the people notified click: the symptom (a Prometheus page or query) and the logs that explain it. */
interface Links {
  readonly dashboard: string;
  readonly logs: string;
}

function rule(alert: string, expr: string, duration: string, summary: string, description: string, links: Links): AlertingRule {
  return {
    alert,
    expr,
    for: duration,
    labels: { severity: "warning" },
    annotations: { summary, description, dashboard_url: links.dashboard, logs_url: links.logs },
  };
}

/** The URL people open Prometheus at: its external URL, else the loopback port an SSH tunnel reaches (as the other alerts' links). */
function prometheusUrl(settings: Settings): string {
  return settings.prometheus.externalUrl ?? `http://127.0.0.1:${settings.prometheus.hostPort ?? SERVICE_PORTS.prometheus}`;
}

export const logRules: RuleFileBuilder = (settings) => {
  const a = LOG_ALERTS;
  const grafana = settings.alerts.grafanaUrl;
  const targets = prometheusPageUrl(prometheusUrl(settings), "targets");
  // The symptom broken down (by status code, by reason) in Explore on the Prometheus data source: no dashboard shows it.
  const breakdown = (expr: string) => exploreUrl(grafana, { uid: DATASOURCES.prometheus.uid, type: "prometheus" }, expr);
  // What Alloy says about its pushes (loki.write logs each failed batch).
  const alloyPushLogs = logsUrl(grafana, logQuery(streamSelector(eq("job", JOBS.alloy)), containsLine("loki.write")));
  const pushes = `loki_write_request_duration_seconds_count{${a.alloy}}`;
  const failedPushes = `loki_write_request_duration_seconds_count{${a.alloy}, status_code!~"2.."}`;
  return {
    name: "logs",
    groups: [
      {
        name: "logs",
        rules: [
          rule(
            "LokiDown",
            `up{${a.loki}} == 0`,
            a.lokiDownFor,
            "Loki is down: logs are not stored or searchable",
            `Prometheus cannot scrape Loki at {{ $labels.instance }} (up = {{ $value }}) for ${a.lokiDownFor}. Alloy keeps retrying for about an hour, then drops lines.`,
            // Loki's own last lines reach Loki once it is back (Alloy holds them); the journal has OOM kills.
            { dashboard: targets, logs: logsUrl(grafana, logsQueryForJob(JOBS.loki)) },
          ),
          rule(
            "AlloyDown",
            `up{${a.alloy}} == 0`,
            a.alloyDownFor,
            "Alloy is down: no logs are shipped to Loki",
            `Prometheus cannot scrape Alloy at {{ $labels.instance }} (up = {{ $value }}) for ${a.alloyDownFor}. Files and the journal resume from their positions when it is back; container logs rotated meanwhile are lost.`,
            { dashboard: targets, logs: logsUrl(grafana, logsQueryForJob(JOBS.alloy)) },
          ),
          rule(
            "LokiIngestionFailing",
            // Not while Loki is down: LokiDown already says so.
            `(sum(rate(${failedPushes}[${a.rateWindow}])) / sum(rate(${pushes}[${a.rateWindow}]))) > ${a.pushErrorRatio} unless on() (up{${a.loki}} == 0)`,
            a.pushErrorsFor,
            "Alloy's pushes to Loki are failing",
            `{{ $value | humanizePercentage }} of Alloy's pushes to Loki failed over the last ${a.rateWindow} (threshold ${a.pushErrorRatio * 100} %). Lines wait in Alloy and are dropped after its retries.`,
            { dashboard: breakdown(`sum by (status_code) (rate(${pushes}[${a.rateWindow}]))`), logs: alloyPushLogs },
          ),
          rule(
            "AlloyLogsDropped",
            `sum by (reason) (increase(loki_write_dropped_entries_total{${a.alloy}}[${a.droppedWindow}])) > 0`,
            a.droppedFor,
            "Alloy dropped log lines",
            `Alloy dropped ${COUNT} log lines in ${a.droppedWindow} (reason: {{ $labels.reason }}). They are lost: incident context may be missing.`,
            { dashboard: breakdown(`sum by (reason) (rate(loki_write_dropped_entries_total{${a.alloy}}[${a.rateWindow}]))`), logs: alloyPushLogs },
          ),
          rule(
            "LokiDiscardingLogs",
            `sum by (reason) (increase(loki_discarded_samples_total{${a.loki}}[${a.rateWindow}])) > 0`,
            a.discardingFor,
            "Loki refuses log lines",
            `Loki discarded ${COUNT} lines in the last ${a.rateWindow} (reason: {{ $labels.reason }}), for ${a.discardingFor} now: a limit of loki.limits is too low, or a source sends old or oversized lines.`,
            // Loki logs each refused push with its reason, at warn level.
            { dashboard: breakdown(`sum by (reason) (rate(loki_discarded_samples_total{${a.loki}}[${a.rateWindow}]))`), logs: logsUrl(grafana, streamSelector(eq("job", JOBS.loki), matches("level", "warn|error"))) },
          ),
        ],
      },
    ],
  };
};
