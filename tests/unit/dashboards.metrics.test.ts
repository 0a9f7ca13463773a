/**
 * Every metric a dashboard reads exists: in the backend contract, in the request recording rules, in Prometheus
 * itself, or really exposed by the exporters the stack runs (the node and PostgreSQL exporters at the deployed
 * versions with the stack's flags, started here on loopback against a throw-away PostgreSQL 15; CrowdSec's names
 * read from its installed binary).
 */
import * as fs from "fs";
import { BACKEND_METRICS, BUSINESS_METRICS, TRAEFIK_METRICS, type MetricContract } from "../../contract/backendMetrics";
import { isAlertingRule, ruleFiles } from "../../alerts";
import { BACKUP_TIMESTAMP_METRIC } from "../../alerts/rules/backups";
import { CADVISOR_KEPT_METRICS, MINIO_METRIC_RELABEL } from "../../prometheus/scrapeJobs";
import { buildDashboards } from "../../dashboards";
import { missingToolsAdvice } from "../../toolchain/cache";
import { dashboardQueries } from "../helpers/dashboardQueries";
import { promqlMetricNames } from "../helpers/promql";
import { missingExporterTools, startRealExporters, type RealExporters } from "../helpers/realExporters";
import { stackSettings } from "../helpers/stacks";

const CROWDSEC_BIN = "/usr/bin/crowdsec";

/** Series Prometheus makes itself: scrape health and the alert state. */
const PROMETHEUS_OWN = ["up", "ALERTS"];

function seriesNames(metric: MetricContract): string[] {
  if (metric.type === "histogram") return [`${metric.name}_bucket`, `${metric.name}_sum`, `${metric.name}_count`];
  if (metric.type === "summary") return [metric.name, `${metric.name}_sum`, `${metric.name}_count`];
  return [metric.name];
}

const used = new Map<string, string[]>();
for (const built of buildDashboards(stackSettings("dev").settings)) {
  for (const query of dashboardQueries(built.model).filter((q) => q.language === "promql")) {
    for (const name of promqlMetricNames(query.expr)) used.set(name, [...(used.get(name) ?? []), query.where]);
  }
}
const contract = new Set([...BACKEND_METRICS, ...BUSINESS_METRICS, ...TRAEFIK_METRICS].flatMap(seriesNames));
/** Every series the stack's recording rules write (requests, the SLO ratios and their periods). */
const recorded = new Set<string>(
  ruleFiles(stackSettings("dev").settings).flatMap((file) =>
    file.groups.flatMap((group) => group.rules.flatMap((rule) => (isAlertingRule(rule) ? [] : [rule.record]))),
  ),
);
/**
 * Series of sources no test here runs, each checked against what the stack keeps or writes of them: cAdvisor's
 * through its scrape's allowlist, MinIO's through its keep regex, the backup script's metric by its name. The
 * blackbox exporter's `probe_*` series are proven on the real exporter (tests/exporters.blackbox.real.test.ts).
 */
const minioKept = new RegExp(`^(?:${String(MINIO_METRIC_RELABEL[0].regex)})$`);
const BLACKBOX_SERIES = new Set(["probe_success", "probe_ssl_earliest_cert_expiry"]);
function keptFromUnrunSource(name: string): boolean {
  return (
    (CADVISOR_KEPT_METRICS as readonly string[]).includes(name) ||
    minioKept.test(name) ||
    name === BACKUP_TIMESTAMP_METRIC ||
    BLACKBOX_SERIES.has(name)
  );
}
/** Per-table statistics: the exporter exposes them for every table, and the throw-away database has none. */
const PER_TABLE = /^pg_stat_user_tables_n_(dead|live)_tup$/;

let exporters: RealExporters | undefined;

beforeAll(async () => {
  const missing = missingExporterTools();
  if (missing.length > 0) throw new Error(missingToolsAdvice(missing));
  exporters = await startRealExporters();
}, 60_000);

afterAll(async () => {
  await exporters?.stop();
});

function crowdsecBinary(): string {
  if (!fs.existsSync(CROWDSEC_BIN)) throw new Error(`${CROWDSEC_BIN} is missing (apt-get install crowdsec)`);
  return fs.readFileSync(CROWDSEC_BIN).toString("latin1");
}

describe("metrics the dashboards read", () => {
  it("were found in the dashboards", () => {
    expect(used.size).toBeGreaterThan(30);
  });

  it("each exist in a contract, in Prometheus, or in a real exporter", () => {
    const binary = crowdsecBinary();
    const unknown = [...used.entries()]
      .filter(([name]) => {
        if (contract.has(name) || recorded.has(name) || PROMETHEUS_OWN.includes(name)) return false;
        if (keptFromUnrunSource(name) || PER_TABLE.test(name)) return false;
        if (name.startsWith("node_")) return !exporters!.node.has(name);
        if (name.startsWith("pg_")) return !exporters!.postgres.has(name);
        // CrowdSec registers its metric names as string constants in its binary.
        if (name.startsWith("cs_")) return !binary.includes(name);
        return true;
      })
      .map(([name, where]) => `${name} (${where[0]})`);
    expect(unknown).toEqual([]);
  });

  it("read the request metrics only through the recording rules, never the raw backend series", () => {
    for (const metric of [...BACKEND_METRICS, ...TRAEFIK_METRICS].flatMap(seriesNames))
      expect(used.has(metric)).toBe(false);
    expect([...used.keys()].filter((name) => recorded.has(name)).length).toBeGreaterThanOrEqual(5);
    // The SLO panels read the recorded ratios, never the raw counters behind them.
    expect(used.has("job:slo_errors_per_request:ratio_avg_period")).toBe(true);
  });

  it("cover every business metric of the contract", () => {
    for (const metric of BUSINESS_METRICS) expect(used.has(metric.name)).toBe(true);
  });

  // The slow-query panels read pg_stat_statements (collector enabled by the stack's flags, exporter 0.13 and later).
  it("saw a live database behind the PostgreSQL exporter, pg_stat_statements included", () => {
    for (const name of [
      "pg_stat_statements_calls_total",
      "pg_stat_statements_seconds_total",
      "pg_up",
      "pg_stat_activity_count",
      "pg_settings_max_connections",
      "pg_database_size_bytes",
      "pg_stat_database_blks_hit",
    ])
      expect(exporters!.postgres.has(name)).toBe(true);
  });
});
