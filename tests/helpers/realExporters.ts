/**
 * The real Debian node and PostgreSQL exporters, started on loopback for a test and scraped once: the metric
 * names they really expose. PostgreSQL 15 runs as a throw-away cluster owned by `postgres` (it refuses root),
 * with `pg_stat_statements` preloaded as in production. Everything started here is stopped by `stop()`.
 */
import { execFileSync, spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";

export const NODE_EXPORTER_BIN = "/usr/bin/prometheus-node-exporter";
export const POSTGRES_EXPORTER_BIN = "/usr/bin/prometheus-postgres-exporter";
export const POSTGRES_BIN_DIR = "/usr/lib/postgresql/15/bin";

/** The tools this helper needs that are missing; under CI a test must fail on them, never skip. */
export function missingExporterTools(): string[] {
  return [NODE_EXPORTER_BIN, POSTGRES_EXPORTER_BIN, path.join(POSTGRES_BIN_DIR, "initdb"), path.join(POSTGRES_BIN_DIR, "pg_ctl")].filter((bin) => !fs.existsSync(bin));
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Names of the series in a Prometheus text exposition (`_bucket`, `_sum`, `_count` as they appear). */
export function exposedNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const line of exposition.split("\n")) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/.exec(line);
    if (match) names.add(match[1]);
  }
  return names;
}

async function scrapeWhenUp(port: number, process: ChildProcess, what: string, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let lastError = "";
  while (Date.now() < deadline) {
    if (process.exitCode !== null) throw new Error(`${what} exited with code ${process.exitCode}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      const body = await response.text();
      if (response.ok) return body;
      lastError = `HTTP ${response.status}`;
    } catch (error) {
      lastError = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what} did not answer on 127.0.0.1:${port}: ${lastError}`);
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

export interface RealExporters {
  /** Series names the node exporter exposes. */
  readonly node: Set<string>;
  /** Series names the PostgreSQL exporter exposes against a live PostgreSQL 15. */
  readonly postgres: Set<string>;
  stop(): Promise<void>;
}

/** Starts PostgreSQL and both exporters, scrapes each once. On failure everything already started is stopped. */
export async function startRealExporters(): Promise<RealExporters> {
  const children: ChildProcess[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "koprogo-exporters-"));
  let pgStarted = false;
  const asPostgres = (bin: string, args: string[]) => execFileSync("runuser", ["-u", "postgres", "--", path.join(POSTGRES_BIN_DIR, bin), ...args], { stdio: "pipe" });
  const stop = async () => {
    await Promise.all(children.map(stopProcess));
    if (pgStarted) asPostgres("pg_ctl", ["-D", path.join(dir, "data"), "-m", "immediate", "stop"]);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    fs.chownSync(dir, Number(execFileSync("id", ["-u", "postgres"]).toString().trim()), Number(execFileSync("id", ["-g", "postgres"]).toString().trim()));
    const [pgPort, nodePort, pgExporterPort] = [await freePort(), await freePort(), await freePort()];
    asPostgres("initdb", ["-D", path.join(dir, "data"), "-A", "trust", "-U", "postgres"]);
    const options = `-p ${pgPort} -k ${dir} -c listen_addresses=127.0.0.1 -c shared_preload_libraries=pg_stat_statements`;
    asPostgres("pg_ctl", ["-D", path.join(dir, "data"), "-o", options, "-l", path.join(dir, "postgres.log"), "-w", "start"]);
    pgStarted = true;
    asPostgres("psql", ["-h", dir, "-p", String(pgPort), "-U", "postgres", "-q", "-c", "CREATE EXTENSION pg_stat_statements"]);

    const node = spawn(NODE_EXPORTER_BIN, [`--web.listen-address=127.0.0.1:${nodePort}`], { stdio: "ignore" });
    children.push(node);
    const postgres = spawn(POSTGRES_EXPORTER_BIN, [`--web.listen-address=127.0.0.1:${pgExporterPort}`], {
      stdio: "ignore",
      env: { ...process.env, DATA_SOURCE_NAME: `postgresql://postgres@127.0.0.1:${pgPort}/postgres?sslmode=disable` },
    });
    children.push(postgres);
    const [nodeText, postgresText] = await Promise.all([scrapeWhenUp(nodePort, node, "node exporter"), scrapeWhenUp(pgExporterPort, postgres, "postgres exporter")]);
    const postgresNames = exposedNames(postgresText);
    if (!postgresNames.has("pg_up") || !/^pg_up(\{[^}]*\})? 1$/m.test(postgresText)) throw new Error("the postgres exporter does not reach PostgreSQL (pg_up is not 1)");
    return { node: exposedNames(nodeText), postgres: postgresNames, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
