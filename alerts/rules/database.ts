/** PostgreSQL's alerts: unreachable, and close to its connection limit. Read from the postgres exporter's job. */
import { logJobSelector } from "../../contract/links";
import type { Settings } from "../../settings";
import { monitoringConfig, percent } from "../config";
import type { RuleFile } from "../types";
import { alertRule } from "./common";

export function databaseRuleFile(settings: Settings): RuleFile {
  const config = monitoringConfig(settings);
  const { postgresSelector: selector, thresholds } = config;
  return {
    name: "database",
    groups: [
      {
        name: "postgresql",
        rules: [
          alertRule(config, {
            alert: "DatabaseDown",
            // `up` is the exporter; `pg_up` is the database behind it. Either at 0 means no one can reach the data.
            expr: `up{${selector}} == 0 or pg_up{${selector}} == 0`,
            for: "databaseDown",
            severity: "critical",
            summary: "PostgreSQL is down.",
            description:
              "PostgreSQL {{ $labels.instance }} cannot be reached (value {{ $value }}): the exporter is down or cannot connect to the database.",
            dashboard: "postgresql",
            logs: `${logJobSelector("postgres")} |~ "FATAL|PANIC|ERROR"`,
          }),
          alertRule(config, {
            alert: "DatabaseConnectionsHigh",
            // Every state counts (active, idle, idle in transaction...): each one holds a slot of max_connections.
            expr: `sum by (job, instance) (pg_stat_activity_count{${selector}}) / max by (job, instance) (pg_settings_max_connections{${selector}}) > ${thresholds.dbConnectionsRatio}`,
            for: "databaseConnectionsHigh",
            severity: "warning",
            summary: "PostgreSQL is close to its connection limit.",
            description: `PostgreSQL {{ $labels.instance }} uses {{ $value | humanizePercentage }} of max_connections, above ${percent(thresholds.dbConnectionsRatio)}%; new connections will soon be refused.`,
            dashboard: "postgresql",
            logs: `${logJobSelector("postgres")} |~ "too many clients|remaining connection slots|FATAL"`,
          }),
        ],
      },
    ],
  };
}
