/**
 * `npm run bench`: time to notify, what the prod profile costs, footprint and query cost on the real servers at the
 * deployed versions, printed and written to `BENCHMARKS.md` with the machine, the date and the versions.
 * Options: `--runs N` (fault runs per alert and profile, default 5), `--only notify,cost,footprint,queries,hosts,images`,
 * `--profiles tuned,prodTuned,projectDefaults,toolDefaults` and `--alerts ApiDown,DatabaseDown,HighErrorRate,SlowApi`
 * (time to notify), `--cost-minutes M` (the prod-profile measurement after its warm-up, default 10), `--slo-minutes M`
 * (how long the SLO lanes watch 2 % and 0.1 % of errors, default 60), `--out FILE`.
 * A partial run (any option but `--out`) writes to `--out`, else to a file in the temporary directory: only a full
 * run replaces BENCHMARKS.md. The SLO lanes (`slo`, an hour) and the blackbox exporter's cost (`probes`) are the
 * exception: their sections of BENCHMARKS.md and their keys of BENCHMARKS.json are theirs alone, replaced in place
 * by any run that measures them without `--out`.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { e2eSkipReason, TOOLS } from "../e2e/tools";
import { startWatchdog, stopAll } from "../e2e/processes";
import { TIMINGS } from "../e2e/settings";
import { benchFootprint, footprintTables } from "./footprint";
import { BENCH_ALERTS, benchLongScenarios, benchNotify, notifyTable, type NotifyRow } from "./notify";
import { benchHosts, hostCostTables } from "./hosts";
import { benchImages } from "./images";
import { benchQueryCost, queryCostTables } from "./queryCost";
import { benchProdCost, prodCostTables, type ProdCost } from "./cost";
import { cachedVersion, compareTools, versionReport } from "../toolchain/report";
import { benchSloPaging, sloPagingFigures, sloPagingSection } from "./slo";
import { benchProbeCost, probeCostSection, probeCostFigures } from "./probes";
import { TOOL_VERSIONS } from "../toolchain/versions";

/** Long enough for every target's series to exist and every rule group to have run: memory and CPU after it are the steady state. */
const COST_WARMUP_MS = 120_000;
import { fixed, median } from "./stats";
import { BENCH_FIGURES_FILE, benchFigures, replaceOwnSection, withOwnSection, type BenchFigures } from "./figures";
import type { FootprintSide } from "./footprint";
import type { HostCostRow } from "./hosts";

const SECTIONS = ["notify", "cost", "footprint", "queries", "hosts", "images", "slo", "probes"] as const;
type Section = (typeof SECTIONS)[number];
type Profile = keyof typeof TIMINGS;
const PROFILES = Object.keys(TIMINGS) as Profile[];

export interface BenchOptions {
  readonly runs: number;
  readonly only: Section[];
  readonly profiles: Profile[];
  readonly alerts: string[];
  readonly costMinutes: number;
  readonly sloMinutes: number;
  readonly out: string;
  /** `--out` given: nothing of the project is written. */
  readonly outGiven: boolean;
  /** Any option but `--out` given: not the run BENCHMARKS.md is made of. */
  readonly partial: boolean;
}

function list<T extends string>(flag: string, value: string, allowed: readonly T[], what: string): T[] {
  const wanted = value.split(",").filter((s) => s !== "");
  const unknown = wanted.filter((s) => !(allowed as readonly string[]).includes(s));
  if (unknown.length > 0 || wanted.length === 0)
    throw new Error(
      `${flag}: unknown ${what} ${unknown.join(", ") || "(none given)"} (${what}s: ${allowed.join(", ")})`,
    );
  return wanted as T[];
}

export function parseBenchArguments(argv: readonly string[]): BenchOptions {
  let runs = 5;
  let only: Section[] = [...SECTIONS];
  let profiles = [...PROFILES];
  let alerts = [...BENCH_ALERTS];
  let costMinutes = 10;
  let sloMinutes = 60;
  let out: string | undefined;
  let partial = false;
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag !== "--out") partial = true;
    if (flag === "--runs") {
      runs = Number(value);
      if (!Number.isInteger(runs) || runs < 1)
        throw new Error(`--runs must be a whole number of at least 1 (got ${value})`);
    } else if (flag === "--only") {
      only = list(flag, value, SECTIONS, "section");
    } else if (flag === "--profiles") {
      profiles = list(flag, value, PROFILES, "profile");
    } else if (flag === "--alerts") {
      alerts = list(flag, value, BENCH_ALERTS, "alert");
    } else if (flag === "--cost-minutes") {
      costMinutes = Number(value);
      if (!Number.isFinite(costMinutes) || costMinutes < 1 || costMinutes > 120)
        throw new Error(`--cost-minutes must be between 1 and 120 (got ${value})`);
    } else if (flag === "--slo-minutes") {
      sloMinutes = Number(value);
      if (!Number.isFinite(sloMinutes) || sloMinutes < 2 || sloMinutes > 240)
        throw new Error(`--slo-minutes must be between 2 and 240 (got ${value})`);
    } else if (flag === "--out") {
      out = path.resolve(value);
    } else {
      throw new Error(
        `unknown option ${flag}; usage: bench [--runs N] [--only ${SECTIONS.join(",")}] [--profiles ${PROFILES.join(",")}] [--alerts ${BENCH_ALERTS.join(",")}] [--cost-minutes M] [--slo-minutes M] [--out FILE]`,
      );
    }
  }
  return {
    runs,
    only,
    profiles,
    alerts,
    costMinutes,
    sloMinutes,
    partial,
    outGiven: out !== undefined,
    out: out ?? (partial ? path.join(os.tmpdir(), "koprogo-bench.md") : path.resolve(__dirname, "../BENCHMARKS.md")),
  };
}

/** The notify groups (profiles of one group run at once) restricted to the chosen profiles. */
export function notifyGroups(profiles: readonly Profile[]): Profile[][] {
  const groups: Profile[][] = [
    ["toolDefaults", "projectDefaults"],
    ["tuned", "prodTuned"],
  ];
  return groups.map((group) => group.filter((p) => profiles.includes(p))).filter((group) => group.length > 0);
}

/** A server's version from its `--version` (some print it on stderr). */
function version(tool: string): string {
  const { stdout, stderr } = spawnSync(tool, ["--version"], { encoding: "utf8" });
  const text = `${stdout ?? ""}\n${stderr ?? ""}`;
  // `prometheus, version 3.5.3+ds1 (...)`; `postgres (PostgreSQL) 15.14 (...)`.
  return (/version\s+(\S+)/.exec(text) ?? /\(PostgreSQL\)\s+(\S+)/.exec(text))?.[1] ?? "unknown";
}

/** What the servers report beside what the stack deploys (`npm run versions`). */
function versions(): string {
  const servers = `Prometheus ${version(TOOLS.prometheus)}, Alertmanager ${version(TOOLS.alertmanager)}, node exporter ${version(TOOLS.nodeExporter)}, postgres exporter ${version(TOOLS.postgresExporter)}, PostgreSQL ${version(TOOLS.postgres)}`;
  return `- Servers run (\`--version\`): ${servers}\n\nTested beside deployed (\`npm run versions\`):\n\n${versionReport(compareTools(TOOL_VERSIONS, cachedVersion))}`;
}

function machine(date: string): string {
  const cpus = os.cpus();
  return [
    `- Date: ${date}`,
    `- Machine: ${cpus.length} × ${cpus[0]?.model ?? "unknown CPU"}, ${fixed(os.totalmem() / 1024 ** 3, 1)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}`,
    versions(),
  ].join("\n");
}

function notifyVerdict(rows: readonly NotifyRow[]): string {
  const aims: Record<string, number> = { ApiDown: 1.1, DatabaseDown: 1.2 };
  return rows
    .filter((r) => (r.profile === "tuned" || r.profile === "prodTuned") && r.alert in aims)
    .map(
      (r) =>
        `- ${r.profile} ${r.alert}: worst ${fixed(Math.max(...r.ratios), 3)}× (median ${fixed(median(r.ratios), 3)}×), aim ≤ ${aims[r.alert]}× on every run: ${Math.max(...r.ratios) <= aims[r.alert] ? "met" : "NOT met"}`,
    )
    .join("\n");
}

async function main(): Promise<void> {
  const options = parseBenchArguments(process.argv.slice(2));
  const skip = e2eSkipReason();
  if (skip) throw new Error(`bench needs the servers at the deployed versions: ${skip}`);
  // The SLO lanes watch for up to `--slo-minutes` beside the rest.
  const cancel = startWatchdog(Math.max(40, options.sloMinutes + 25) * 60_000, "the benchmark");
  const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
  const sections: string[] = [];
  let cost: Promise<ProdCost> | undefined;
  // What the figures file is made of (a full run has each).
  const measured: {
    notify?: NotifyRow[];
    cost?: ProdCost;
    footprint?: FootprintSide;
    hosts?: HostCostRow[];
  } = {};
  /** The sections a run of their own replaces: their BENCHMARKS.json key, figures and BENCHMARKS.md text. */
  const own: { key: "slo" | "probes"; figuresKey: "sloPaging" | "blackboxCost"; figures: object; section: string }[] =
    [];
  const date = new Date().toISOString();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "koprogo-bench-"));
  try {
    // The SLO lanes watch for an hour: they start first and run beside every other section.
    const slo = options.only.includes("slo") ? benchSloPaging(options.sloMinutes, log) : undefined;
    slo?.catch(() => undefined);
    if (options.only.includes("notify")) {
      // Profiles of one group run at once: the slow ones together, then the fast ones together.
      // The long-`for` alerts (10 to 11 minutes) run beside all the rest.
      const long = options.profiles.includes("tuned")
        ? benchLongScenarios(options.runs, log, options.alerts)
        : Promise.resolve([]);
      long.catch(() => undefined);
      // The prod profile's cost is measured beside the notify runs: it reads its own process's CPU time, not the
      // machine's, and the whole benchmark stays one run of about 20 minutes.
      if (cost === undefined && options.only.includes("cost"))
        cost = benchProdCost(COST_WARMUP_MS, options.costMinutes * 60_000, log);
      cost?.catch(() => undefined);
      const rows = [
        ...(await benchNotify(notifyGroups(options.profiles), options.runs, log, options.alerts)),
        ...(await long),
      ];
      const order = Object.keys(TIMINGS);
      rows.sort((a, b) => order.indexOf(a.profile) - order.indexOf(b.profile) || a.alert.localeCompare(b.alert));
      measured.notify = rows;
      sections.push(
        `## Time to notify\n\nFrom the fault (API process killed; PostgreSQL stopped with its exporter running; 5xx at 20/s; every request 2.5 s) to the last request at the receivers that must be told (pager, chat and SMS; chat only for \`SlowApi\`), over ${options.runs} runs per row with the fault at a random phase of the scrape and evaluation ticks; ratio = time / the rule's \`for\` (ApiDown 60 s, DatabaseDown 30 s, HighErrorRate 300 s, SlowApi 600 s; the last two also wait for their 5-minute rate to cross the threshold: about 150 s at 20 errors/s, a few seconds for the latency). Profiles: \`toolDefaults\` = Prometheus's and Alertmanager's own defaults (1m scrape and evaluation, 30s group_wait); \`projectDefaults\` = the settings' defaults; \`prodTuned\` and \`tuned\` (the e2e profile) set \`prometheus.scrapeInterval\` / \`prometheus.evaluationInterval\`. Critical alerts have \`group_wait: 0s\` in the product's routing.\n\n${notifyTable(rows)}\n\n${notifyVerdict(rows)}`,
      );
    }
    if (options.only.includes("cost")) {
      cost ??= benchProdCost(COST_WARMUP_MS, options.costMinutes * 60_000, log);
      const prodCost = await cost;
      measured.cost = prodCost;
      sections.push(
        `## What the prod profile costs\n\nOne lane at the prod stack's intervals (\`Pulumi.prod.yaml\`: ${prodCost.scrapeInterval} scrape, ${prodCost.evaluationInterval} evaluation) with the product's exporters, rules and the stand-in API's traffic, measured for ${fixed(prodCost.windowSeconds / 60, 1)} min after ${prodCost.warmupSeconds} s of warm-up: Prometheus's resident memory (VmRSS) and CPU time (\`/proc/<pid>/stat\`), its ingestion (\`prometheus_tsdb_head_samples_appended_total\`), and the bytes per sample of a real TSDB block (an admin-API snapshot of the head: its chunks and index). Bytes per day = samples per day × chunk bytes per sample + one index per 2-hour block; both are upper bounds: the snapshot's chunks are minutes old (a chunk compresses better as it fills to 120 samples), and compaction merges the 2-hour blocks. The e2e stack stands in for Loki, Alloy and Grafana with a 6-series stub and runs no Traefik or CrowdSec: production holds more series, so the per-1,000-series figure is the one to scale.\n\n${prodCostTables(prodCost)}`,
      );
    }
    if (options.only.includes("footprint")) {
      const footprint = await benchFootprint(60_000, log);
      measured.footprint = footprint.product;
      const ratio = footprint.product.headSeries / footprint.baseline.headSeries;
      sections.push(
        `## Footprint\n\nAfter 60 s of scraping at the project's default 15 s interval: the product's exporters (flags from \`exporters/node.ts\` and \`exporters/postgres.ts\`, scrape relabelling from \`exporters/relabel.ts\` and \`prometheus/scrapeJobs.ts\`) next to the same servers with the exporters' default flags and no metric relabelling. Same stand-in API and the same kind of database on both sides. Aim: at most half the default series (${fixed(ratio, 2)}×: ${ratio <= 0.5 ? "met" : "NOT met"}), no alert or panel losing its data.\n\n${footprintTables(footprint)}`,
      );
    }
    if (options.only.includes("queries")) {
      const cost = await benchQueryCost(workDir, log);
      const day = cost.costs.find((c) => c.range === "dashboards, 24 h");
      sections.push(
        `## Query cost\n\nEvery dashboard query as a range query of about 720 points (24 h: 2 min step; 30 days: 1 h step; \`$__rate_interval\` = step + 15 s, at least 1m), and every alert and recording rule as the instant query Prometheus evaluates; 1 warm-up and 5 timed runs each, on 30 days backfilled with \`promtool tsdb create-blocks-from openmetrics\` from the live e2e stack's series, recorded series included (15 s resolution over the last 24 h, 5 min before). Aim: p95 under 50 ms over 24 h (${day ? (day.p95 < 50 ? "met" : "NOT met") : "no dashboard rendered in this build"}).\n\n${queryCostTables(cost)}`,
      );
    }
    if (options.only.includes("hosts")) {
      log("per-host cost: 1, 3 and 10 further hosts (namespaces, TLS node exporters), prod profile");
      measured.hosts = await benchHosts();
      sections.push(
        `## Per-host cost\n\nFurther hosts (\`hosts\`) made as network namespaces, each with the real node exporter behind its rendered web config (TLS and its logins), scraped by the real Prometheus at the prod profile (3 s / 2 s) with the rendered configuration; 60 s warm-up, then 60 s measured (\`bench/hosts.ts\`, docs/operator/scaling.md).\n\n${hostCostTables(measured.hosts)}`,
      );
    }
    if (options.only.includes("images")) {
      log("images: the lab's images, built from the tool cache on a private engine (lab/images/)");
      sections.push(
        `## Images\n\nEvery service's image as the lab builds it (\`npm run lab-images\`, lab/images/): the tool cache's binary at the deployed version on a base standing in for upstream's (busybox 1.37 for quay.io/prometheus/busybox and distroless/static:debug; a Debian 12 minbase root for the Debian, Ubuntu and Alpine bases). Sizes include the base layers; the upstream images' sizes differ by their bases.\n\n${await benchImages(log)}`,
      );
    }
    if (options.only.includes("probes")) {
      const probeCost = await benchProbeCost(10, workDir, log);
      const figures = probeCostFigures(date, probeCost);
      own.push({ key: "probes", figuresKey: "blackboxCost", figures, section: probeCostSection(figures, probeCost) });
    }
    if (slo) {
      const outcomes = await slo;
      const figures = sloPagingFigures(date, outcomes);
      own.push({ key: "slo", figuresKey: "sloPaging", figures, section: sloPagingSection(figures, outcomes) });
    }
    for (const o of own) sections.push(withOwnSection(o.key, o.section));
  } finally {
    await stopAll();
    cancel();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  const scope = options.partial
    ? `a partial run (\`${process.argv.slice(2).join(" ")}\`), not the full benchmark`
    : "one run";
  const { notify, cost: prodCost, footprint, hosts } = measured;
  const slo = own.find((o) => o.key === "slo")?.figures as BenchFigures["sloPaging"] | undefined;
  const blackbox = own.find((o) => o.key === "probes")?.figures as BenchFigures["blackboxCost"] | undefined;
  // The figures the docs quote (bench/figures.ts) come only from a full run, beside the BENCHMARKS.md it writes.
  if (!options.partial && notify && prodCost && footprint && hosts && slo && blackbox) {
    const figures = benchFigures({ date, cost: prodCost, footprint, notify, hosts, slo, blackbox });
    const file = path.join(path.dirname(options.out), BENCH_FIGURES_FILE);
    fs.writeFileSync(file, `${JSON.stringify(figures, null, 2)}\n`);
    console.log(`figures written to ${file}: \`npm run docs\` brings the README and docs/ to them`);
  } else if (own.length > 0 && !options.outGiven) {
    // A run of these sections alone: their own sections and keys, the rest of the project's report untouched.
    const projectDir = path.resolve(__dirname, "..");
    const figuresFile = path.join(projectDir, BENCH_FIGURES_FILE);
    const reportFile = path.join(projectDir, "BENCHMARKS.md");
    let figures = JSON.parse(fs.readFileSync(figuresFile, "utf8")) as Record<string, unknown>;
    let report = fs.readFileSync(reportFile, "utf8");
    for (const o of own) {
      figures = { ...figures, [o.figuresKey]: o.figures };
      report = replaceOwnSection(report, o.key, withOwnSection(o.key, o.section));
    }
    fs.writeFileSync(figuresFile, `${JSON.stringify(figures, null, 2)}\n`);
    fs.writeFileSync(reportFile, report);
    console.log(
      `${own.map((o) => o.key).join(" and ")} replaced their figures in ${figuresFile} and ${reportFile}: run \`npm run docs\``,
    );
  }
  const report = `# Benchmarks\n\nWritten by \`npm run bench\` (\`bench/\`). Re-run it to refresh; the numbers below are from ${scope}.\n\n${machine(date)}\n\n${sections.join("\n\n")}\n`;
  fs.writeFileSync(options.out, report);
  console.log(`\n${report}`);
  console.log(`written to ${options.out}`);
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(`bench: ${error.stack ?? error.message}`);
    process.exitCode = 1;
  });
}
