/**
 * Alerts on the log pipeline itself: Loki or Alloy down, pushes failing, lines dropped or refused. Without them
 * the first sign of a broken pipeline would be an empty Explore in the middle of an incident.
 */
import { DATASOURCES } from "../../contract/datasources";
import { exploreUrl, prometheusPageUrl } from "../../contract/links";
import { JOBS } from "../../contract/jobs";
import { containsLine, eq, logQuery, matches, streamSelector } from "../../logs/logql";
import { logsQueryForJob } from "../../logs/queries";
import { monitoringConfig, percent } from "../config";
import type { RuleFileBuilder } from "../types";
import { COUNT } from "../valueFormats";
import { alertRule } from "./common";

export const logRules: RuleFileBuilder = (settings) => {
  const config = monitoringConfig(settings);
  const { lokiSelector: loki, alloySelector: alloy, rateInterval: window, for: durations } = config;
  const { droppedLogs } = config.windows;
  const { lokiPushErrorRatio } = config.fixedThresholds;
  // No dashboard shows these symptoms: the targets page, or the symptom broken down (by status code, by reason)
  // in Explore on the Prometheus data source.
  const targets = { url: prometheusPageUrl(config.prometheusUrl, "targets") };
  const breakdown = (expr: string) => ({
    url: exploreUrl(config.grafanaUrl, { uid: DATASOURCES.prometheus.uid, type: "prometheus" }, expr),
  });
  // What Alloy says about its pushes (loki.write logs each failed batch).
  const alloyPushLogs = logQuery(streamSelector(eq("job", JOBS.alloy)), containsLine("loki.write"));
  const pushes = `loki_write_request_duration_seconds_count{${alloy}}`;
  const failedPushes = `loki_write_request_duration_seconds_count{${alloy}, status_code!~"2.."}`;
  return {
    name: "logs",
    groups: [
      {
        name: "logs",
        rules: [
          alertRule(config, {
            alert: "LokiDown",
            expr: `up{${loki}} == 0`,
            for: "lokiDown",
            severity: "warning",
            summary: "Loki is down: logs are not stored or searchable",
            description: `Prometheus cannot scrape Loki at {{ $labels.instance }} (up = {{ $value }}) for ${durations.lokiDown}. Alloy keeps retrying for about an hour, then drops lines.`,
            // Loki's own last lines reach Loki once it is back (Alloy holds them); the journal has OOM kills.
            dashboard: targets,
            logs: logsQueryForJob(JOBS.loki),
          }),
          alertRule(config, {
            alert: "AlloyDown",
            expr: `up{${alloy}} == 0`,
            for: "alloyDown",
            severity: "warning",
            summary: "Alloy is down: no logs are shipped to Loki",
            description: `Prometheus cannot scrape Alloy at {{ $labels.instance }} (up = {{ $value }}) for ${durations.alloyDown}. Files and the journal resume from their positions when it is back; container logs rotated meanwhile are lost.`,
            dashboard: targets,
            logs: logsQueryForJob(JOBS.alloy),
          }),
          alertRule(config, {
            alert: "LokiIngestionFailing",
            // Not while Loki is down: LokiDown already says so.
            expr: `(sum(rate(${failedPushes}[${window}])) / sum(rate(${pushes}[${window}]))) > ${lokiPushErrorRatio} unless on() (up{${loki}} == 0)`,
            for: "lokiIngestionFailing",
            severity: "warning",
            summary: "Alloy's pushes to Loki are failing",
            description: `{{ $value | humanizePercentage }} of Alloy's pushes to Loki failed over the last ${window} (threshold ${percent(lokiPushErrorRatio)} %). Lines wait in Alloy and are dropped after its retries.`,
            dashboard: breakdown(`sum by (status_code) (rate(${pushes}[${window}]))`),
            logs: alloyPushLogs,
          }),
          alertRule(config, {
            alert: "AlloyLogsDropped",
            expr: `sum by (reason) (increase(loki_write_dropped_entries_total{${alloy}}[${droppedLogs}])) > 0`,
            for: "alloyLogsDropped",
            severity: "warning",
            summary: "Alloy dropped log lines",
            description: `Alloy dropped ${COUNT} log lines in ${droppedLogs} (reason: {{ $labels.reason }}). They are lost: incident context may be missing.`,
            dashboard: breakdown(`sum by (reason) (rate(loki_write_dropped_entries_total{${alloy}}[${window}]))`),
            logs: alloyPushLogs,
          }),
          alertRule(config, {
            alert: "LokiDiscardingLogs",
            expr: `sum by (reason) (increase(loki_discarded_samples_total{${loki}}[${window}])) > 0`,
            for: "lokiDiscardingLogs",
            severity: "warning",
            summary: "Loki refuses log lines",
            description: `Loki discarded ${COUNT} lines in the last ${window} (reason: {{ $labels.reason }}), for ${durations.lokiDiscardingLogs} now: a limit of loki.limits is too low, or a source sends old or oversized lines.`,
            dashboard: breakdown(`sum by (reason) (rate(loki_discarded_samples_total{${loki}}[${window}]))`),
            // Loki logs each refused push with its reason, at warn level.
            logs: streamSelector(eq("job", JOBS.loki), matches("level", "warn|error")),
          }),
        ],
      },
    ],
  };
};
