/**
 * Logs footprint: the resident memory of a real Loki (prod `loki.yaml`) and a real Alloy (the log settings prod
 * ships, e2e/logLines.ts) after minutes of steady shipping: real lines of every host-file source appended at a fixed
 * rate, a journal entry a second, and the runbook's named queries every 15 s as a dashboard refreshes them.
 */
import * as fs from "fs";
import * as path from "path";
import { hostLogPath, startAlloy, TEST_MACHINE_ID } from "../e2e/alloy";
import { appendJournal } from "../e2e/journal";
import { hostFileSamples, logsTestProfile } from "../e2e/logLines";
import { lokiQueryRange, startLoki } from "../e2e/loki";
import { sleep } from "../e2e/processes";
import { LOG_QUERY_NAMES, logQueries } from "../logs/queries";
import { renderAll } from "../render";
import { loadStackFile, placeholderSecrets } from "../settings";
import { toolPath } from "../toolchain/cache";
import { fixed, rssMiB, table } from "./stats";

/**
 * The steady rate: about 30 KiB/s of real lines (~2.6 GB a day), some 8× the ~300 MB a day the limits are sized for
 * (settings/logs.ts), as an incident's burst of logs would be; well under Loki's ingestion limit (2 MB/s).
 */
export const LOGS_LINES_PER_SECOND = 150;

export interface LogsFootprint {
  readonly minutes: number;
  readonly linesPerSecond: number;
  readonly bytesPerSecond: number;
  readonly queries: number;
  readonly queryErrors: number;
  /** MiB at the end of the window, and the highest sample (every 10 s). */
  readonly rss: Record<"loki" | "alloy", { readonly end: number; readonly peak: number }>;
  readonly memoryLimits: Record<"loki" | "alloy", string>;
}

/** Runs Loki and Alloy for `minutes` at `linesPerSecond` (spread over the host files) in `workDir`. */
export async function benchLogs(
  workDir: string,
  minutes: number,
  linesPerSecond: number,
  log: (line: string) => void,
): Promise<LogsFootprint> {
  const prod = loadStackFile("prod", path.resolve(__dirname, "..")).settings;
  const lokiYaml = renderAll(prod, placeholderSecrets(prod)).find((f) => f.path === "loki/loki.yaml");
  if (!lokiYaml) throw new Error("the prod stack renders no loki/loki.yaml");
  const loki = await startLoki({
    binary: toolPath("loki"),
    rendered: lokiYaml.content,
    dir: path.join(workDir, "loki"),
  });
  const settings = logsTestProfile(loki.address);
  const config = renderAll(settings, placeholderSecrets(settings)).find((f) => f.path === "alloy/config.alloy");
  if (!config) throw new Error("the logs profile renders no alloy/config.alloy");
  const samples = hostFileSamples(settings);
  const alloy = await startAlloy({
    binary: toolPath("alloy"),
    rendered: config.content,
    dir: path.join(workDir, "alloy"),
    prepare: (dirs) => {
      for (const sample of samples) {
        const target = hostLogPath(dirs, sample.file);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, "");
      }
    },
  });
  log(`logs: Loki ${loki.url} and Alloy ${alloy.url} up; ${linesPerSecond} lines/s for ${minutes} min`);
  const queries = logQueries(settings);
  const peak = { loki: 0, alloy: 0 };
  let bytes = 0;
  let lines = 0;
  let queriesRun = 0;
  let queryErrors = 0;
  const started = Date.now();
  const end = started + minutes * 60_000;
  let nextQueries = started;
  let nextSample = started;
  for (let tick = 0; Date.now() < end; tick++) {
    const second = Date.now();
    const now = new Date();
    for (let i = 0; i < linesPerSecond; i++) {
      const sample = samples[(tick * linesPerSecond + i) % samples.length];
      const line = `${sample.line(`bench${tick}x${i}`, now)}\n`;
      fs.appendFileSync(hostLogPath(alloy.dirs, sample.file), line);
      bytes += Buffer.byteLength(line);
      lines++;
    }
    appendJournal(alloy.dirs.journal, TEST_MACHINE_ID, [
      { message: `bench journal entry ${tick}`, unit: "docker.service", priority: tick % 10 === 0 ? 3 : 6 },
    ]);
    if (Date.now() >= nextQueries) {
      nextQueries += 15_000;
      for (const name of LOG_QUERY_NAMES) {
        queriesRun++;
        await lokiQueryRange(loki.url, queries[name].expr, { sinceMs: 3_600_000 }).catch(() => queryErrors++);
      }
    }
    if (Date.now() >= nextSample) {
      nextSample += 10_000;
      peak.loki = Math.max(peak.loki, rssMiB(loki.process.pid));
      peak.alloy = Math.max(peak.alloy, rssMiB(alloy.process.pid));
      log(
        `logs: ${Math.round((Date.now() - started) / 1000)} s, Loki ${fixed(peak.loki, 1)} MiB peak, Alloy ${fixed(peak.alloy, 1)} MiB peak`,
      );
    }
    await sleep(Math.max(0, 1000 - (Date.now() - second)));
  }
  const rss = {
    loki: { end: rssMiB(loki.process.pid), peak: 0 },
    alloy: { end: rssMiB(alloy.process.pid), peak: 0 },
  };
  rss.loki.peak = Math.max(peak.loki, rss.loki.end);
  rss.alloy.peak = Math.max(peak.alloy, rss.alloy.end);
  const seconds = (Date.now() - started) / 1000;
  await alloy.stop();
  await loki.stop();
  return {
    minutes: seconds / 60,
    linesPerSecond: lines / seconds,
    bytesPerSecond: bytes / seconds,
    queries: queriesRun,
    queryErrors,
    rss,
    memoryLimits: { loki: settings.loki.memory, alloy: settings.alloy.memory },
  };
}

export function logsFootprintTable(f: LogsFootprint): string {
  return table(
    ["resident memory (MiB)", "end of window", "peak (10 s samples)", "container limit"],
    [
      ["Loki", fixed(f.rss.loki.end, 1), fixed(f.rss.loki.peak, 1), f.memoryLimits.loki],
      ["Alloy", fixed(f.rss.alloy.end, 1), fixed(f.rss.alloy.peak, 1), f.memoryLimits.alloy],
    ],
  );
}
