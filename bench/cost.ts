/**
 * What the prod profile costs: one lane with the prod stack's scrape and evaluation intervals (read from
 * `Pulumi.prod.yaml`, not typed again), the product's exporters and the stand-in API's traffic, measured after a
 * warm-up: Prometheus's resident memory and CPU, its ingestion rate, and the TSDB bytes per sample of a real
 * block, from which the bytes per day and the 30-day size follow. Compared with the VPS (2 GB RAM, 40 GB disk),
 * Prometheus's container limit and its `retentionSize`.
 *
 * Behaviour relied on (Prometheus 3.5): `POST /api/v1/admin/tsdb/snapshot` (with `--web.enable-admin-api`) writes
 * the head as a block under `<tsdb>/snapshots/<name>/<ulid>/` with `meta.json` (`stats.numSamples`), `index` and
 * `chunks/`; `/proc/<pid>/stat` fields 14 and 15 are user and system CPU time in clock ticks (`getconf CLK_TCK`).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { Endpoint } from "../e2e/logins";
import { queryValue } from "../e2e/prometheusApi";
import { sleep } from "../e2e/processes";
import { E2eStack } from "../e2e/stack";
import type { NotificationTiming } from "../e2e/settings";
import { loadStackFile, memoryToBytes } from "../settings";
import { fixed, rssMiB, table } from "./stats";

const PROJECT_DIR = path.resolve(__dirname, "..");
const MIB = 1024 ** 2;
const GB = 1000 ** 3;
/** The production VPS (brief): 2 vCPU, 2 GB RAM, 40 GB disk. */
export const VPS = { memoryMiB: 2048, diskBytes: 40 * GB } as const;

export interface ProdCost {
  readonly scrapeInterval: string;
  readonly evaluationInterval: string;
  readonly warmupSeconds: number;
  readonly windowSeconds: number;
  readonly headSeries: number;
  readonly samplesPerSecond: number;
  readonly rssMiB: number;
  /** Average CPU over the window, in cores (1 = one core busy all the time). */
  readonly cpuCores: number;
  readonly block: { readonly samples: number; readonly chunkBytes: number; readonly indexBytes: number };
  /** Prometheus's container memory limit and size-based retention in the prod stack. */
  readonly memoryLimitMiB: number;
  readonly retentionSize: string;
  readonly retention: string;
}

/** A size in Prometheus's notation (`8GB`) in bytes: its `units.Base2Bytes`, so KB, MB, GB, TB are powers of 1024. */
export function prometheusSizeBytes(size: string): number {
  const match = /^(\d+)(B|KB|MB|GB|TB)$/.exec(size);
  if (!match) throw new Error(`not a Prometheus size: ${JSON.stringify(size)}`);
  const exponent = ["B", "KB", "MB", "GB", "TB"].indexOf(match[2]);
  return Number(match[1]) * 1024 ** exponent;
}

/** Bytes a day and for the retention period: samples at the measured rate, at the block's chunk bytes per sample, plus one index per 2-hour block (before compaction merges them: an upper bound). */
export function projectedBytes(cost: Pick<ProdCost, "samplesPerSecond" | "block">, days: number): number {
  const chunkBytesPerSample = cost.block.chunkBytes / cost.block.samples;
  return days * (cost.samplesPerSecond * 86_400 * chunkBytesPerSample + 12 * cost.block.indexBytes);
}

function cpuTicks(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

function directoryBytes(dir: string): number {
  return fs.readdirSync(dir, { withFileTypes: true }).reduce((sum, entry) => {
    const full = path.join(dir, entry.name);
    return sum + (entry.isDirectory() ? directoryBytes(full) : fs.statSync(full).size);
  }, 0);
}

async function snapshotBlock(prometheus: Endpoint, tsdbDir: string): Promise<ProdCost["block"]> {
  const response = await fetch(`${prometheus.url}/api/v1/admin/tsdb/snapshot`, {
    method: "POST",
    headers: prometheus.authorization ? { Authorization: prometheus.authorization } : {},
    signal: AbortSignal.timeout(60_000),
  });
  const body = (await response.json()) as { status: string; data?: { name: string }; error?: string };
  if (body.status !== "success" || !body.data)
    throw new Error(`TSDB snapshot failed: ${body.error ?? response.status}`);
  const snapshot = path.join(tsdbDir, "snapshots", body.data.name);
  const blocks = fs.readdirSync(snapshot).filter((name) => fs.existsSync(path.join(snapshot, name, "meta.json")));
  if (blocks.length === 0) throw new Error(`the snapshot ${snapshot} holds no block`);
  let samples = 0;
  let chunkBytes = 0;
  let indexBytes = 0;
  for (const block of blocks) {
    const meta = JSON.parse(fs.readFileSync(path.join(snapshot, block, "meta.json"), "utf8")) as {
      stats: { numSamples: number };
    };
    samples += meta.stats.numSamples;
    chunkBytes += directoryBytes(path.join(snapshot, block, "chunks"));
    indexBytes += fs.statSync(path.join(snapshot, block, "index")).size;
  }
  return { samples, chunkBytes, indexBytes };
}

export async function benchProdCost(
  warmupMs: number,
  windowMs: number,
  log: (line: string) => void,
): Promise<ProdCost> {
  const prod = loadStackFile("prod", PROJECT_DIR).settings.prometheus;
  const timing: NotificationTiming = {
    scrapeInterval: prod.scrapeInterval,
    evaluationInterval: prod.evaluationInterval,
    notifications: {},
  };
  const clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
  const stack = await E2eStack.start();
  try {
    const lane = await stack.lane("prod-cost", await stack.database(), {
      timing,
      prometheusArgs: ["--web.enable-admin-api"],
    });
    const pid = lane.processes.prometheus.pid;
    log(
      `prod cost: ${timing.scrapeInterval} scrape / ${timing.evaluationInterval} evaluation, warming up for ${warmupMs / 1000} s`,
    );
    await sleep(warmupMs);
    const [ticks0, at0, appended0] = [
      cpuTicks(pid),
      Date.now(),
      (await queryValue(lane.prometheus, "sum(prometheus_tsdb_head_samples_appended_total)")) ?? Number.NaN,
    ];
    log(`prod cost: measuring for ${windowMs / 1000} s`);
    await sleep(windowMs);
    const [ticks1, at1, appended1] = [
      cpuTicks(pid),
      Date.now(),
      (await queryValue(lane.prometheus, "sum(prometheus_tsdb_head_samples_appended_total)")) ?? Number.NaN,
    ];
    const seconds = (at1 - at0) / 1000;
    const cost: ProdCost = {
      scrapeInterval: timing.scrapeInterval,
      evaluationInterval: timing.evaluationInterval,
      warmupSeconds: warmupMs / 1000,
      windowSeconds: seconds,
      headSeries: (await queryValue(lane.prometheus, "prometheus_tsdb_head_series")) ?? Number.NaN,
      samplesPerSecond: (appended1 - appended0) / seconds,
      rssMiB: rssMiB(pid),
      cpuCores: (ticks1 - ticks0) / clockTicks / seconds,
      block: await snapshotBlock(lane.prometheus, path.join(lane.dir, "prometheus-data")),
      memoryLimitMiB: memoryToBytes(prod.memory) / MIB,
      retentionSize: prod.retentionSize,
      retention: prod.retention,
    };
    log(
      `prod cost: ${cost.headSeries} series, ${fixed(cost.samplesPerSecond, 0)} samples/s, ${fixed(cost.rssMiB, 1)} MiB, ${fixed(cost.cpuCores * 100, 1)} % of a core`,
    );
    return cost;
  } finally {
    await stack.stop();
  }
}

const percentOf = (part: number, whole: number) => `${fixed((100 * part) / whole, 1)} %`;

export function prodCostTables(cost: ProdCost): string {
  const retentionDays = Number(/^(\d+)d$/.exec(cost.retention)?.[1] ?? 30);
  const perDay = projectedBytes(cost, 1);
  const retained = projectedBytes(cost, retentionDays);
  const chunkBytesPerSample = cost.block.chunkBytes / cost.block.samples;
  const retentionSizeBytes = prometheusSizeBytes(cost.retentionSize);
  const perThousandSeries = (bytes: number) => (bytes / cost.headSeries) * 1000;
  const rows = [
    ["series (head)", String(cost.headSeries), ""],
    ["samples appended per second", fixed(cost.samplesPerSecond, 0), ""],
    [
      "Prometheus resident memory",
      `${fixed(cost.rssMiB, 1)} MiB`,
      `${percentOf(cost.rssMiB, cost.memoryLimitMiB)} of its ${fixed(cost.memoryLimitMiB, 0)} MiB limit; ${percentOf(cost.rssMiB, VPS.memoryMiB)} of the VPS's 2 GB`,
    ],
    [
      "Prometheus CPU",
      `${fixed(cost.cpuCores * 100, 1)} % of one core`,
      `${percentOf(cost.cpuCores, 2)} of the VPS's 2 vCPU`,
    ],
    [
      "TSDB block: chunk bytes per sample",
      fixed(chunkBytesPerSample, 2),
      `${cost.block.samples} samples, ${fixed(cost.block.chunkBytes / MIB, 2)} MiB chunks, ${fixed(cost.block.indexBytes / 1024, 0)} KiB index`,
    ],
    [
      "TSDB bytes per day",
      `${fixed(perDay / MIB, 1)} MiB`,
      `${fixed(perThousandSeries(perDay) / MIB, 1)} MiB per 1,000 series`,
    ],
    [
      `TSDB for the ${cost.retention} retention`,
      `${fixed(retained / GB, 2)} GB`,
      `${percentOf(retained, VPS.diskBytes)} of the 40 GB disk; ${percentOf(retained, retentionSizeBytes)} of \`retentionSize\` ${cost.retentionSize}, which ${retained > retentionSizeBytes ? "would cut the history short" : "is not reached"}`,
    ],
  ];
  return table(["prod profile", "measured", "against"], rows);
}
