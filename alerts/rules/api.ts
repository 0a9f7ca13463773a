/** The API's alerts: down, failing, slow. They read the request recording rules, whatever feeds them. */
import { JOBS } from "../../contract/jobs";
import { logJobSelector, logSelector } from "../../contract/links";
import { REQUEST_RECORDING_RULES as RULES } from "../../contract/recordingRules";
import type { Settings } from "../../settings";
import { monitoringConfig, promqlString, type MonitoringConfig } from "../config";
import type { RuleFile } from "../types";
import { PER_SECOND } from "../valueFormats";
import { alertRule } from "./common";

/** Logs of failing requests: the backend's error lines, or Traefik's access log entries answered 5xx. */
export function errorLogs(config: MonitoringConfig, settings: Settings): string {
  if (config.requestMetricsSource === "traefik")
    return `${logJobSelector("traefik")} | json | ServiceName=~${promqlString(settings.alerts.traefikService)} | DownstreamStatus >= 500`;
  return `${logJobSelector("api")} |= "ERROR"`;
}

/**
 * Logs of requests slower than `seconds` (`SlowApi`'s P99 threshold unless given): the backend's `duration_ms`
 * (runbook query), or Traefik's `Duration` in nanoseconds.
 */
export function slowLogs(
  config: MonitoringConfig,
  settings: Settings,
  seconds: number = config.thresholds.latencyP99Seconds,
): string {
  if (config.requestMetricsSource === "traefik")
    return `${logJobSelector("traefik")} | json | ServiceName=~${promqlString(settings.alerts.traefikService)} | Duration > ${Math.round(seconds * 1e9)}`;
  return `${logJobSelector("api")} | json | duration_ms > ${Math.round(seconds * 1000)}`;
}

export function apiRuleFile(settings: Settings): RuleFile {
  const config = monitoringConfig(settings);
  const { thresholds } = config;
  const recorded = (name: string) => `${name}{${config.apiSelector}}`;
  return {
    name: "api",
    groups: [
      {
        name: "koprogo-api",
        rules: [
          alertRule(config, {
            alert: "ApiDown",
            expr: `up{${config.apiSelector}} == 0`,
            for: "apiDown",
            severity: "critical",
            summary: "The KoproGo API is down.",
            description:
              "Prometheus cannot scrape the API at {{ $labels.instance }} (up = {{ $value }}): the backend container is stopped, crashing or unreachable.",
            dashboard: "apiOverview",
            logs: logSelector({ job: JOBS.api }),
          }),
          alertRule(config, {
            alert: "HighErrorRate",
            expr: `sum by (job) (${recorded(RULES.errorRate)}) > ${thresholds.errorsPerSecond}`,
            for: "highErrorRate",
            severity: "critical",
            summary: "The API answers many requests with server errors.",
            description: `The API ({{ $labels.job }}) serves ${PER_SECOND} server errors (5xx) per second, above ${thresholds.errorsPerSecond}/s.`,
            dashboard: "apiOverview",
            logs: errorLogs(config, settings),
          }),
          alertRule(config, {
            alert: "SlowApi",
            expr: `histogram_quantile(0.99, sum by (job, le) (${recorded(RULES.latencyBuckets)})) > ${thresholds.latencyP99Seconds}`,
            for: "slowApi",
            severity: "warning",
            summary: "The API is slow.",
            description: `The API's P99 latency ({{ $labels.job }}) is {{ $value | humanizeDuration }}, above ${thresholds.latencyP99Seconds}s.`,
            dashboard: "apiOverview",
            logs: slowLogs(config, settings),
          }),
        ],
      },
    ],
  };
}
