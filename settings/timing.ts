/**
 * The scrape and evaluation intervals against the durations the rules are built on (contract/ruleTiming.ts). Both
 * mistakes render valid files and then fail in silence: the alerts simply never fire, or fire late.
 *
 * Rules relied on (Prometheus 2.x and 3.x):
 * - `rate()`, `increase()` and the `*_over_time()` functions return nothing for a series with fewer than two
 *   samples in the range window. A window of W at scrape interval I holds about W/I samples; the stack asks for
 *   W ≥ 4·I, so that two samples remain when a scrape or two fail or jitter (the margin Grafana's
 *   `$__rate_interval` takes, 4 × the scrape interval, for the same reason). Below that a rate alert goes blind on
 *   the first missed scrape; at W < 2·I it never has two samples and never fires.
 * - A rule's `for` is checked only at evaluations: an alert fires at the first evaluation at which its condition
 *   has held for `for`. With an evaluation interval E longer than a `for`, that alert waits E, not its `for`
 *   (DatabaseDown's 30 s would become E), so E must not exceed the shortest `for` that is not zero (the
 *   Watchdog's `0s` fires from the first evaluation by design).
 */
import { FOR, WINDOWS } from "../contract/ruleTiming";
import { durationToMs } from "./primitives";
import type { SettingsIssue } from "./scaleChecks";
import type { Settings } from "./schema";

/** Range windows per scrape interval the stack asks for: two samples left after two missed scrapes. */
export const SCRAPES_PER_WINDOW = 4;

/** The rules' range windows, the settings' own included (`security.alerts.silentLogFor` is a rate window). */
function rangeWindows(settings: Pick<Settings, "security">): { name: string; value: string }[] {
  return [
    ...Object.entries(WINDOWS).map(([name, value]) => ({ name: `the ${name} window`, value })),
    { name: "security.alerts.silentLogFor", value: settings.security.alerts.silentLogFor },
  ];
}

export function timingIssues(settings: Pick<Settings, "prometheus" | "security">): SettingsIssue[] {
  const issues: SettingsIssue[] = [];
  const { scrapeInterval, evaluationInterval } = settings.prometheus;
  const shortestWindow = rangeWindows(settings).reduce((a, b) =>
    durationToMs(b.value) < durationToMs(a.value) ? b : a,
  );
  if (durationToMs(scrapeInterval) * SCRAPES_PER_WINDOW > durationToMs(shortestWindow.value))
    issues.push({
      path: ["prometheus", "scrapeInterval"],
      message: `${scrapeInterval} is too long for the rules' range windows: rate() and increase() need two samples in a window, and the stack keeps ${SCRAPES_PER_WINDOW} scrapes per window so that a missed scrape does not blind an alert; the shortest window is ${shortestWindow.name} (${shortestWindow.value}), so the scrape interval must be at most 1/${SCRAPES_PER_WINDOW} of it (${formatMs(durationToMs(shortestWindow.value) / SCRAPES_PER_WINDOW)}). Set prometheus.scrapeInterval to 15s (the default) or at most that`,
    });
  const shortestFor = Object.entries(FOR)
    .filter(([, value]) => durationToMs(value) > 0)
    .reduce((a, b) => (durationToMs(b[1]) < durationToMs(a[1]) ? b : a));
  if (durationToMs(evaluationInterval) > durationToMs(shortestFor[1]))
    issues.push({
      path: ["prometheus", "evaluationInterval"],
      message: `${evaluationInterval} is longer than the shortest \`for\` of the alerts (${shortestFor[0]}: ${shortestFor[1]}): Prometheus checks \`for\` only at evaluations, so that alert would fire ${evaluationInterval} after its condition, not ${shortestFor[1]}. Set prometheus.evaluationInterval to at most ${shortestFor[1]} (the default is 15s)`,
    });
  return issues;
}

/** `75000` → `1m15s`: a duration in Prometheus notation, for messages. */
function formatMs(ms: number): string {
  const units: [string, number][] = [
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1000],
    ["ms", 1],
  ];
  let rest = Math.floor(ms);
  let text = "";
  for (const [unit, size] of units) {
    const amount = Math.floor(rest / size);
    if (amount > 0) text += `${amount}${unit}`;
    rest -= amount * size;
  }
  return text || "0s";
}
