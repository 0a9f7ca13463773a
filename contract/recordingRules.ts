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

/**
 * The API's share of requests slower than the latency objective's threshold (`alerts.slo.latency`) over each
 * window, labels `job`: `job:slo_slow_requests:ratio_rate<window>`.
 */
export const sloSlowRatio = (window: SloWindow): string => `job:slo_slow_requests:ratio_rate${window}`;

/**
 * Each SLO's bad share over its whole period (`alerts.slo.windowDays`), labels `job`: the mean of its hourly
 * ratios, what the dashboards' "error budget left" reads (1 − this ÷ the budget).
 */
export const SLO_PERIOD_RATIOS = {
  availability: "job:slo_errors_per_request:ratio_avg_period",
  latency: "job:slo_slow_requests:ratio_avg_period",
} as const;
