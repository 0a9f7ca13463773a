/**
 * A throw-away PostgreSQL 15 cluster: initdb in a temp directory owned by `postgres` (the server refuses to run
 * as root), listening on 127.0.0.1 only, with the monitoring role the exporter uses (`pg_monitor`, password
 * authentication over TCP as on the VPS) and the application's database.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { startProcess, waitFor, withParentDeathSignalArgs, type ManagedProcess } from "./processes";
import { TOOLS } from "./tools";

const run = promisify(execFile);

export interface PostgresCluster {
  readonly port: number;
  readonly dir: string;
  /** Running now. */
  readonly running: () => boolean;
  /** Starts the server (again); resolves once it accepts connections. */
  start(): Promise<void>;
  /** Fast shutdown (SIGINT): the database is down, its exporter keeps running. */
  stop(): Promise<void>;
  /** Stops the server and deletes the cluster. */
  destroy(): Promise<void>;
  psql(sql: string, database?: string): Promise<string>;
}

export interface PostgresOptions {
  readonly port: number;
  readonly database: string;
  readonly monitoringUser: string;
  readonly monitoringPassword: string;
  readonly logDir: string;
  readonly maxConnections?: number;
}

async function asPostgres(command: string, args: string[]): Promise<string> {
  const { stdout } = await run(TOOLS.runuser, ["-u", "postgres", "--", command, ...args], { timeout: 30_000 });
  return stdout;
}

export async function createPostgresCluster(options: PostgresOptions): Promise<PostgresCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "koprogo-e2e-pg-"));
  const data = path.join(dir, "data");
  const socketDir = path.join(dir, "socket");
  fs.mkdirSync(socketDir);
  await run("chown", ["-R", "postgres:postgres", dir]);
  fs.chmodSync(dir, 0o700);
  await asPostgres(TOOLS.initdb, [
    "-D",
    data,
    "--auth-local=trust",
    "--auth-host=scram-sha-256",
    "-U",
    "postgres",
    "--no-sync",
    "-E",
    "UTF8",
  ]);

  let server: ManagedProcess | undefined;
  const cluster: PostgresCluster = {
    port: options.port,
    dir,
    running: () => server !== undefined,
    async start() {
      if (server) return;
      server = startProcess({
        name: `postgres-${options.port}`,
        command: TOOLS.runuser,
        // The parent-death signal again after runuser's change of user (which clears it): killed with its runuser.
        args: [
          "-u",
          "postgres",
          "--",
          ...withParentDeathSignalArgs(),
          TOOLS.postgres,
          "-D",
          data,
          "-p",
          String(options.port),
          "-k",
          socketDir,
          "-c",
          "listen_addresses=127.0.0.1",
          "-c",
          `max_connections=${options.maxConnections ?? 20}`,
          "-c",
          "shared_preload_libraries=pg_stat_statements",
          "-c",
          "fsync=off",
        ],
        logDir: options.logDir,
      });
      const started = server;
      await waitFor(
        `PostgreSQL on port ${options.port}`,
        async () => {
          if (server !== started) throw new Error("stopped while starting");
          await cluster.psql("SELECT 1");
          return true;
        },
        20_000,
        100,
      );
    },
    async stop() {
      const current = server;
      server = undefined;
      if (!current) return;
      // runuser passes SIGINT on to postgres: a fast shutdown, as `pg_ctl stop -m fast` does.
      try {
        process.kill(-current.pid, "SIGINT");
      } catch {
        // Exited already: nothing to shut down.
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([current.exited, new Promise((resolve) => (timer = setTimeout(resolve, 10_000)))]);
      clearTimeout(timer);
      await current.stop(2000);
    },
    async destroy() {
      await cluster.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
    psql: (sql, database = "postgres") =>
      asPostgres(TOOLS.psql, [
        "-h",
        socketDir,
        "-p",
        String(options.port),
        "-d",
        database,
        "-v",
        "ON_ERROR_STOP=1",
        "-tAc",
        sql,
      ]),
  };

  await cluster.start();
  const password = options.monitoringPassword.replace(/'/g, "''");
  await cluster.psql(`CREATE ROLE ${options.monitoringUser} LOGIN PASSWORD '${password}' IN ROLE pg_monitor`);
  await cluster.psql(`CREATE DATABASE ${options.database}`);
  // As production (`pg_stat_statements` preloaded, the extension made by the monitoring role's SQL): the exporter
  // runs its stat_statements collector as deployed.
  await cluster.psql("CREATE EXTENSION IF NOT EXISTS pg_stat_statements", options.database);
  // A table of the application's kind, so the per-table statistics (`pg_stat_user_tables_*`, the dead-rows panel
  // and `DatabaseDeadTuplesHigh`) have series, as on a database with a schema.
  await cluster.psql(
    "CREATE TABLE buildings (id bigserial PRIMARY KEY, name text NOT NULL); INSERT INTO buildings (name) SELECT 'building ' || n FROM generate_series(1, 100) AS n; ANALYZE buildings",
    options.database,
  );
  return cluster;
}
