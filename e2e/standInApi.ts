/**
 * A stand-in for the KoproGo API: serves `/metrics` in the backend metrics contract (`contract/backendMetrics.ts`,
 * histograms, summary and business metrics included) and `/api/v1/health`, fed by synthetic traffic of its own
 * (about 10 requests/s over the real route templates). It can be told to answer 5xx at N/s or to be slow, and the
 * harness kills its process to make the API go down.
 *
 * Run as a process: `node -r ts-node/register/transpile-only e2e/standInApi.ts --listen 127.0.0.1:PORT`;
 * control it with `POST /-/mode` and a JSON body (`{"mode":"errors","errorsPerSecond":20}`, `{"mode":"slow"}`,
 * `{"mode":"failing","errorRatio":0.02}`, `{"mode":"normal"}`).
 */
import * as http from "http";
import * as path from "path";
import {
  BACKEND_METRICS,
  BUSINESS_METRICS,
  REQUEST_LATENCY_BUCKETS,
  type MetricContract,
} from "../contract/backendMetrics";
import { MetricFamily } from "./metricsText";

export type ApiMode =
  | { mode: "normal" }
  | { mode: "errors"; errorsPerSecond: number }
  | { mode: "slow"; latencySeconds: number }
  /** A share of the traffic answered 5xx instead of its normal answer (1: a total outage behind a live proxy). */
  | { mode: "failing"; errorRatio: number };

/** The backend's histogram buckets, as the contract has them: 5 ms to 10 s. */
export const LATENCY_BUCKETS = REQUEST_LATENCY_BUCKETS.backend;

/** Route templates (never raw paths) and the share of the traffic each gets. */
export const ROUTES = [
  { method: "GET", path: "/api/v1/buildings", weight: 3 },
  { method: "GET", path: "/api/v1/expenses", weight: 3 },
  { method: "POST", path: "/api/v1/expenses", weight: 1 },
  { method: "POST", path: "/api/v1/auth/login", weight: 1 },
  { method: "GET", path: "/api/v1/health", weight: 2 },
] as const;
export const TOTAL_WEIGHT = ROUTES.reduce((sum, r) => sum + r.weight, 0);

export const BASELINE_REQUESTS_PER_SECOND = 10;
/** The share of the normal traffic answered 404 (a client error: no server error counts against the SLO). */
export const NOT_FOUND_SHARE = 0.03;
const TICK_MS = 100;

function contract(name: string): MetricContract {
  const found = [...BACKEND_METRICS, ...BUSINESS_METRICS].find((m) => m.name === name);
  if (!found) throw new Error(`${name} is not in the backend metrics contract`);
  return found;
}

export class StandInApi {
  private modeValue: ApiMode = { mode: "normal" };
  private readonly families = {
    requests: new MetricFamily(contract("http_requests_total")),
    duration: new MetricFamily(contract("http_request_duration_seconds"), LATENCY_BUCKETS),
    errors: new MetricFamily(contract("http_requests_errors_total")),
    dbConnections: new MetricFamily(contract("db_connections_active")),
    dbQuery: new MetricFamily(contract("db_query_duration_seconds")),
    usersCreated: new MetricFamily(contract("koprogo_users_created_total")),
    expensesCreated: new MetricFamily(contract("koprogo_expenses_created_total")),
    expensesValidated: new MetricFamily(contract("koprogo_expenses_validated_total")),
    payments: new MetricFamily(contract("koprogo_payments_total")),
    activeUsers: new MetricFamily(contract("koprogo_active_users")),
  };
  /** Fractions of a request carried to the next tick, so that low rates are exact over time. */
  private carry = { requests: 0, errors: 0, failing: 0, business: 0 };
  private timer: NodeJS.Timeout | undefined;

  constructor() {
    const f = this.families;
    // Every series exists from the start at 0, so that rate() sees the first increase (as a real exporter does).
    for (const route of ROUTES) {
      for (const status of ["200", "404", "500"]) f.requests.inc({ method: route.method, path: route.path, status }, 0);
      f.duration.observe({ method: route.method, path: route.path }, 0, 0);
    }
    f.errors.inc({ status: "500" }, 0);
    f.dbQuery.observe({}, 0, 0);
    f.dbConnections.set({}, 2);
    for (const counter of [f.usersCreated, f.expensesCreated, f.expensesValidated]) counter.inc({}, 0);
    for (const onTime of ["true", "false"]) f.payments.inc({ on_time: onTime }, 0);
    f.activeUsers.set({ window: "1d" }, 42);
    f.activeUsers.set({ window: "30d" }, 310);
  }

  get mode(): ApiMode {
    return this.modeValue;
  }

  setMode(mode: ApiMode): void {
    if (mode.mode === "errors" && !(mode.errorsPerSecond > 0))
      throw new Error(`errorsPerSecond must be more than zero (got ${String(mode.errorsPerSecond)})`);
    if (mode.mode === "slow" && !(mode.latencySeconds > 0))
      throw new Error(`latencySeconds must be more than zero (got ${String(mode.latencySeconds)})`);
    if (mode.mode === "failing" && !(mode.errorRatio > 0 && mode.errorRatio <= 1))
      throw new Error(`errorRatio must be more than 0 and at most 1 (got ${String(mode.errorRatio)})`);
    this.modeValue = mode;
  }

  /** Starts the synthetic traffic. */
  start(): void {
    this.timer ??= setInterval(() => this.tick(TICK_MS / 1000), TICK_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Serves `seconds` of traffic at once (ticks, or a test that does not want to wait). */
  tick(seconds: number): void {
    const f = this.families;
    const mode = this.modeValue;
    this.carry.requests += BASELINE_REQUESTS_PER_SECOND * seconds;
    for (; this.carry.requests >= 1; this.carry.requests--) {
      const route = pickRoute();
      // Failing: exactly `errorRatio` of the requests (carried, not drawn), so a small share is exact over time.
      if (mode.mode === "failing") this.carry.failing += mode.errorRatio;
      const failed = mode.mode === "failing" && this.carry.failing >= 1;
      if (failed) this.carry.failing--;
      const status = failed ? "500" : Math.random() < NOT_FOUND_SHARE ? "404" : "200";
      const latency =
        mode.mode === "slow" ? mode.latencySeconds * (0.9 + Math.random() * 0.2) : 0.01 + Math.random() * 0.12;
      f.requests.inc({ method: route.method, path: route.path, status });
      if (failed) f.errors.inc({ status: "500" });
      f.duration.observe({ method: route.method, path: route.path }, latency);
      f.dbQuery.observe({}, latency * 0.4);
    }
    if (mode.mode === "errors") {
      this.carry.errors += mode.errorsPerSecond * seconds;
      for (; this.carry.errors >= 1; this.carry.errors--) {
        const route = pickRoute();
        f.requests.inc({ method: route.method, path: route.path, status: "500" });
        f.errors.inc({ status: "500" });
        f.duration.observe({ method: route.method, path: route.path }, 0.02 + Math.random() * 0.05);
      }
    }
    f.dbConnections.set({}, 1 + Math.floor(Math.random() * 4));
    // Business activity: a few events a minute.
    this.carry.business += seconds / 5;
    for (; this.carry.business >= 1; this.carry.business--) {
      f.expensesCreated.inc({});
      if (Math.random() < 0.7) f.expensesValidated.inc({});
      if (Math.random() < 0.3) f.usersCreated.inc({});
      f.payments.inc({ on_time: Math.random() < 0.85 ? "true" : "false" });
    }
  }

  metricsText(): string {
    return `${Object.values(this.families)
      .map((family) => family.text())
      .join("\n")}\n`;
  }

  /** The HTTP handler: `/metrics`, `/api/v1/health`, and `POST /-/mode` for the harness. */
  readonly handler = (request: http.IncomingMessage, response: http.ServerResponse): void => {
    const url = request.url ?? "/";
    if (request.method === "GET" && url === "/metrics") {
      response.writeHead(200, { "Content-Type": "text/plain; version=0.0.4" }).end(this.metricsText());
    } else if (request.method === "GET" && url === "/api/v1/health") {
      response.writeHead(200, { "Content-Type": "application/json" }).end('{"status":"ok"}');
    } else if (request.method === "POST" && url === "/-/mode") {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString()));
      request.on("end", () => {
        try {
          this.setMode(parseMode(JSON.parse(body)));
          response.writeHead(204).end();
        } catch (error) {
          response.writeHead(400, { "Content-Type": "text/plain" }).end(`${(error as Error).message}\n`);
        }
      });
    } else {
      response.writeHead(404).end();
    }
  };
}

function pickRoute() {
  let n = Math.random() * TOTAL_WEIGHT;
  for (const route of ROUTES) {
    n -= route.weight;
    if (n < 0) return route;
  }
  return ROUTES[0];
}

/** The command line that runs this file as a process listening on `listen` (`host:port`), from the project folder. */
export function standInApiCommand(listen: string): { command: string; args: string[]; cwd: string } {
  const projectDir = path.resolve(__dirname, "..");
  return {
    command: process.execPath,
    args: ["-r", "ts-node/register/transpile-only", path.join(projectDir, "e2e/standInApi.ts"), "--listen", listen],
    cwd: projectDir,
  };
}

/** Validates a mode sent to `/-/mode`. */
export function parseMode(value: unknown): ApiMode {
  const body = (value ?? {}) as Record<string, unknown>;
  switch (body.mode) {
    case "normal":
      return { mode: "normal" };
    case "errors":
      return { mode: "errors", errorsPerSecond: Number(body.errorsPerSecond ?? 20) };
    case "slow":
      return { mode: "slow", latencySeconds: Number(body.latencySeconds ?? 2.5) };
    case "failing":
      return { mode: "failing", errorRatio: Number(body.errorRatio ?? 1) };
    default:
      throw new Error(`mode must be normal, errors, slow or failing (got ${JSON.stringify(body.mode)})`);
  }
}

/** `host:port` → listening server. */
export function listen(api: StandInApi, address: string): Promise<http.Server> {
  const [host, port] = [
    address.slice(0, address.lastIndexOf(":")),
    Number(address.slice(address.lastIndexOf(":") + 1)),
  ];
  const server = http.createServer(api.handler);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}

if (require.main === module) {
  const index = process.argv.indexOf("--listen");
  const address = index > 0 ? process.argv[index + 1] : undefined;
  if (!address || !/^[\d.]+:\d+$/.test(address)) {
    console.error("usage: standInApi --listen 127.0.0.1:PORT");
    process.exit(2);
  }
  const api = new StandInApi();
  api.start();
  listen(api, address).then(
    () => console.log(`stand-in API on ${address}`),
    (error: Error) => {
      console.error(`stand-in API: ${error.message}`);
      process.exit(1);
    },
  );
}
