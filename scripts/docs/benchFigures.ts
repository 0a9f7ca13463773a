/**
 * The measured figures the README, `docs/` and the stack files quote, as generated blocks made from
 * `BENCHMARKS.json` (`bench/figures.ts`, written by `npm run bench`): one source, so a new benchmark run or a
 * hand-edited figure is drift the documentation test reports. What no test here can measure (Grafana, Loki, Alloy,
 * the images' sizes) is said to be unmeasured, with the reason, never given a number.
 */
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { BENCH_FIGURES_FILE, type BenchFigures } from "../../bench/figures";
import { fixed } from "../../bench/stats";

const MARK = "generated from BENCHMARKS.json by `npm run docs`, do not edit";
export const CEILINGS_START = `<!-- bench-ceilings: ${MARK} -->`;
export const CEILINGS_END = "<!-- /bench-ceilings -->";
export const DISK_START = `<!-- bench-disk: ${MARK} -->`;
export const DISK_END = "<!-- /bench-disk -->";
export const HOSTS_START = `<!-- bench-hosts: ${MARK} -->`;
export const HOSTS_END = "<!-- /bench-hosts -->";
export const SLO_START = `<!-- bench-slo-paging: ${MARK} -->`;
export const SLO_END = "<!-- /bench-slo-paging -->";
export const BLACKBOX_START = `<!-- bench-blackbox: ${MARK} -->`;
export const BLACKBOX_END = "<!-- /bench-blackbox -->";
/** In a stack file: YAML comments, indented as the `config:` keys they sit among. */
export const STACK_START = `# bench-figures: ${MARK}`;
export const STACK_END = "# /bench-figures";

const ratios = z.strictObject({ ApiDown: z.number().positive(), DatabaseDown: z.number().positive() });
const mib = z.number().positive();
const benchFiguresSchema = z.strictObject({
  date: z.iso.datetime(),
  prodProfile: z.strictObject({
    scrapeInterval: z.string().regex(/^\d+[smh]$/),
    evaluationInterval: z.string().regex(/^\d+[smh]$/),
    headSeries: z.number().int().positive(),
    samplesPerSecond: z.number().positive(),
    prometheusRssMiB: mib,
    tsdbMiBPerDay: mib,
    retention: z.string().regex(/^\d+d$/),
    tsdbRetentionGB: z.number().positive(),
  }),
  footprintRssMiB: z.strictObject({ prometheus: mib, alertmanager: mib, nodeExporter: mib, postgresExporter: mib }),
  notifyWorst: z.strictObject({ prodTuned: ratios, projectDefaults: ratios }),
  perHost: z.strictObject({
    series: z.number().positive(),
    samplesPerSecond: z.number().positive(),
    tsdb30DaysGB: z.number().positive(),
    prometheusRssMiB: z.number(),
    millicores: z.number(),
    nodeExporterRssMiB: mib,
  }),
  sloPaging: z.strictObject({
    date: z.iso.datetime(),
    scrapeInterval: z.string().regex(/^\d+[smh]$/),
    evaluationInterval: z.string().regex(/^\d+[smh]$/),
    historyHours: z.number().positive(),
    outagePagedSeconds: z.number().positive(),
    errors2pctPagedMinutes: z.number().positive(),
    errors01pctWatchedMinutes: z.number().positive(),
    errors01pctPages: z.number().int().min(0),
    errors01pctBurn1h: z.number().min(0),
    prometheusRssMiB: mib,
  }),
  blackboxCost: z.strictObject({
    date: z.iso.datetime(),
    minutes: z.number().positive(),
    targets: z.number().int().positive(),
    rssMiB: mib,
    peakMiB: mib,
    memoryLimit: z.string().regex(/^\d+[kmg]$/),
    series: z.number().int().positive(),
    seriesPerTarget: z.number().positive(),
  }),
}) satisfies z.ZodType<BenchFigures>;

/** The figures of the data file, checked: a hand-edited or truncated file fails naming the key. */
export function readBenchFigures(projectDir: string): BenchFigures {
  const file = path.join(projectDir, BENCH_FIGURES_FILE);
  const parsed = benchFiguresSchema.safeParse(JSON.parse(fs.readFileSync(file, "utf8")));
  if (!parsed.success)
    throw new Error(
      `${BENCH_FIGURES_FILE}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")} (re-run \`npm run bench\`)`,
    );
  return parsed.data;
}

/** Pages the blocks link to, relative to the project (the links are made relative to the page that holds them). */
export const LINKED_PAGES = {
  benchmarks: "BENCHMARKS.md",
  development: "docs/developer/development.md",
  logs: "docs/operator/logs.md",
} as const;

/** A relative link from one project file to another. */
const link = (from: string, to: string) => path.posix.relative(path.posix.dirname(from), to);

/** Why Grafana, Loki and Alloy have no measured figure (one sentence, the same wherever it is said). */
export const unmeasuredServices = (from: string) =>
  "Grafana, Loki and Alloy are not measured: no test here can build or run them (the Go module proxy refuses " +
  "Grafana; Grafana's and Loki's modules are AGPL, which the workplace does not use, and Alloy needs Loki's; " +
  `[development](${link(from, LINKED_PAGES.development)}#tests)).`;

/** The "limits are ceilings" paragraph: what the servers really hold resident, measured. */
export function ceilingsBlock(f: BenchFigures, from: string): string {
  const r = f.footprintRssMiB;
  const p = f.prodProfile;
  return [
    CEILINGS_START,
    `Limits are ceilings, not use. Resident, measured ([BENCHMARKS.md](${link(from, LINKED_PAGES.benchmarks)}), ${f.date.slice(0, 10)}):`,
    `Prometheus ${fixed(p.prometheusRssMiB, 1)} MiB at the prod profile (${p.scrapeInterval} scrape, ${p.headSeries} series);`,
    `after 60 s at the 15 s default, Prometheus ${fixed(r.prometheus, 1)} MiB, Alertmanager ${fixed(r.alertmanager, 1)}, the node exporter`,
    `${fixed(r.nodeExporter, 1)}, the PostgreSQL exporter ${fixed(r.postgresExporter, 1)}.`,
    unmeasuredServices(from),
    CEILINGS_END,
  ].join("\n");
}

/** The README's disk figures: Prometheus's measured growth; what is not measured, said so. */
export function diskBlock(f: BenchFigures, retentionSize: string, from: string): string {
  const p = f.prodProfile;
  return [
    DISK_START,
    `**Disk**, measured: Prometheus ${fixed(p.tsdbRetentionGB, 2)} GB for ${p.retention} at the prod profile (${fixed(p.samplesPerSecond, 0)} samples/s,`,
    `${fixed(p.tsdbMiBPerDay, 1)} MiB a day; capped by \`prometheus.retentionSize\`, ${retentionSize}). Not measured: Loki's 7 days`,
    `(an estimate from the log volume, [logs](${link(from, LINKED_PAGES.logs)}#volume-assumed-for-the-limits)) and the images' sizes (no`,
    "container registry is reachable from the project's machines; the images are only ever pulled on the VPS).",
    DISK_END,
  ].join("\n");
}

/** docs/operator/scaling.md: what one more host costs, and ten. */
export function hostsBlock(f: BenchFigures, from: string): string {
  const h = f.perHost;
  return [
    HOSTS_START,
    `One more host costs about ${fixed(h.series, 0)} series, ${fixed(h.samplesPerSecond, 0)} samples/s (${fixed(h.tsdb30DaysGB, 2)} GB of TSDB for 30 days),`,
    `${fixed(h.prometheusRssMiB, 1)} MiB of Prometheus memory and ${fixed(h.millicores, 1)} millicores, plus its own node exporter`,
    `(${fixed(h.nodeExporterRssMiB, 1)} MiB on that host). Ten further hosts: about ${fixed(h.series * 10, 0)} series,`,
    `${fixed(h.samplesPerSecond * 10, 0)} samples/s and ${fixed(h.tsdb30DaysGB * 10, 1)} GB for 30 days at the prod profile; the table per`,
    `count of hosts is in [BENCHMARKS.md](${link(from, LINKED_PAGES.benchmarks)}#per-host-cost) (${f.date.slice(0, 10)}).`,
    HOSTS_END,
  ].join("\n");
}

/** docs/operator/alerts.md: the error-budget alerts' time to page, measured on the real servers. */
export function sloBlock(f: BenchFigures, from: string): string {
  const s = f.sloPaging;
  return [
    SLO_START,
    `Measured on the real Prometheus and Alertmanager at the prod profile (${s.scrapeInterval} scrape, ${s.evaluationInterval} evaluation), each Prometheus`,
    `holding ${s.historyHours} hours of normal traffic first (\`npm run bench -- --only slo\`, [BENCHMARKS.md](${link(from, LINKED_PAGES.benchmarks)}#slo-paging), ${s.date.slice(0, 10)}):`,
    `a total outage reached the pager after **${fixed(s.outagePagedSeconds, 1)} s**; 2 % of errors after **${fixed(s.errors2pctPagedMinutes, 1)} min**; 0.1 % of`,
    `errors (the budget's own pace) paged ${s.errors01pctPages === 0 ? "**never**" : `**${s.errors01pctPages} time(s)**`} in ${fixed(s.errors01pctWatchedMinutes, 0)} minutes (1 h burn rate ${fixed(s.errors01pctBurn1h, 2)}× at the end).`,
    `\`tests/lab/alerts.sloPaging.test.ts\` runs the short version in CI: the outage pages within 2 minutes, 0.1 % does not page.`,
    SLO_END,
  ].join("\n");
}

/** docs/operator/memory-budget.md: the blackbox exporter, measured. */
export function blackboxBlock(f: BenchFigures, from: string): string {
  const b = f.blackboxCost;
  return [
    BLACKBOX_START,
    `The blackbox exporter, measured (\`npm run bench -- --only probes\`, [BENCHMARKS.md](${link(from, LINKED_PAGES.benchmarks)}#the-blackbox-exporters-cost), ${b.date.slice(0, 10)}):`,
    `${fixed(b.rssMiB, 1)} MiB resident (peak ${fixed(b.peakMiB, 1)} MiB) after ${fixed(b.minutes, 0)} minutes of probes every 30 s, against its ${b.memoryLimit} limit;`,
    `${fixed(b.seriesPerTarget, 0)} series per probe target, about ${fixed(b.seriesPerTarget * 3, 0)} for the prod stack's three.`,
    BLACKBOX_END,
  ].join("\n");
}

/** The stack files' comment on the prod profile's intervals, indented for the `config:` map. */
export function stackBlock(f: BenchFigures): string {
  const t = f.notifyWorst.prodTuned;
  const d = f.notifyWorst.projectDefaults;
  const p = f.prodProfile;
  const lines = [
    `Tuned for time to notify (BENCHMARKS.md, ${f.date.slice(0, 10)}, profile prodTuned): ApiDown within ${fixed(t.ApiDown, 3)}x`,
    `of its 1m \`for\`, DatabaseDown within ${fixed(t.DatabaseDown, 3)}x of its 30s, against ${fixed(d.ApiDown, 3)}x / ${fixed(d.DatabaseDown, 3)}x at 15s.`,
    `Measured at ${p.scrapeInterval} / ${p.evaluationInterval}: ${p.headSeries} series, ${fixed(p.samplesPerSecond, 0)} samples/s, ${fixed(p.tsdbRetentionGB, 2)} GB for ${p.retention},`,
    `Prometheus ${fixed(p.prometheusRssMiB, 1)} MiB resident.`,
  ];
  return [STACK_START, ...lines.map((line) => `  # ${line}`), `  ${STACK_END}`].join("\n");
}
