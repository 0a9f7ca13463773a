/**
 * A throw-away PostgreSQL 15 cluster on 127.0.0.1 and a free port, run as the `postgres` user (PostgreSQL refuses
 * to run as root, and CI is root), in a temporary directory it owns. `stop()` removes everything.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { freePort } from "./freePort";

export const POSTGRES_BIN = "/usr/lib/postgresql/15/bin";

export interface PostgresCluster {
  readonly port: number;
  /** The server's log file (`pg_ctl -l`), as PostgreSQL writes it. */
  readonly logFile: string;
  /** Runs SQL through psql; as the superuser unless `user`/`password` are given. Throws on error. */
  psql(sql: string, options?: { user?: string; password?: string; database?: string }): string;
  /** Like `psql`, but returns the status and output instead of throwing. */
  tryPsql(
    sql: string,
    options?: { user?: string; password?: string; database?: string },
  ): { status: number; output: string };
  stop(): void;
}

function asPostgres(command: string, args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}) {
  const isRoot = process.getuid?.() === 0;
  const [bin, argv] = isRoot ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, args];
  const result = spawnSync(bin, argv, {
    encoding: "utf8",
    input: options.input,
    env: { ...process.env, ...options.env },
    timeout: 60_000,
  });
  return { status: result.status ?? 1, output: `${result.stdout ?? ""}${result.stderr ?? ""}` };
}

export async function startPostgres(options: { database?: string; superuser?: string } = {}): Promise<PostgresCluster> {
  const database = options.database ?? "koprogo_db";
  const superuser = options.superuser ?? "koprogo";
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "pg-"));
  fs.chmodSync(root, 0o755);
  if (process.getuid?.() === 0) spawnSync("chown", ["postgres:postgres", root]);
  const data = path.join(root, "data");
  const port = await freePort();
  const init = asPostgres(`${POSTGRES_BIN}/initdb`, [
    "-D",
    data,
    "-U",
    superuser,
    "--auth=trust",
    "-E",
    "UTF8",
    "--no-sync",
  ]);
  if (init.status !== 0) throw new Error(`initdb failed: ${init.output}`);
  // Password authentication on TCP (as the exporter connects), trust on the local socket for the superuser.
  fs.writeFileSync(path.join(data, "pg_hba.conf"), "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n");
  const settings = [
    `listen_addresses = '127.0.0.1'`,
    `port = ${port}`,
    `unix_socket_directories = '${root}'`,
    // As the production container: 15 connections, pg_stat_statements preloaded.
    "max_connections = 15",
    "shared_preload_libraries = 'pg_stat_statements'",
    "fsync = off",
  ];
  fs.appendFileSync(path.join(data, "postgresql.conf"), `\n${settings.join("\n")}\n`);
  const start = asPostgres(`${POSTGRES_BIN}/pg_ctl`, [
    "-D",
    data,
    "-l",
    path.join(root, "log"),
    "-w",
    "-t",
    "30",
    "start",
  ]);
  if (start.status !== 0)
    throw new Error(
      `pg_ctl start failed: ${start.output}${fs.existsSync(path.join(root, "log")) ? fs.readFileSync(path.join(root, "log"), "utf8") : ""}`,
    );

  const tryPsql: PostgresCluster["tryPsql"] = (sql, { user, password, database: db = database } = {}) =>
    user
      ? asPostgres(
          `${POSTGRES_BIN}/psql`,
          [
            "-X",
            "-q",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            "127.0.0.1",
            "-p",
            String(port),
            "-U",
            user,
            "-d",
            db,
          ],
          { input: sql, env: { PGPASSWORD: password ?? "" } },
        )
      : asPostgres(
          `${POSTGRES_BIN}/psql`,
          ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", root, "-p", String(port), "-U", superuser, "-d", db],
          { input: sql },
        );
  const psql: PostgresCluster["psql"] = (sql, opts) => {
    const result = tryPsql(sql, opts);
    if (result.status !== 0) throw new Error(`psql failed: ${result.output}`);
    return result.output.trim();
  };
  psql(`CREATE DATABASE ${database};`, { database: "postgres" });
  return {
    port,
    logFile: path.join(root, "log"),
    psql,
    tryPsql,
    stop() {
      asPostgres(`${POSTGRES_BIN}/pg_ctl`, ["-D", data, "-m", "immediate", "-w", "stop"]);
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
