/**
 * The figures the documentation quotes from the benchmark, as one data file: `BENCHMARKS.json`, written by
 * `npm run bench` beside `BENCHMARKS.md` from the same measurements and rounded as its tables print them. The
 * README, the docs and the stack files' comments quote these through generated blocks (`npm run docs`,
 * `scripts/docs/benchFigures.ts`), so a new benchmark run is a doc change the drift test asks for, never a
 * figure left behind. `benchmarksLines` says what `BENCHMARKS.md` must print for the same figures: the test
 * holds the data file and the report to one run.
 */
import type { ProdCost } from "./cost";
import { projectedBytes } from "./cost";
import type { FootprintSide } from "./footprint";
import type { HostCostRow, PerHostCost } from "./hosts";
import { perHostCost } from "./hosts";
import type { NotifyRow } from "./notify";
import type { SloPagingFigures } from "./slo";
import type { BlackboxCostFigures } from "./probes";
import { fixed } from "./stats";

/** The data file, relative to the project. */
export const BENCH_FIGURES_FILE = "BENCHMARKS.json";

const GB = 1000 ** 3;
const MIB = 1024 ** 2;

/** One profile's worst time to notify, as a ratio of the rule's `for` (3 decimals, as BENCHMARKS.md prints). */
export interface WorstRatios {
  readonly ApiDown: number;
  readonly DatabaseDown: number;
}

export interface BenchFigures {
  /** When the run measured (ISO 8601), as BENCHMARKS.md's "Date". */
  readonly date: string;
  /** "What the prod profile costs": Prometheus at the prod stack's intervals. */
  readonly prodProfile: {
    readonly scrapeInterval: string;
    readonly evaluationInterval: string;
    readonly headSeries: number;
    /** 0 decimals. */
    readonly samplesPerSecond: number;
    /** Resident (VmRSS), 1 decimal. */
    readonly prometheusRssMiB: number;
    /** TSDB growth per day, 1 decimal. */
    readonly tsdbMiBPerDay: number;
    readonly retention: string;
    /** TSDB for the retention, 2 decimals. */
    readonly tsdbRetentionGB: number;
  };
  /** "Footprint": resident memory (MiB, 1 decimal) of the product's servers at the 15 s default interval. */
  readonly footprintRssMiB: {
    readonly prometheus: number;
    readonly alertmanager: number;
    readonly nodeExporter: number;
    readonly postgresExporter: number;
  };
  /** "Time to notify": worst ratio over the runs. */
  readonly notifyWorst: { readonly prodTuned: WorstRatios; readonly projectDefaults: WorstRatios };
  /** "Per-host cost": what one more host adds (the table's last sentence; 0 decimals for series and samples/s, 2 for GB, 1 else). */
  readonly perHost: PerHostCost;
  /** "SLO paging": the error-budget alerts' time to page (a section of its own, bench/slo.ts). */
  readonly sloPaging: SloPagingFigures;
  /** "The blackbox exporter's cost" (a section of its own, bench/probes.ts). */
  readonly blackboxCost: BlackboxCostFigures;
}

/** A figure rounded as the report prints it, back to a number. */
const rounded = (value: number, digits: number) => Number(fixed(value, digits));

function worst(rows: readonly NotifyRow[], profile: string): WorstRatios {
  const of = (alert: keyof WorstRatios) => {
    const row = rows.find((r) => r.profile === profile && r.alert === alert);
    if (!row) throw new Error(`bench figures: no time-to-notify row for ${profile} ${alert}`);
    return rounded(Math.max(...row.ratios), 3);
  };
  return { ApiDown: of("ApiDown"), DatabaseDown: of("DatabaseDown") };
}

/** The figures of a full run, from the measurements the report's tables print. */
export function benchFigures(run: {
  readonly date: string;
  readonly cost: ProdCost;
  readonly footprint: FootprintSide;
  readonly notify: readonly NotifyRow[];
  readonly hosts: readonly HostCostRow[];
  readonly slo: SloPagingFigures;
  readonly blackbox: BlackboxCostFigures;
}): BenchFigures {
  const { cost, footprint } = run;
  const retentionDays = Number(/^(\d+)d$/.exec(cost.retention)?.[1] ?? 30);
  const rss = (name: string) => {
    const value = footprint.rss[name];
    if (value === undefined) throw new Error(`bench figures: the footprint measured no ${name}`);
    return rounded(value, 1);
  };
  const host = perHostCost(run.hosts);
  return {
    date: run.date,
    prodProfile: {
      scrapeInterval: cost.scrapeInterval,
      evaluationInterval: cost.evaluationInterval,
      headSeries: cost.headSeries,
      samplesPerSecond: rounded(cost.samplesPerSecond, 0),
      prometheusRssMiB: rounded(cost.rssMiB, 1),
      tsdbMiBPerDay: rounded(projectedBytes(cost, 1) / MIB, 1),
      retention: cost.retention,
      tsdbRetentionGB: rounded(projectedBytes(cost, retentionDays) / GB, 2),
    },
    footprintRssMiB: {
      prometheus: rss("prometheus"),
      alertmanager: rss("alertmanager"),
      nodeExporter: rss("node exporter"),
      postgresExporter: rss("postgres exporter"),
    },
    notifyWorst: { prodTuned: worst(run.notify, "prodTuned"), projectDefaults: worst(run.notify, "projectDefaults") },
    perHost: {
      series: rounded(host.series, 0),
      samplesPerSecond: rounded(host.samplesPerSecond, 0),
      tsdb30DaysGB: rounded(host.tsdb30DaysGB, 2),
      prometheusRssMiB: rounded(host.prometheusRssMiB, 1),
      millicores: rounded(host.millicores, 1),
      nodeExporterRssMiB: rounded(host.nodeExporterRssMiB, 1),
    },
    sloPaging: run.slo,
    blackboxCost: run.blackbox,
  };
}

/**
 * A section that a run of its own replaces in place (the SLO lanes take an hour): wrapped in markers, so
 * `replaceOwnSection` finds it in BENCHMARKS.md.
 */
const ownStart = (key: string) =>
  `<!-- bench-${key}: written by \`npm run bench -- --only ${key}\` (or a full run), do not edit -->`;
const ownEnd = (key: string) => `<!-- /bench-${key} -->`;

export function withOwnSection(key: string, text: string): string {
  return `${ownStart(key)}\n${text}\n${ownEnd(key)}`;
}

/** `report` with its section `key` replaced by `section` (from `withOwnSection`), or with it added at the end. */
export function replaceOwnSection(report: string, key: string, section: string): string {
  const start = report.indexOf(ownStart(key));
  const end = report.indexOf(ownEnd(key));
  if (start < 0 || end < start) return `${report.trimEnd()}\n\n${section}\n`;
  return `${report.slice(0, start)}${section}${report.slice(end + ownEnd(key).length)}`;
}

/** Text `BENCHMARKS.md` holds when it was written by the same run as the figures. */
export function benchmarksLines(f: BenchFigures): (string | RegExp)[] {
  const p = f.prodProfile;
  const notify = (profile: keyof BenchFigures["notifyWorst"], alert: keyof WorstRatios) =>
    new RegExp(
      `^\\| ${profile} \\([^)]*\\) \\| ${alert} \\|.*\\| ${fixed(f.notifyWorst[profile][alert], 3)}× \\|$`,
      "m",
    );
  const rss = (name: string, value: number) => `| ${name} | ${fixed(value, 1)} |`;
  const h = f.perHost;
  return [
    `- Date: ${f.date}`,
    `(\`Pulumi.prod.yaml\`: ${p.scrapeInterval} scrape, ${p.evaluationInterval} evaluation)`,
    `| series (head) | ${p.headSeries} |`,
    `| samples appended per second | ${fixed(p.samplesPerSecond, 0)} |`,
    `| Prometheus resident memory | ${fixed(p.prometheusRssMiB, 1)} MiB |`,
    `| TSDB bytes per day | ${fixed(p.tsdbMiBPerDay, 1)} MiB |`,
    `| TSDB for the ${p.retention} retention | ${fixed(p.tsdbRetentionGB, 2)} GB |`,
    rss("prometheus", f.footprintRssMiB.prometheus),
    rss("alertmanager", f.footprintRssMiB.alertmanager),
    rss("node exporter", f.footprintRssMiB.nodeExporter),
    rss("postgres exporter", f.footprintRssMiB.postgresExporter),
    notify("prodTuned", "ApiDown"),
    notify("prodTuned", "DatabaseDown"),
    notify("projectDefaults", "ApiDown"),
    notify("projectDefaults", "DatabaseDown"),
    `One more host costs about ${fixed(h.series, 0)} series, ${fixed(h.samplesPerSecond, 0)} samples/s (${fixed(h.tsdb30DaysGB, 2)} GB`,
    `, ${fixed(h.prometheusRssMiB, 1)} MiB of Prometheus memory and ${fixed(h.millicores, 1)} millicores, plus its own node exporter (${fixed(h.nodeExporterRssMiB, 1)} MiB on that host).`,
    ...sloPagingLines(f.sloPaging),
    `- The exporter held ${fixed(f.blackboxCost.rssMiB, 1)} MiB resident (peak ${fixed(f.blackboxCost.peakMiB, 1)} MiB) against its ${f.blackboxCost.memoryLimit} limit.`,
    `- Each probe target adds ${fixed(f.blackboxCost.seriesPerTarget, 0)} series (Prometheus's 5 scrape series included)`,
  ];
}

/** What the SLO section prints for its figures. */
function sloPagingLines(s: SloPagingFigures): string[] {
  return [
    `- A total outage paged after ${fixed(s.outagePagedSeconds, 1)} s`,
    `- 2 % of errors paged after ${fixed(s.errors2pctPagedMinutes, 1)} min`,
    `- 0.1 % of errors: ${s.errors01pctPages} page in ${fixed(s.errors01pctWatchedMinutes, 0)} min (aim: never), ending at a 1 h burn rate of ${fixed(s.errors01pctBurn1h, 2)}×`,
    `- Prometheus held ${fixed(s.prometheusRssMiB, 1)} MiB resident in the 2 % lane`,
  ];
}

/** What of `benchmarksLines` the report does not hold: empty when the data file and the report are one run. */
export function benchmarksMismatches(f: BenchFigures, report: string): string[] {
  return benchmarksLines(f)
    .filter((line) => (typeof line === "string" ? !report.includes(line) : !line.test(report)))
    .map(String);
}
