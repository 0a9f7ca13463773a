/**
 * Recording rules that alerts and dashboards read instead of raw request metrics. They are fed either by the
 * backend's own metrics or by Traefik's (`alerts.requestMetricsSource`), and always carry `job="koprogo-api"`,
 * so an alert or a panel does not change when the source does.
 */
export const REQUEST_RECORDING_RULES = {
  /** Requests per second, summed: labels `job`. */
  requestRate: "job:http_requests:rate5m",
  /** Requests per second by status class: labels `job`, `status_class` (`2xx`, `3xx`, `4xx`, `5xx`). */
  requestRateByStatusClass: "job_status_class:http_requests:rate5m",
  /** Requests per second by endpoint: labels `job`, `method`, `path` (Traefik: `path` is the Traefik service). */
  requestRateByPath: "job_method_path:http_requests:rate5m",
  /** Server errors (5xx) per second: labels `job`. */
  errorRate: "job:http_request_errors:rate5m",
  /** Latency histogram buckets rate: labels `job`, `le`. Quantiles: `histogram_quantile(q, <this>)`. */
  latencyBuckets: "job_le:http_request_duration_seconds_bucket:rate5m",
  /** Latency histogram buckets rate by endpoint: labels `job`, `method`, `path`, `le`. */
  latencyBucketsByPath: "job_method_path_le:http_request_duration_seconds_bucket:rate5m",
} as const;

/**
 * The API's share of requests answered with a server error (5xx) over each window the error-budget alerts read
 * (alerts/rules/slo.ts), labels `job`: `job:slo_errors_per_request:ratio_rate<window>`.
 */
export const SLO_WINDOWS = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"] as const;
export type SloWindow = (typeof SLO_WINDOWS)[number];
export const sloErrorRatio = (window: SloWindow): string => `job:slo_errors_per_request:ratio_rate${window}`;
