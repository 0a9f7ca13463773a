/**
 * Scrape-time relabelling of the exporters' jobs (`prometheus/scrapeJobs.ts`): what their flags cannot trim, on
 * the deployed exporters (node exporter 1.9, postgres_exporter 0.17, which the tests and the e2e run too). The
 * benchmark (`npm run bench`) measures the effect.
 */

/** `pg_settings_*` series kept: the ones a rule or panel reads (`DatabaseConnectionsHigh`, the connections panels). */
export const POSTGRES_SETTINGS_KEPT = ["pg_settings_max_connections", "pg_settings_shared_buffers_bytes"] as const;

/**
 * The `postgresql` job: drops the server settings nobody graphs (one series per `postgresql.conf` parameter, some
 * 300), the template databases' rows (`template0`, `template1`: nobody connects to them), the statement columns
 * no panel reads and the exporter's Go runtime internals, keeping `process_*` for its memory.
 */
export const POSTGRES_METRIC_RELABEL: Record<string, unknown>[] = [
  // RE2 has no negative lookahead: mark the kept settings, drop the unmarked ones, then remove the mark.
  {
    source_labels: ["__name__"],
    regex: `pg_settings_(?:${POSTGRES_SETTINGS_KEPT.map((name) => name.replace("pg_settings_", "")).join("|")})`,
    target_label: "__keep",
    replacement: "yes",
  },
  { source_labels: ["__name__", "__keep"], regex: "pg_settings_.+;", action: "drop" },
  { regex: "__keep", action: "labeldrop" },
  { source_labels: ["datname"], regex: "template[01]", action: "drop" },
  // pg_stat_statements: the slow-statement panels read seconds and calls; rows and block I/O times are one more
  // series each per statement (up to the collector's 100), read by nothing.
  {
    source_labels: ["__name__"],
    regex: "pg_stat_statements_(rows|block_read_seconds|block_write_seconds)_total",
    action: "drop",
  },
  { source_labels: ["__name__"], regex: "go_.+", action: "drop" },
];

/** The `node` job: the exporter's Go runtime internals (`process_*` stays for its memory). */
export const NODE_METRIC_RELABEL: Record<string, unknown>[] = [
  { source_labels: ["__name__"], regex: "go_.+", action: "drop" },
];
