/**
 * Alerts on the log pipeline itself: Loki or Alloy down, pushes failing, lines dropped or refused. Without them
 * the first sign of a broken pipeline would be an empty Explore in the middle of an incident.
 */
import { JOBS } from "../../contract/jobs";
import type { AlertingRule, RuleFileBuilder } from "../types";

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

function rule(alert: string, expr: string, duration: string, summary: string, description: string): AlertingRule {
  return { alert, expr, for: duration, labels: { severity: "warning" }, annotations: { summary, description } };
}

export const logRules: RuleFileBuilder = () => {
  const a = LOG_ALERTS;
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
          ),
          rule(
            "AlloyDown",
            `up{${a.alloy}} == 0`,
            a.alloyDownFor,
            "Alloy is down: no logs are shipped to Loki",
            `Prometheus cannot scrape Alloy at {{ $labels.instance }} (up = {{ $value }}) for ${a.alloyDownFor}. Files and the journal resume from their positions when it is back; container logs rotated meanwhile are lost.`,
          ),
          rule(
            "LokiIngestionFailing",
            // Not while Loki is down: LokiDown already says so.
            `(sum(rate(${failedPushes}[${a.rateWindow}])) / sum(rate(${pushes}[${a.rateWindow}]))) > ${a.pushErrorRatio} unless on() (up{${a.loki}} == 0)`,
            a.pushErrorsFor,
            "Alloy's pushes to Loki are failing",
            `{{ $value | humanizePercentage }} of Alloy's pushes to Loki failed over the last ${a.rateWindow} (threshold ${a.pushErrorRatio * 100} %). Lines wait in Alloy and are dropped after its retries.`,
          ),
          rule(
            "AlloyLogsDropped",
            `sum by (reason) (increase(loki_write_dropped_entries_total{${a.alloy}}[${a.droppedWindow}])) > 0`,
            a.droppedFor,
            "Alloy dropped log lines",
            `Alloy dropped {{ $value | humanize }} log lines in ${a.droppedWindow} (reason: {{ $labels.reason }}). They are lost: incident context may be missing.`,
          ),
          rule(
            "LokiDiscardingLogs",
            `sum by (reason) (rate(loki_discarded_samples_total{${a.loki}}[${a.rateWindow}])) > 0`,
            a.discardingFor,
            "Loki refuses log lines",
            `Loki discards {{ $value | humanize }} lines/s (reason: {{ $labels.reason }}) for ${a.discardingFor}: a limit of loki.limits is too low, or a source sends old or oversized lines.`,
          ),
        ],
      },
    ],
  };
};
