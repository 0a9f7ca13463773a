/**
 * The real node and PostgreSQL exporters at the deployed versions (the tool cache, `npm run fetch-tools`), started
 * on loopback with the stack's own flags and scraped once: the metric names they really expose as deployed. The
 * PostgreSQL exporter watches a throw-away PostgreSQL 15 cluster (`startPostgres`, `pg_stat_statements`
 * preloaded as in production) as a `pg_monitor` role. `stop()` stops everything started.
 */
import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import { nodeExporterFlags } from "../../exporters/node";
import { postgresExporterFlags } from "../../exporters/postgres";
import { toolPath } from "../../toolchain/cache";
import { GiveUp, waitFor } from "../../e2e/harness/waitFor";
import { freePort } from "./freePort";
import { POSTGRES_BIN, startPostgres, type PostgresCluster } from "./postgresCluster";

export const NODE_EXPORTER_BIN = toolPath("nodeExporter");
export const POSTGRES_EXPORTER_BIN = toolPath("postgresExporter");

/** The tools this helper needs that are missing; under CI a test must fail on them, never skip. */
export function missingExporterTools(): string[] {
  return [
    NODE_EXPORTER_BIN,
    POSTGRES_EXPORTER_BIN,
    `${POSTGRES_BIN}/initdb`,
    `${POSTGRES_BIN}/pg_ctl`,
    `${POSTGRES_BIN}/psql`,
  ].filter((bin) => !fs.existsSync(bin));
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

async function scrapeWhenUp(port: number, child: ChildProcess, what: string, timeoutMs = 10_000): Promise<string> {
  return waitFor(
    `${what} to answer on 127.0.0.1:${port}`,
    async () => {
      if (child.exitCode !== null) throw new GiveUp(`${what} exited with code ${child.exitCode}`);
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      const body = await response.text();
      if (response.ok) return body;
      throw new Error(`HTTP ${response.status}`);
    },
    timeoutMs,
  );
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
  let cluster: PostgresCluster | undefined;
  const stop = async () => {
    await Promise.all(children.map(stopProcess));
    cluster?.stop();
  };
  try {
    cluster = await startPostgres();
    const password = "exporter-test-password";
    cluster.psql(
      `CREATE ROLE metrics_reader LOGIN PASSWORD '${password}'; GRANT pg_monitor TO metrics_reader; CREATE EXTENSION IF NOT EXISTS pg_stat_statements;`,
    );
    const [nodePort, postgresPort] = [await freePort(), await freePort()];
    const node = spawn(NODE_EXPORTER_BIN, nodeExporterFlags(`127.0.0.1:${nodePort}`, "/"), { stdio: "ignore" });
    children.push(node);
    const postgres = spawn(POSTGRES_EXPORTER_BIN, postgresExporterFlags(`127.0.0.1:${postgresPort}`), {
      stdio: "ignore",
      env: {
        ...process.env,
        DATA_SOURCE_NAME: `postgresql://metrics_reader:${password}@127.0.0.1:${cluster.port}/koprogo_db?sslmode=disable`,
      },
    });
    children.push(postgres);
    const [nodeText, postgresText] = await Promise.all([
      scrapeWhenUp(nodePort, node, "node exporter"),
      scrapeWhenUp(postgresPort, postgres, "postgres exporter"),
    ]);
    if (!/^pg_up(\{[^}]*\})? 1$/m.test(postgresText))
      throw new Error("the postgres exporter does not reach PostgreSQL (pg_up is not 1)");
    return { node: exposedNames(nodeText), postgres: exposedNames(postgresText), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
