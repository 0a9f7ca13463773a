/**
 * PostgreSQL Performance: connections against `max_connections`, cache hit ratio, size and growth, transactions,
 * slow statements from `pg_stat_statements` (the exporter's `stat_statements` collector) and the error log.
 */
import { StackingConfigBuilder, StackingMode } from "@grafana/grafana-foundation-sdk/common";
import * as units from "@grafana/grafana-foundation-sdk/units";
import { monitoringConfig, SELECTORS } from "../alerts/config";
import { logJobSelector } from "../contract/links";
import type { Settings } from "../settings";
import {
  gaugePanel,
  labelVariable,
  logsPanel,
  lokiQuery,
  prometheusQuery,
  prometheusTableQuery,
  redAbove,
  redBelow,
  row,
  standardDashboard,
  statPanel,
  tablePanel,
  upDownMappings,
  timeseriesPanel,
  timeseriesWithThreshold,
} from "./common";

const PG = `${SELECTORS.postgres}, instance=~"$instance"`;
const DB = `${PG}, datname=~"$database"`;

/** Share of block reads served from shared buffers over the panel's interval. */
const CACHE_HIT_RATIO = `sum(rate(pg_stat_database_blks_hit{${DB}}[$__rate_interval])) / (sum(rate(pg_stat_database_blks_hit{${DB}}[$__rate_interval])) + sum(rate(pg_stat_database_blks_read{${DB}}[$__rate_interval])))`;
/** Every connection whatever its state, as `DatabaseConnectionsHigh` counts them. */
const CONNECTIONS = `sum(pg_stat_activity_count{${PG}})`;
const MAX_CONNECTIONS = `max(pg_settings_max_connections{${PG}})`;

function overviewRow(settings: Settings) {
  const { dbConnectionsRatio } = monitoringConfig(settings).thresholds;
  const { cacheHitRatioMin } = settings.grafana.dashboards;
  return row("Overview")
    .withPanel(
      statPanel("PostgreSQL up", "none", 6, redBelow(1))
        .mappings(upDownMappings())
        .withTarget(prometheusQuery(`min(pg_up{${PG}})`, "database"))
        .withTarget(prometheusQuery(`min(up{${PG}})`, "exporter"))
        .description(
          "database: DOWN when the exporter cannot reach PostgreSQL; exporter: DOWN when Prometheus cannot scrape the exporter. `DatabaseDown` fires on either.",
        ),
    )
    .withPanel(
      gaugePanel("Connections used", units.PercentUnit, redAbove(dbConnectionsRatio), 1)
        .withTarget(prometheusQuery(`${CONNECTIONS} / ${MAX_CONNECTIONS}`, "used"))
        .description("Share of `max_connections`; `DatabaseConnectionsHigh` fires above the red threshold."),
    )
    .withPanel(
      gaugePanel("Cache hit ratio", units.PercentUnit, redBelow(cacheHitRatioMin), 1)
        .withTarget(prometheusQuery(CACHE_HIT_RATIO, "hit ratio"))
        .description("Should stay above the threshold; below it, reads go to disk."),
    )
    .withPanel(
      statPanel("Database size", units.BytesIEC).withTarget(
        prometheusQuery(`sum(pg_database_size_bytes{${DB}})`, "size"),
      ),
    );
}

function connectionsRow(settings: Settings) {
  const { dbConnectionsRatio } = monitoringConfig(settings).thresholds;
  return row("Connections and cache")
    .withPanel(
      timeseriesPanel("Connections by state", units.Short)
        .stacking(stackedNormal())
        .withTarget(prometheusQuery(`sum by (state) (pg_stat_activity_count{${PG}})`, "{{state}}"))
        .withTarget(prometheusQuery(MAX_CONNECTIONS, "max_connections"))
        .withTarget(prometheusQuery(`${MAX_CONNECTIONS} * ${dbConnectionsRatio}`, "alert threshold"))
        .overrideByName("max_connections", [
          { id: "custom.stacking", value: { mode: "none" } },
          { id: "custom.lineStyle", value: { fill: "dash", dash: [10, 10] } },
          { id: "color", value: { mode: "fixed", fixedColor: "red" } },
        ])
        .overrideByName("alert threshold", [
          { id: "custom.stacking", value: { mode: "none" } },
          { id: "custom.lineStyle", value: { fill: "dash", dash: [4, 4] } },
          { id: "color", value: { mode: "fixed", fixedColor: "orange" } },
        ])
        .description(
          "Active, idle and other states, stacked, against `max_connections` and the `DatabaseConnectionsHigh` threshold.",
        ),
    )
    .withPanel(
      timeseriesWithThreshold(
        "Cache hit ratio over time",
        units.PercentUnit,
        redBelow(settings.grafana.dashboards.cacheHitRatioMin),
      )
        .max(1)
        .withTarget(prometheusQuery(CACHE_HIT_RATIO, "hit ratio")),
    )
    .withPanel(
      timeseriesPanel("Transactions/s", units.OpsPerSecond)
        .withTarget(
          prometheusQuery(
            `sum by (datname) (rate(pg_stat_database_xact_commit{${DB}}[$__rate_interval]))`,
            "commits {{datname}}",
          ),
        )
        .withTarget(
          prometheusQuery(
            `sum by (datname) (rate(pg_stat_database_xact_rollback{${DB}}[$__rate_interval]))`,
            "rollbacks {{datname}}",
          ),
        ),
    )
    .withPanel(
      timeseriesPanel("Locks and deadlocks", units.Short)
        .withTarget(prometheusQuery(`sum by (mode) (pg_locks_count{${DB}})`, "{{mode}}"))
        .withTarget(prometheusQuery(`sum(increase(pg_stat_database_deadlocks{${DB}}[$__rate_interval]))`, "deadlocks")),
    );
}

function stackedNormal() {
  return new StackingConfigBuilder().mode(StackingMode.Normal);
}

function sizeRow(settings: Settings) {
  const { dbDeadTupleRatio, dbDeadTuplesMin } = monitoringConfig(settings).thresholds;
  const tables = `${PG}, datname=~"$database"`;
  return row("Size and growth")
    .withPanel(
      timeseriesPanel("Size per database", units.BytesIEC).withTarget(
        prometheusQuery(`pg_database_size_bytes{${DB}}`, "{{datname}}"),
      ),
    )
    .withPanel(
      timeseriesPanel("Growth per day", units.BytesIEC)
        .withTarget(prometheusQuery(`deriv(pg_database_size_bytes{${DB}}[1h]) * 86400`, "{{datname}}"))
        .description("Trend of the last hour, projected to a day."),
    )
    .withPanel(
      tablePanel("Dead rows per table (top 10)", units.PercentUnit, "Dead rows", 24)
        .thresholds(redAbove(dbDeadTupleRatio))
        .withTarget(
          prometheusTableQuery(
            `topk(10, pg_stat_user_tables_n_dead_tup{${tables}} / (pg_stat_user_tables_n_live_tup{${tables}} + pg_stat_user_tables_n_dead_tup{${tables}} > 0))`,
          ),
        )
        .description(
          `Share of dead rows waiting for vacuum; \`DatabaseDeadTuplesHigh\` fires above ${dbDeadTupleRatio * 100} % on a table with at least ${dbDeadTuplesMin} dead rows.`,
        ),
    );
}

function slowQueriesRow(settings: Settings) {
  const { slowQuerySeconds } = settings.grafana.dashboards;
  const perCall = `increase(pg_stat_statements_seconds_total{${DB}}[$__range]) / increase(pg_stat_statements_calls_total{${DB}}[$__range])`;
  return row("Slow queries")
    .withPanel(
      tablePanel(`Slow statements (mean > ${slowQuerySeconds}s per call)`, units.Seconds, "Mean time")
        .thresholds(redAbove(slowQuerySeconds))
        .withTarget(prometheusTableQuery(`topk(20, (${perCall}) > ${slowQuerySeconds})`))
        .description(
          "Mean execution time per call over the dashboard's time range, from `pg_stat_statements`. The text of a statement: " +
            "`SELECT query FROM pg_stat_statements WHERE queryid = <queryid>` as a `pg_monitor` member.",
        ),
    )
    .withPanel(
      timeseriesPanel("Time spent in statements (top 5)", units.PercentUnit)
        .withTarget(
          prometheusQuery(
            `topk(5, sum by (datname, queryid) (rate(pg_stat_statements_seconds_total{${DB}}[$__rate_interval])))`,
            "{{datname}} {{queryid}}",
          ),
        )
        .description("Seconds of execution per second, per statement: 100 % is one backend busy full time."),
    );
}

function logsRow() {
  return row("Logs").withPanel(
    logsPanel("PostgreSQL errors").withTarget(lokiQuery(`${logJobSelector("postgres")} |~ "ERROR|FATAL|PANIC"`)),
  );
}

export function postgresqlDashboard(settings: Settings) {
  return standardDashboard(settings, "postgresql", {
    description:
      "PostgreSQL: connections against max_connections, cache hit ratio, size and growth, slow statements and error logs.",
    tags: ["postgresql", "database"],
    variables: [
      labelVariable("instance", "Server", `pg_up{${SELECTORS.postgres}}`, "instance"),
      labelVariable("database", "Database", `pg_database_size_bytes{${SELECTORS.postgres}}`, "datname"),
    ],
    rows: [overviewRow(settings), connectionsRow(settings), sizeRow(settings), slowQueriesRow(settings), logsRow()],
  });
}
