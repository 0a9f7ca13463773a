/**
 * Request recording rules: the request rate, errors and latency that alerts and dashboards read, with the names
 * of `contract/recordingRules.ts`. Fed by the backend's own metrics or by Traefik's (`alerts.requestMetricsSource`);
 * every series carries `job="koprogo-api"` either way, so nothing downstream changes with the source.
 */
import { JOBS } from "../../contract/jobs";
import { REQUEST_RECORDING_RULES as RULES } from "../../contract/recordingRules";
import type { Settings } from "../../settings";
import { monitoringConfig, type MonitoringConfig } from "../config";
import type { RecordingRule, RuleFile } from "../types";

/** The raw series of one source and how its labels map onto the contract's (`status`, `path`). */
export interface RequestSource {
  readonly requests: string;
  readonly errors: string;
  readonly buckets: string;
  /** The label holding the HTTP status code. */
  readonly statusLabel: string;
  /** The label naming the endpoint; Traefik only knows its service. */
  readonly pathLabel: string;
}

export function requestSource(config: MonitoringConfig): RequestSource {
  if (config.requestMetricsSource === "traefik") {
    const selector = config.traefikSelector;
    return {
      requests: `traefik_service_requests_total{${selector}}`,
      // Traefik has no error counter: server errors are the requests answered 5xx.
      errors: `traefik_service_requests_total{${selector}, code=~"5.."}`,
      buckets: `traefik_service_request_duration_seconds_bucket{${selector}}`,
      statusLabel: "code",
      pathLabel: "service",
    };
  }
  return {
    requests: `http_requests_total{${config.apiSelector}}`,
    // The backend counts its 5xx answers by status: every status adds to the rate.
    errors: `http_requests_errors_total{${config.apiSelector}}`,
    buckets: `http_request_duration_seconds_bucket{${config.apiSelector}}`,
    statusLabel: "status",
    pathLabel: "path",
  };
}

/** `path` from the source's endpoint label (a no-op for the backend, Traefik's `service` otherwise). */
function withPathLabel(expr: string, source: RequestSource): string {
  return source.pathLabel === "path"
    ? expr
    : `label_replace(${expr}, "path", "$1", ${JSON.stringify(source.pathLabel)}, "(.*)")`;
}

/** The recording rules, in contract order. */
export function requestRecordingRules(settings: Settings): RecordingRule[] {
  const config = monitoringConfig(settings);
  const source = requestSource(config);
  const window = config.rateInterval;
  const rate = (series: string) => `rate(${series}[${window}])`;
  // The output's job is the API's whatever the source: a recording rule's labels overwrite the series' own.
  const labels = { job: JOBS.api };
  return [
    // All requests per second.
    { record: RULES.requestRate, expr: `sum(${rate(source.requests)})`, labels },
    // Requests per second by status class: `status_class` is the first digit of the status and `xx`.
    {
      record: RULES.requestRateByStatusClass,
      expr: `sum by (status_class) (label_replace(${rate(source.requests)}, "status_class", "\${1}xx", ${JSON.stringify(source.statusLabel)}, "([1-5])[0-9][0-9]"))`,
      labels,
    },
    // Requests per second by endpoint (method and route template; Traefik: its service).
    {
      record: RULES.requestRateByPath,
      expr: `sum by (method, path) (${withPathLabel(rate(source.requests), source)})`,
      labels,
    },
    // Server errors (5xx) per second, every status code added up.
    { record: RULES.errorRate, expr: `sum(${rate(source.errors)})`, labels },
    // Latency histogram, all endpoints: `histogram_quantile(0.99, <this>)` is the P99.
    { record: RULES.latencyBuckets, expr: `sum by (le) (${rate(source.buckets)})`, labels },
    // Latency histogram by endpoint, for the slowest-endpoints panel.
    {
      record: RULES.latencyBucketsByPath,
      expr: `sum by (method, path, le) (${withPathLabel(rate(source.buckets), source)})`,
      labels,
    },
  ];
}

export function requestRuleFile(settings: Settings): RuleFile {
  return { name: "requests", groups: [{ name: "koprogo-api-requests", rules: requestRecordingRules(settings) }] };
}
