/** The few Prometheus and Alertmanager HTTP API calls the scenarios and the benchmark make, signed in (e2e/logins.ts). */
import type { Endpoint } from "./logins";

function headers(endpoint: Endpoint, extra: Record<string, string> = {}): Record<string, string> {
  return { ...extra, ...(endpoint.authorization ? { Authorization: endpoint.authorization } : {}) };
}

export interface Sample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

interface ApiResponse<T> {
  readonly status: "success" | "error";
  readonly data: T;
  readonly error?: string;
}

async function getJson<T>(endpoint: Endpoint, path: string): Promise<T> {
  const url = `${endpoint.url}${path}`;
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000), headers: headers(endpoint) });
  if (response.status === 401)
    throw new Error(`${url}: 401 Unauthorized (the harness signs in as operator: is the web config the rendered one?)`);
  const body = (await response.json()) as ApiResponse<T>;
  if (body.status !== "success") throw new Error(`${url}: ${body.error ?? response.status}`);
  return body.data;
}

/** Instant query; throws on a PromQL error. */
export async function instantQuery(prometheus: Endpoint, expr: string, time?: number): Promise<Sample[]> {
  const params = new URLSearchParams({ query: expr, ...(time !== undefined ? { time: String(time / 1000) } : {}) });
  const data = await getJson<{ resultType: string; result: Sample[] | [number, string] }>(
    prometheus,
    `/api/v1/query?${params}`,
  );
  if (data.resultType === "scalar" || data.resultType === "string")
    return [{ metric: {}, value: data.result as [number, string] }];
  return data.result as Sample[];
}

/** Range query; returns the number of series. */
export async function rangeQuery(
  prometheus: Endpoint,
  expr: string,
  startMs: number,
  endMs: number,
  stepSeconds: number,
): Promise<number> {
  const params = new URLSearchParams({
    query: expr,
    start: String(startMs / 1000),
    end: String(endMs / 1000),
    step: String(stepSeconds),
  });
  const data = await getJson<{ result: unknown[] }>(prometheus, `/api/v1/query_range?${params}`);
  return data.result.length;
}

/** First value of an instant query, or undefined when it returns nothing. */
export async function queryValue(prometheus: Endpoint, expr: string): Promise<number | undefined> {
  const [first] = await instantQuery(prometheus, expr);
  return first ? Number(first.value[1]) : undefined;
}

export interface PrometheusAlert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly state: "pending" | "firing";
  readonly activeAt: string;
  readonly value: string;
}

/** Alerts Prometheus holds now (pending and firing). */
export async function prometheusAlerts(prometheus: Endpoint): Promise<PrometheusAlert[]> {
  return (await getJson<{ alerts: PrometheusAlert[] }>(prometheus, "/api/v1/alerts")).alerts;
}

/** Loaded rule groups: the number of alerting rules, and any rule in an error state. */
export async function ruleHealth(
  prometheus: Endpoint,
): Promise<{ alerting: number; recording: number; unhealthy: string[] }> {
  const data = await getJson<{
    groups: { rules: { type: string; name: string; health: string; lastError?: string }[] }[];
  }>(prometheus, "/api/v1/rules");
  const rules = data.groups.flatMap((g) => g.rules);
  return {
    alerting: rules.filter((r) => r.type === "alerting").length,
    recording: rules.filter((r) => r.type === "recording").length,
    unhealthy: rules.filter((r) => r.health === "err").map((r) => `${r.name}: ${r.lastError ?? ""}`),
  };
}

/** Scrape targets and their health. */
export async function targets(prometheus: Endpoint): Promise<{ job: string; health: string; lastError: string }[]> {
  const data = await getJson<{
    activeTargets: { labels: Record<string, string>; health: string; lastError: string }[];
  }>(prometheus, "/api/v1/targets?state=active");
  return data.activeTargets.map((t) => ({ job: t.labels.job, health: t.health, lastError: t.lastError }));
}

/**
 * Hands an alert to Alertmanager as Prometheus does once its `for` has elapsed (`POST /api/v2/alerts`), for the
 * alerts whose `for` is longer than a CI run: their rule is proven live up to the pending state.
 */
export async function postAlerts(
  alertmanager: Endpoint,
  alerts: {
    labels: Record<string, string>;
    annotations: Record<string, string>;
    startsAt?: string;
    endsAt?: string;
    generatorURL?: string;
  }[],
): Promise<void> {
  const response = await fetch(`${alertmanager.url}/api/v2/alerts`, {
    method: "POST",
    headers: headers(alertmanager, { "Content-Type": "application/json" }),
    body: JSON.stringify(alerts),
  });
  if (!response.ok) throw new Error(`Alertmanager refused the alerts: ${response.status} ${await response.text()}`);
}
