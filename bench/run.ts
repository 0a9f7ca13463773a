/**
 * `npm run bench`: time to notify, footprint and query cost on the real servers, printed and written to
 * `BENCHMARKS.md` with the machine and the date. Options: `--runs N` (fault runs per alert and profile, default 5),
 * `--only notify,footprint,queries`, `--out FILE`.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { e2eSkipReason, TOOLS } from "../e2e/tools";
import { startWatchdog, stopAll } from "../e2e/processes";
import { TIMINGS } from "../e2e/settings";
import { benchFootprint, footprintTables } from "./footprint";
import { benchLongScenarios, benchNotify, notifyTable, type NotifyRow } from "./notify";
import { benchQueryCost, queryCostTables } from "./queryCost";
import { fixed, median } from "./stats";

const SECTIONS = ["notify", "footprint", "queries"] as const;
type Section = (typeof SECTIONS)[number];

export function parseBenchArguments(argv: readonly string[]): { runs: number; only: Section[]; out: string } {
  const options = { runs: 5, only: [...SECTIONS] as Section[], out: path.resolve(__dirname, "../BENCHMARKS.md") };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === "--runs") {
      options.runs = Number(value);
      if (!Number.isInteger(options.runs) || options.runs < 1) throw new Error(`--runs must be a whole number of at least 1 (got ${value})`);
    } else if (flag === "--only") {
      const wanted = value.split(",");
      const unknown = wanted.filter((s) => !(SECTIONS as readonly string[]).includes(s));
      if (unknown.length > 0) throw new Error(`--only: unknown section ${unknown.join(", ")} (sections: ${SECTIONS.join(", ")})`);
      options.only = wanted as Section[];
    } else if (flag === "--out") {
      options.out = path.resolve(value);
    } else {
      throw new Error(`unknown option ${flag}; usage: bench [--runs N] [--only ${SECTIONS.join(",")}] [--out FILE]`);
    }
  }
  return options;
}

/** A server's version from its `--version` (some print it on stderr). */
function version(tool: string): string {
  const { stdout, stderr } = spawnSync(tool, ["--version"], { encoding: "utf8" });
  return /version\s+(\S+)/.exec(`${stdout ?? ""}\n${stderr ?? ""}`)?.[1] ?? "unknown";
}

function machine(): string {
  const cpus = os.cpus();
  return [
    `- Date: ${new Date().toISOString()}`,
    `- Machine: ${cpus.length} × ${cpus[0]?.model ?? "unknown CPU"}, ${fixed(os.totalmem() / 1024 ** 3, 1)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}`,
    `- Servers (Debian packages): Prometheus ${version(TOOLS.prometheus)}, Alertmanager ${version(TOOLS.alertmanager)}, node exporter ${version(TOOLS.nodeExporter)}, postgres exporter ${version(TOOLS.postgresExporter)}, PostgreSQL 15`,
  ].join("\n");
}

function notifyVerdict(rows: readonly NotifyRow[]): string {
  const aims: Record<string, number> = { ApiDown: 1.1, DatabaseDown: 1.2 };
  return rows
    .filter((r) => (r.profile === "tuned" || r.profile === "prodTuned") && r.alert in aims)
    .map((r) => `- ${r.profile} ${r.alert}: worst ${fixed(Math.max(...r.ratios), 3)}× (median ${fixed(median(r.ratios), 3)}×), aim ≤ ${aims[r.alert]}× on every run: ${Math.max(...r.ratios) <= aims[r.alert] ? "met" : "NOT met"}`)
    .join("\n");
}

async function main(): Promise<void> {
  const options = parseBenchArguments(process.argv.slice(2));
  const skip = e2eSkipReason();
  if (skip) throw new Error(`bench needs the Debian servers: ${skip}`);
  const cancel = startWatchdog(30 * 60_000, "the benchmark");
  const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
  const sections: string[] = [];
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "koprogo-bench-"));
  try {
    if (options.only.includes("notify")) {
      // Profiles of one group run at once: the slow ones together, then the fast ones together.
      // The long-`for` alerts (10 to 11 minutes) run beside all the rest.
      const long = benchLongScenarios(options.runs, log);
      long.catch(() => undefined);
      const rows = [...(await benchNotify([["toolDefaults", "projectDefaults"], ["tuned", "prodTuned"]], options.runs, log)), ...(await long)];
      const order = Object.keys(TIMINGS);
      rows.sort((a, b) => order.indexOf(a.profile) - order.indexOf(b.profile) || a.alert.localeCompare(b.alert));
      sections.push(
        `## Time to notify\n\nFrom the fault (API process killed; PostgreSQL stopped with its exporter running; 5xx at 20/s; every request 2.5 s) to the last request at the receivers that must be told (pager, chat and SMS; chat only for \`SlowApi\`), over ${options.runs} runs per row with the fault at a random phase of the scrape and evaluation ticks; ratio = time / the rule's \`for\` (ApiDown 60 s, DatabaseDown 30 s, HighErrorRate 300 s, SlowApi 600 s; the last two also wait for their 5-minute rate to cross the threshold: about 150 s at 20 errors/s, a few seconds for the latency). Profiles: \`toolDefaults\` = Prometheus's and Alertmanager's own defaults (1m scrape and evaluation, 30s group_wait); \`projectDefaults\` = the settings' defaults; \`prodTuned\` and \`tuned\` (the e2e profile) set \`prometheus.scrapeInterval\` / \`prometheus.evaluationInterval\`. Critical alerts have \`group_wait: 0s\` in the product's routing.\n\n${notifyTable(rows)}\n\n${notifyVerdict(rows)}`,
      );
    }
    if (options.only.includes("footprint")) {
      const footprint = await benchFootprint(60_000, log);
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
  } finally {
    await stopAll();
    cancel();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  const report = `# Benchmarks\n\nWritten by \`npm run bench\` (\`bench/\`). Re-run it to refresh; the numbers below are from one run.\n\n${machine()}\n\n${sections.join("\n\n")}\n`;
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
