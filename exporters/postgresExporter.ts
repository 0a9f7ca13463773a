/**
 * The PostgreSQL exporter's command line and environment, from the settings. The component (container) and the
 * e2e harness (Debian's binary) both call these, so what runs in the tests is what runs on the VPS.
 *
 * The collector sets of postgres_exporter 0.11 (Debian 12, the e2e run) and 0.17 (the pinned image) differ, so
 * series are trimmed where both agree: at the scrape, by `POSTGRES_METRIC_RELABEL` (the `pg_settings_*` family
 * alone is some 300 series, of which two are read). The one version-specific flag is an option.
 */
import { SERVICE_PORTS, type Settings } from "../settings";

/** The settings' database, user and TLS mode as a libpq URL; the password is URL-encoded. */
export function postgresExporterDsn(settings: Pick<Settings, "targets">, password: string): string {
  const { address, database, sslmode, monitoringUser } = settings.targets.postgres;
  return `postgresql://${encodeURIComponent(monitoringUser)}:${encodeURIComponent(password)}@${address}/${encodeURIComponent(database)}?sslmode=${sslmode}`;
}

/** The exporter's environment: the DSN holds the password, so it goes in the environment, never in a flag. */
export function postgresExporterEnv(settings: Pick<Settings, "targets">, password: string): Record<string, string> {
  return { DATA_SOURCE_NAME: postgresExporterDsn(settings, password) };
}

/**
 * Address the exporter listens on: `serviceAddresses.postgresExporter` when set (the e2e profile's loopback
 * port), else every interface of its own container on the standard port (it is not published on the host).
 */
export function postgresExporterListenAddress(settings: Pick<Settings, "serviceAddresses">): string {
  return settings.serviceAddresses.postgresExporter ?? `:${SERVICE_PORTS.postgresExporter}`;
}

export interface PostgresExporterFlagOptions {
  /**
   * Enable the `stat_statements` collector (postgres_exporter 0.13 and later; off by default there), which the
   * "slow statements" panels read; the database must preload `pg_stat_statements` (the production one does).
   * Defaults to `true` (the pinned image); Debian 12's 0.11 has no such collector and refuses the flag.
   */
  readonly statStatements?: boolean;
}

export function postgresExporterFlags(settings: Pick<Settings, "serviceAddresses">, options: PostgresExporterFlagOptions = {}): string[] {
  return [`--web.listen-address=${postgresExporterListenAddress(settings)}`, "--log.level=warn", ...(options.statStatements ?? true ? ["--collector.stat_statements"] : [])];
}

/** `pg_settings_*` series kept: the ones a rule or panel reads (`DatabaseConnectionsHigh`, the connections panel). */
export const POSTGRES_SETTINGS_KEPT = ["pg_settings_max_connections", "pg_settings_shared_buffers_bytes"] as const;

/**
 * Scrape-time relabelling of the `postgresql` job: drops the server settings nobody graphs (one series per
 * `postgresql.conf` parameter), the template databases' rows (`template0`, `template1`: nobody connects to them)
 * and the exporter's own Go runtime internals, keeping `process_*` for its memory.
 */
export const POSTGRES_METRIC_RELABEL: Record<string, unknown>[] = [
  { source_labels: ["__name__"], regex: `pg_settings_(?:${POSTGRES_SETTINGS_KEPT.map((name) => name.replace("pg_settings_", "")).join("|")})`, target_label: "__keep", replacement: "yes" },
  { source_labels: ["__name__", "__keep"], regex: "pg_settings_.+;", action: "drop" },
  { regex: "__keep", action: "labeldrop" },
  { source_labels: ["datname"], regex: "template[01]", action: "drop" },
  { source_labels: ["__name__"], regex: "go_.+", action: "drop" },
];
