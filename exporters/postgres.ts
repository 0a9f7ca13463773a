/**
 * PostgreSQL exporter: its connection (a least-privilege monitoring role, password in a file), its flags, and the
 * SQL that creates that role in the application's database.
 */
import { CONFIG_DIRS } from "../contract/configDirs";
import type { FileRenderer } from "../render/types";
import { SERVICE_PORTS, type Settings } from "../settings";

/** The exporter's config directory inside its container (the host's `postgres-exporter/` is mounted there). */
export const POSTGRES_EXPORTER_CONFIG_DIR = CONFIG_DIRS.postgresExporter.container;
/** Where the exporter reads its password inside the container (the file is written by `ConfigFiles`). */
export const POSTGRES_EXPORTER_PASSWORD_FILE = `${POSTGRES_EXPORTER_CONFIG_DIR}/password`;

/**
 * @param listenAddress `host:port` to listen on
 * @param webConfig the exporter-toolkit web config (basic auth on `/metrics`), or none
 */
export function postgresExporterFlags(
  listenAddress = `:${SERVICE_PORTS.postgresExporter}`,
  webConfig?: string,
): string[] {
  return [
    `--web.listen-address=${listenAddress}`,
    ...(webConfig ? [`--web.config.file=${webConfig}`] : []),
    // Slow queries (> 1 s) on the PostgreSQL dashboard come from pg_stat_statements (collector of exporter 0.13
    // and later; the deployed 0.17.1 is what the tests run).
    "--collector.stat_statements",
  ];
}

/**
 * Environment of the exporter. The password is read from a file: an environment variable would show in
 * `docker inspect` and in the Pulumi state of the container.
 */
export function postgresExporterEnv(
  settings: Pick<Settings, "targets">,
  passwordFile = POSTGRES_EXPORTER_PASSWORD_FILE,
): string[] {
  const { address, database, sslmode, monitoringUser } = settings.targets.postgres;
  return [
    `DATA_SOURCE_URI=${address}/${database}?sslmode=${sslmode}`,
    `DATA_SOURCE_USER=${monitoringUser}`,
    `DATA_SOURCE_PASS_FILE=${passwordFile}`,
  ];
}

/** SQL string literal. */
function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** SQL identifier. */
function identifier(value: string): string {
  return `"${value.replace(/"/g, '""')}"`;
}

/**
 * Idempotent SQL that creates (or updates) the monitoring role: login with the given password, `pg_monitor` only
 * (reads statistics, never data), read-only transactions, at most 2 connections (production runs
 * `max_connections=15`), and the `pg_stat_statements` extension for slow-query panels. Sent through stdin so the
 * password never appears in a command line.
 */
export function monitoringRoleSql(user: string, password: string, database: string): string {
  const role = identifier(user);
  return [
    "\\set ON_ERROR_STOP on",
    `SELECT format('CREATE ROLE %I LOGIN', ${literal(user)}) WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${literal(user)}) \\gexec`,
    `ALTER ROLE ${role} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION CONNECTION LIMIT 2 PASSWORD ${literal(password)};`,
    `ALTER ROLE ${role} SET default_transaction_read_only = on;`,
    `GRANT pg_monitor TO ${role};`,
    `GRANT CONNECT ON DATABASE ${identifier(database)} TO ${role};`,
    "CREATE EXTENSION IF NOT EXISTS pg_stat_statements;",
    "",
  ].join("\n");
}

export const renderPostgresExporterFiles: FileRenderer = (_settings, secrets) => [
  { path: "postgres-exporter/password", content: secrets.postgresExporterPassword ?? "", secret: true },
];
