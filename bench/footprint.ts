/**
 * Footprint: active series and resident memory after a steady scrape, the product's exporters (collectors kept,
 * relabelling) next to the same servers with the exporters' default settings and no metric relabelling. Both run
 * at once on the project's default intervals, against the same kind of database and the same stand-in API.
 */
import { alertingRules } from "../alerts";
import { ABSENT_IN_E2E, dashboardQueries, metricNames } from "../e2e/dashboardQueries";
import { instantQuery, queryValue } from "../e2e/prometheusApi";
import { sleep } from "../e2e/processes";
import { E2eStack, type Lane } from "../e2e/stack";
import { TIMINGS } from "../e2e/settings";
import { renderAll, type RenderedFile } from "../stack/files";
import { e2eSecrets } from "../e2e/stack";
import { toYaml } from "../render/yaml";
import YAML from "yaml";
import { fixed, rssMiB, table } from "./stats";

export interface FootprintSide {
  readonly label: string;
  readonly headSeries: number;
  readonly seriesByJob: Record<string, number>;
  readonly rss: Record<string, number>;
  /** Metric names read by an alert or a dashboard query that have no series here. */
  readonly missingMetrics: string[];
}

/** Baseline only: the rendered prometheus.yml without any metric relabelling. */
function withoutMetricRelabelling(file: RenderedFile): RenderedFile {
  if (file.path !== "prometheus/prometheus.yml") return file;
  const config = YAML.parse(file.content) as { scrape_configs: Record<string, unknown>[] };
  for (const job of config.scrape_configs) delete job.metric_relabel_configs;
  return { ...file, content: toYaml(config) };
}

async function measure(
  label: string,
  stack: E2eStack,
  lane: Lane,
  readMetrics: readonly string[],
): Promise<FootprintSide> {
  const headSeries = (await queryValue(lane.prometheus, "prometheus_tsdb_head_series")) ?? Number.NaN;
  const byJob = await instantQuery(lane.prometheus, 'count by (job) ({__name__=~".+", job!=""})');
  const missingMetrics: string[] = [];
  for (const name of readMetrics)
    if ((await instantQuery(lane.prometheus, `count(${name})`)).length === 0) missingMetrics.push(name);
  return {
    label,
    headSeries,
    seriesByJob: Object.fromEntries(byJob.map((s) => [s.metric.job, Number(s.value[1])])),
    rss: {
      prometheus: rssMiB(lane.processes.prometheus.pid),
      alertmanager: rssMiB(lane.processes.alertmanager.pid),
      "node exporter": rssMiB(stack.shared.nodeExporter.pid),
      "postgres exporter": lane.database.exporter ? rssMiB(lane.database.exporter.pid) : Number.NaN,
    },
    missingMetrics,
  };
}

/** Every metric name an alert or a dashboard query reads, except those of sources the e2e stack does not run. */
function readMetricNames(files: readonly RenderedFile[], lane: Lane): string[] {
  const names = new Set<string>();
  for (const rule of alertingRules(lane.settings)) for (const name of metricNames(rule.expr)) names.add(name);
  for (const query of dashboardQueries(files)) if (!query.exempt) for (const name of query.metrics) names.add(name);
  // Recorded series are only there once evaluated over enough data; raw metrics are what the exporters must keep.
  // Sources the e2e stack does not run (Traefik, CrowdSec, Loki...) have no series on either side.
  return [...names]
    .filter(
      (name) => !name.includes(":") && name !== "ALERTS" && !ABSENT_IN_E2E.some((absent) => absent.prefix.test(name)),
    )
    .sort();
}

export async function benchFootprint(
  steadyMs: number,
  log: (line: string) => void,
): Promise<{ product: FootprintSide; baseline: FootprintSide }> {
  const timing = TIMINGS.projectDefaults;
  const product = await E2eStack.start();
  const baseline = await E2eStack.start({
    nodeExporterArgs: (s) => [`--web.listen-address=${s.serviceAddresses.nodeExporter}`],
  });
  try {
    const productLane = await product.lane("footprint-product", await product.database(), { timing });
    const baselineLane = await baseline.lane("footprint-baseline", await baseline.database(), {
      timing,
      postgresExporterArgs: (s) => [`--web.listen-address=${s.serviceAddresses.postgresExporter}`],
      baselineTransform: withoutMetricRelabelling,
    });
    log(`footprint: scraping for ${steadyMs / 1000} s`);
    await sleep(steadyMs);
    const files = renderAll(productLane.settings, e2eSecrets());
    const names = readMetricNames(files, productLane);
    return {
      product: await measure("product (collectors kept, relabelling)", product, productLane, names),
      baseline: await measure("exporters' defaults, no relabelling", baseline, baselineLane, names),
    };
  } finally {
    await Promise.allSettled([product.stop(), baseline.stop()]);
  }
}

export function footprintTables({ product, baseline }: { product: FootprintSide; baseline: FootprintSide }): string {
  const jobs = [...new Set([...Object.keys(product.seriesByJob), ...Object.keys(baseline.seriesByJob)])].sort();
  const ratio = (a: number, b: number) => (b > 0 ? `${fixed(a / b, 2)}×` : "n/a");
  const series = table(
    ["series", "product", "defaults", "ratio"],
    [
      [
        "`prometheus_tsdb_head_series` (all)",
        String(product.headSeries),
        String(baseline.headSeries),
        ratio(product.headSeries, baseline.headSeries),
      ],
      ...jobs.map((job) => [
        `job \`${job}\``,
        String(product.seriesByJob[job] ?? 0),
        String(baseline.seriesByJob[job] ?? 0),
        ratio(product.seriesByJob[job] ?? 0, baseline.seriesByJob[job] ?? 0),
      ]),
    ],
  );
  const memory = table(
    ["resident memory (MiB)", "product", "defaults"],
    Object.keys(product.rss).map((name) => [name, fixed(product.rss[name], 1), fixed(baseline.rss[name], 1)]),
  );
  const missing = `Metrics read by an alert or a dashboard with no series: product ${product.missingMetrics.length ? product.missingMetrics.map((m) => `\`${m}\``).join(", ") : "none"}; defaults ${baseline.missingMetrics.length ? baseline.missingMetrics.map((m) => `\`${m}\``).join(", ") : "none"}.`;
  return `${series}\n\n${memory}\n\n${missing}`;
}
