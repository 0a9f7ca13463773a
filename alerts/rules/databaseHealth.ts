/**
 * PostgreSQL's health beyond up and connections (database.ts): the buffer cache hit ratio, dead rows waiting for
 * vacuum, and slow statements (pg_stat_statements). KoproGo's own rules watch the same
 * (`PostgreSQLCacheHitRatioLow`, `PostgreSQLDeadTuplesHigh`, `PostgreSQLSlowQueries`), here read as rates over a
 * window instead of totals since the statistics were last reset.
 */
import { logJobSelector } from "../../contract/links";
import type { Settings } from "../../settings";
import { monitoringConfig, percent, promqlString } from "../config";
import type { RuleFile } from "../types";
import { alertRule } from "./common";

export function databaseHealthRuleFile(settings: Settings): RuleFile {
  const config = monitoringConfig(settings);
  const { postgresSelector: pg, thresholds, windows } = config;
  // The application's database only: the exporter also reports `postgres` (maintenance) and the templates.
  const database = `${pg}, datname=${promqlString(settings.targets.postgres.database)}`;
  const rate = (metric: string, selector: string, window: string) =>
    `sum by (instance, datname) (rate(${metric}{${selector}}[${window}]))`;
  const hits = rate("pg_stat_database_blks_hit", database, windows.cacheHit);
  const reads = rate("pg_stat_database_blks_read", database, windows.cacheHit);
  const calls = rate("pg_stat_statements_calls_total", database, windows.statements);
  const seconds = rate("pg_stat_statements_seconds_total", database, windows.statements);
  return {
    name: "database-health",
    groups: [
      {
        name: "postgresql-health",
        rules: [
          alertRule(config, {
            alert: "DatabaseCacheHitRatioLow",
            // Blocks found in shared_buffers over all blocks asked for, in the window. An idle database (no
            // blocks asked) divides 0 by 0: no value, no alert.
            expr: `${hits} / (${hits} + ${reads}) < ${thresholds.dbCacheHitRatio}`,
            for: "databaseCacheHitRatioLow",
            severity: "warning",
            summary: "PostgreSQL reads many blocks from disk instead of its cache.",
            description: `Database {{ $labels.datname }} on {{ $labels.instance }} found {{ $value | humanizePercentage }} of its blocks in the buffer cache over the last ${windows.cacheHit}, below ${percent(thresholds.dbCacheHitRatio)}%.`,
            dashboard: "postgresql",
            logs: `${logJobSelector("postgres")} |~ "(?i)temporary file|checkpoint"`,
          }),
          alertRule(config, {
            alert: "DatabaseDeadTuplesHigh",
            // A share of dead rows in one table, on tables with enough dead rows to matter: a 40-row table with
            // 10 dead rows is 20 % and nothing to vacuum for.
            expr: `(pg_stat_user_tables_n_dead_tup{${pg}} / (pg_stat_user_tables_n_live_tup{${pg}} + pg_stat_user_tables_n_dead_tup{${pg}}) > ${thresholds.dbDeadTupleRatio}) and pg_stat_user_tables_n_dead_tup{${pg}} >= ${thresholds.dbDeadTuplesMin}`,
            for: "databaseDeadTuplesHigh",
            severity: "warning",
            summary: "A PostgreSQL table holds many dead rows.",
            description: `Table {{ $labels.schemaname }}.{{ $labels.relname }} of {{ $labels.datname }} is {{ $value | humanizePercentage }} dead rows, above ${percent(thresholds.dbDeadTupleRatio)}% (with at least ${thresholds.dbDeadTuplesMin} dead rows): autovacuum is not keeping up.`,
            dashboard: "postgresql",
            logs: `${logJobSelector("postgres")} |~ "(?i)vacuum|wraparound"`,
          }),
          alertRule(config, {
            alert: "DatabaseSlowStatements",
            // Execution time over calls, summed over the statements pg_stat_statements tracks (the exporter's top
            // statements by time): the mean a request waits on the database.
            expr: `${seconds} / (${calls} > 0) > ${thresholds.dbStatementMeanSeconds}`,
            for: "databaseSlowStatements",
            severity: "warning",
            summary: "PostgreSQL statements are slow.",
            description: `Statements on {{ $labels.datname }} at {{ $labels.instance }} took {{ $value | humanizeDuration }} on average over the last ${windows.statements}, above ${thresholds.dbStatementMeanSeconds}s.`,
            dashboard: "postgresql",
            logs: `${logJobSelector("postgres")} |~ "(?i)duration|canceling statement|lock"`,
          }),
        ],
      },
    ],
  };
}
