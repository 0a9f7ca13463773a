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
