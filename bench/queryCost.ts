/**
 * Query cost: p50/p95 latency of every dashboard, alert and recording-rule query as a Grafana range query over the
 * last 24 hours and the last 30 days, on 30 days of backfilled data (`promtool tsdb create-blocks-from
 * openmetrics`) with the series shapes of the live e2e stack: every series it holds, recorded series included.
 * The last 24 hours have the 15 s resolution of a default scrape; the 29 days before, 5 minutes (a full-resolution
 * month would be a multi-gigabyte text file to generate and parse; older panels are drawn at 1 h steps anyway).
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";
import { alertingRules, ruleFiles } from "../alerts";
import { dashboardQueries, substituteVariables } from "../e2e/dashboardQueries";
import { instantQuery, type Sample } from "../e2e/prometheusApi";
import { freePort, sleep, startProcess, waitHttpOk } from "../e2e/processes";
import { E2eStack, e2eSecrets } from "../e2e/stack";
import { TIMINGS } from "../e2e/settings";
import { TOOLS } from "../e2e/tools";
import { renderAll } from "../stack/files";
import { toYaml } from "../render/yaml";
import type { Settings } from "../settings";
import { fixed, median, percentile, table } from "./stats";

const run = promisify(execFile);
const DAY_S = 86_400;

export interface QueryCost {
  readonly range: string;
  readonly queries: number;
  readonly p50: number;
  readonly p95: number;
  readonly slowest: { expr: string; ms: number }[];
}

export interface QueryCostResult {
  readonly series: number;
  readonly samples: number;
  readonly backfillSeconds: number;
  readonly costs: QueryCost[];
}

/** The live series of a short e2e run: their names, labels and current values. */
async function liveSeries(
  seconds: number,
  log: (line: string) => void,
): Promise<{ series: Sample[]; settings: Settings }> {
  const stack = await E2eStack.start();
  try {
    const lane = await stack.lane("query-cost-shapes", await stack.database(), { timing: TIMINGS.tuned });
    await lane.api.setMode({ mode: "errors", errorsPerSecond: 2 });
    log(`query cost: collecting series shapes for ${seconds} s`);
    await sleep(seconds * 1000);
    return { series: await instantQuery(lane.prometheus, '{__name__=~".+"}'), settings: lane.settings };
  } finally {
    await stack.stop();
  }
}

const isCounter = (name: string) => !name.includes(":") && /(_total|_count|_sum|_bucket)$/.test(name);

function labelText(metric: Record<string, string>): string {
  const pairs = Object.entries(metric)
    .filter(([k]) => k !== "__name__")
    .map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`);
  return `${metric.__name__}{${pairs.join(",")}}`;
}

/** Writes 30 days of samples per series as OpenMetrics text; returns the number of samples. */
function writeOpenMetrics(file: string, series: readonly Sample[], endS: number): number {
  const fd = fs.openSync(file, "w");
  let buffer = "";
  let samples = 0;
  const flush = () => {
    fs.writeSync(fd, buffer);
    buffer = "";
  };
  const startS = endS - 30 * DAY_S;
  const fineFrom = endS - DAY_S;
  // Series sorted by name: OpenMetrics wants a metric family's samples together.
  const sorted = [...series].sort((a, b) => a.metric.__name__.localeCompare(b.metric.__name__));
  sorted.forEach((sample, index) => {
    const name = sample.metric.__name__;
    const head = labelText(sample.metric);
    const level = Math.abs(Number(sample.value[1])) || 1;
    const perSecond = isCounter(name) ? level / 600 + 0.001 : 0;
    const phase = index % 24;
    for (let t = startS; t <= endS; t += t < fineFrom ? 300 : 15) {
      const value = isCounter(name) ? perSecond * (t - startS) : level * (1 + 0.1 * Math.sin(t / 3600 + phase));
      buffer += `${head} ${Number(value.toPrecision(8))} ${t}\n`;
      samples++;
      if (buffer.length > 4_000_000) flush();
    }
  });
  buffer += "# EOF\n";
  flush();
  fs.closeSync(fd);
  return samples;
}

/** Every Prometheus query of the dashboards, with Grafana's variables for a range of that step. */
function dashboardExprs(settings: Settings, stepS: number): string[] {
  const rateInterval = `${Math.max(stepS + 15, 60)}s`;
  const builtins = {
    __rate_interval: rateInterval,
    __interval: `${stepS}s`,
    __range: rateInterval,
    __auto: rateInterval,
  };
  return [
    ...new Set(
      dashboardQueries(renderAll(settings, e2eSecrets()))
        .filter((q) => !q.exempt)
        .map((q) => substituteVariables(q.raw, builtins)),
    ),
  ];
}

/** Every alert and recording rule expression: what Prometheus evaluates at each tick. */
function ruleExprs(settings: Settings): string[] {
  const alerts = alertingRules(settings).map((rule) => rule.expr);
  const recordings = ruleFiles(settings)
    .flatMap((file) => file.groups.flatMap((group) => group.rules))
    .flatMap((rule) => ("record" in rule ? [rule.expr] : []));
  return [...new Set([...alerts, ...recordings])];
}

/** Wall time of one query; a range query when `stepS` is given, else an instant query at `endS`. */
async function timeQuery(
  prometheusUrl: string,
  expr: string,
  startS: number,
  endS: number,
  stepS?: number,
): Promise<number> {
  const params = stepS
    ? new URLSearchParams({ query: expr, start: String(startS), end: String(endS), step: String(stepS) })
    : new URLSearchParams({ query: expr, time: String(endS) });
  const began = performance.now();
  const response = await fetch(`${prometheusUrl}/api/v1/${stepS ? "query_range" : "query"}?${params}`);
  const body = (await response.json()) as { status: string; error?: string };
  const ms = performance.now() - began;
  if (body.status !== "success") throw new Error(`${expr}: ${body.error}`);
  return ms;
}

export async function benchQueryCost(
  workDir: string,
  log: (line: string) => void,
  repetitions = 5,
): Promise<QueryCostResult> {
  const { series, settings } = await liveSeries(40, log);
  const dir = path.join(workDir, "query-cost");
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, "data"), { recursive: true });
  const endS = Math.floor(Date.now() / 1000) - 60;
  const input = path.join(dir, "backfill.om");
  log(`query cost: writing 30 days of ${series.length} series`);
  const samples = writeOpenMetrics(input, series, endS);
  log(`query cost: ${samples} samples written; running promtool tsdb create-blocks-from openmetrics`);
  const began = Date.now();
  // Blocks as long as the TSDB allows (486h): the input is read once per block range, so few ranges, few passes.
  await run(
    TOOLS.promtool,
    ["tsdb", "create-blocks-from", "openmetrics", "--max-block-duration=744h", input, path.join(dir, "data")],
    { maxBuffer: 64 * 1024 * 1024, timeout: 15 * 60_000 },
  );
  const backfillSeconds = (Date.now() - began) / 1000;
  fs.rmSync(input);

  // A query-only Prometheus: no scrape, no rules, retention long enough to keep the backfilled month.
  fs.writeFileSync(path.join(dir, "prometheus.yml"), toYaml({ global: { scrape_interval: "15s" } }));
  const address = `127.0.0.1:${await freePort()}`;
  const prometheus = startProcess({
    name: "prometheus-query-cost",
    command: TOOLS.prometheus,
    args: [
      `--config.file=${path.join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${path.join(dir, "data")}`,
      "--storage.tsdb.retention.time=60d",
      `--web.listen-address=${address}`,
    ],
    logDir: dir,
  });
  try {
    await waitHttpOk(`http://${address}/-/ready`, prometheus, 120_000);
    const url = `http://${address}`;
    const costs: QueryCost[] = [];
    const measureAll = async (label: string, exprs: readonly string[], startS: number, stepS?: number) => {
      const timings: number[] = [];
      const perQuery: { expr: string; ms: number }[] = [];
      for (const expr of exprs) {
        await timeQuery(url, expr, startS, endS, stepS); // warm-up: the first run pays for loading chunks
        const runs: number[] = [];
        for (let i = 0; i < repetitions; i++) runs.push(await timeQuery(url, expr, startS, endS, stepS));
        timings.push(...runs);
        perQuery.push({ expr, ms: median(runs) });
      }
      perQuery.sort((a, b) => b.ms - a.ms);
      costs.push({
        range: label,
        queries: exprs.length,
        p50: percentile(timings, 50),
        p95: percentile(timings, 95),
        slowest: perQuery.slice(0, 5),
      });
      log(
        `query cost ${label}: ${exprs.length} queries, p50 ${fixed(percentile(timings, 50), 1)} ms, p95 ${fixed(percentile(timings, 95), 1)} ms`,
      );
    };
    for (const [label, spanS] of [
      ["dashboards, 24 h", DAY_S],
      ["dashboards, 30 days", 30 * DAY_S],
    ] as const) {
      // About 720 points per panel, as a dashboard a screen wide draws.
      const stepS = Math.max(15, Math.round(spanS / 720));
      const exprs = dashboardExprs(settings, stepS);
      if (exprs.length > 0) await measureAll(label, exprs, endS - spanS, stepS);
    }
    await measureAll("alert and recording rules, one evaluation", ruleExprs(settings), endS);
    return { series: series.length, samples, backfillSeconds, costs };
  } finally {
    await prometheus.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function queryCostTables(result: QueryCostResult): string {
  const summary = table(
    ["queries", "count", "p50 (ms)", "p95 (ms)", "slowest query (median ms)"],
    result.costs.map((c) => [
      c.range,
      String(c.queries),
      fixed(c.p50, 1),
      fixed(c.p95, 1),
      c.slowest[0] ? `${fixed(c.slowest[0].ms, 1)}: \`${c.slowest[0].expr.replace(/\|/g, "\\|")}\`` : "",
    ]),
  );
  const slowest = result.costs
    .map(
      (c) =>
        `Slowest over ${c.range}:\n${c.slowest.map((s) => `- ${fixed(s.ms, 1)} ms: \`${s.expr.replace(/\|/g, "\\|")}\``).join("\n")}`,
    )
    .join("\n\n");
  return `${summary}\n\nBackfill: ${result.series} series, ${result.samples} samples, \`promtool tsdb create-blocks-from openmetrics\` in ${fixed(result.backfillSeconds, 1)} s.\n\n${slowest}`;
}
