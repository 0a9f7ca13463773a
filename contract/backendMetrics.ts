/**
 * The metrics the KoproGo backend exposes on `/metrics` (brief, "Backend metrics"), and the business metrics this
 * project defines for it. The README's metrics contract is written from this list, and tests check that every
 * metric a rule or panel reads is here, in a recording rule, or exposed by an exporter.
 */
export interface MetricContract {
  readonly name: string;
  readonly type: "counter" | "gauge" | "histogram" | "summary";
  readonly labels: readonly string[];
  readonly help: string;
}

export const BACKEND_METRICS: readonly MetricContract[] = [
  {
    name: "http_requests_total",
    type: "counter",
    labels: ["method", "path", "status"],
    help: "HTTP requests served, by route template (not raw path) and status code.",
  },
  {
    name: "http_request_duration_seconds",
    type: "histogram",
    labels: ["method", "path"],
    help: "Request latency in seconds, buckets from 5 ms to 10 s.",
  },
  {
    name: "http_requests_errors_total",
    type: "counter",
    labels: ["status"],
    help: "Requests answered with a 5xx status.",
  },
  { name: "db_connections_active", type: "gauge", labels: [], help: "Connections checked out of the SQLx pool." },
  { name: "db_query_duration_seconds", type: "summary", labels: [], help: "Database query time (`_sum`, `_count`)." },
];

export const BUSINESS_METRICS: readonly MetricContract[] = [
  { name: "koprogo_users_created_total", type: "counter", labels: [], help: "User accounts created." },
  { name: "koprogo_expenses_created_total", type: "counter", labels: [], help: "Expenses recorded by a syndic." },
  {
    name: "koprogo_expenses_validated_total",
    type: "counter",
    labels: [],
    help: "Expenses validated (approved for charge distribution).",
  },
  {
    name: "koprogo_payments_total",
    type: "counter",
    labels: ["on_time"],
    help: 'Owner payments received; `on_time="true"` when paid by the due date, `"false"` when late.',
  },
  {
    name: "koprogo_active_users",
    type: "gauge",
    labels: ["window"],
    help: 'Distinct users active in the window: `window="1d"` (DAU) and `window="30d"` (MAU).',
  },
];

/** Traefik's metrics used when `alerts.requestMetricsSource` is `traefik`. */
export const TRAEFIK_METRICS: readonly MetricContract[] = [
  {
    name: "traefik_service_requests_total",
    type: "counter",
    labels: ["service", "code", "method", "protocol"],
    help: "Requests per Traefik service.",
  },
  {
    name: "traefik_service_request_duration_seconds",
    type: "histogram",
    labels: ["service", "code", "method", "protocol"],
    help: "Request duration per Traefik service.",
  },
];

/**
 * The upper bounds (`le`) of each request-metrics source's latency histogram, without `+Inf`: the latency SLO's
 * threshold must be one of them (a share of requests under a bound is read from its bucket; between two bounds it
 * would be a guess).
 * - `backend`: the contract's `http_request_duration_seconds`, 5 ms to 10 s (client libraries' default buckets).
 * - `traefik`: `traefik_service_request_duration_seconds` as Traefik v3 registers it unless
 *   `--metrics.prometheus.buckets` is set: read in Traefik v3.6.17 (`IMAGES.appTraefik`),
 *   `pkg/observability/types/metrics.go` (`Prometheus.SetDefaults`: `p.Buckets = []float64{0.1, 0.3, 1.2, 5}`) and
 *   `pkg/observability/metrics/prometheus.go` (`initStandardRegistry`: `{0.1, 0.3, 1.2, 5.0}` when none is set).
 *   KoproGo's Traefik sets no buckets, so these are the ones it exposes.
 */
export const REQUEST_LATENCY_BUCKETS = {
  backend: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  traefik: [0.1, 0.3, 1.2, 5],
} as const satisfies Record<string, readonly number[]>;
