/**
 * Hours of the stand-in API's normal traffic as Prometheus would have scraped them, for `promtool tsdb
 * create-blocks-from openmetrics`: the error-budget alerts compare windows of 5 minutes to 6 hours, and on a
 * Prometheus started a minute ago every window holds only that minute, so a 2 % error rate would be 2 % over "the
 * last 6 hours" and page at once. With the history, a fault is diluted in each window as it is on a server that
 * has run for hours. The live stand-in starts its counters at 0 after the history: Prometheus reads that as a
 * counter reset (a restarted backend), which `rate()` counts correctly.
 */
import * as fs from "fs";
import { promisify } from "util";
import { execFile } from "child_process";
import { BASELINE_REQUESTS_PER_SECOND, NOT_FOUND_SHARE, ROUTES, TOTAL_WEIGHT } from "./standInApi";
import { TOOLS } from "./tools";

export interface RequestHistory {
  /** The scrape labels the live series will carry: `job` and `instance` (the API's target address). */
  readonly job: string;
  readonly instance: string;
  readonly hours: number;
  /** Seconds between samples. */
  readonly stepSeconds: number;
  /** Unix seconds of the last sample: just before the live Prometheus starts. */
  readonly endSeconds: number;
}

/** `name{labels} value timestamp` lines of the request counters, ending with `# EOF`. */
export function requestHistoryOpenMetrics(history: RequestHistory): string {
  const { job, instance, hours, stepSeconds, endSeconds } = history;
  if (!(hours > 0) || !(stepSeconds > 0)) throw new Error("a request history needs hours and a step above zero");
  const startSeconds = endSeconds - Math.round(hours * 3600);
  const lines: string[] = [];
  const series = (name: string, labels: Record<string, string>, perSecond: number) => {
    const text = Object.entries({ job, instance, ...labels })
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(",");
    for (let t = startSeconds; t <= endSeconds; t += stepSeconds)
      lines.push(`${name}{${text}} ${Math.floor(perSecond * (t - startSeconds))} ${t}`);
  };
  // OpenMetrics wants a metric's samples together: every `http_requests_total` series, then the errors.
  for (const route of ROUTES) {
    const perSecond = (BASELINE_REQUESTS_PER_SECOND * route.weight) / TOTAL_WEIGHT;
    const { method, path } = route;
    series("http_requests_total", { method, path, status: "200" }, perSecond * (1 - NOT_FOUND_SHARE));
    series("http_requests_total", { method, path, status: "404" }, perSecond * NOT_FOUND_SHARE);
    series("http_requests_total", { method, path, status: "500" }, 0);
  }
  series("http_requests_errors_total", { status: "500" }, 0);
  return `${lines.join("\n")}\n# EOF\n`;
}

/** Writes the history into an (empty) Prometheus data directory as TSDB blocks, with the real promtool. */
export async function backfillRequestHistory(dataDir: string, history: RequestHistory): Promise<void> {
  fs.mkdirSync(dataDir, { recursive: true });
  const input = `${dataDir}.history.om`;
  fs.writeFileSync(input, requestHistoryOpenMetrics(history));
  try {
    await promisify(execFile)(TOOLS.promtool, ["tsdb", "create-blocks-from", "openmetrics", input, dataDir], {
      timeout: 120_000,
    });
  } finally {
    fs.rmSync(input, { force: true });
  }
}
