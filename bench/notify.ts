/**
 * Time to notify: from the fault to the last of the pager, chat and SMS requests, against the rule's `for` (its
 * theoretical floor), over several runs with the fault at a random phase of the scrape and evaluation ticks.
 * Each run has a lane of its own and all runs of a timing profile go at once.
 */
import { FOR } from "../alerts/config";
import { durationToMs } from "../settings";
import {
  apiDownScenario,
  databaseDownScenario,
  highErrorRateScenario,
  slowApiScenario,
  type NotifyOutcome,
} from "../e2e/scenarios";
import { E2eStack } from "../e2e/stack";
import { TIMINGS, type NotificationTiming } from "../e2e/settings";
import YAML from "yaml";
import type { RenderedFile } from "../render/types";
import { toYaml } from "../render/yaml";
import { fixed, median, table } from "./stats";

/**
 * The tool-defaults baseline also gives critical alerts Alertmanager's default `group_wait` (30s): the product's
 * routing hard-wires 0s for them, so this one value is changed in the baseline's rendered file (baseline only).
 */
function alertmanagerDefaultGroupWait(file: RenderedFile): RenderedFile {
  if (file.path !== "alertmanager/alertmanager.yml") return file;
  const config = YAML.parse(file.content) as { route: { routes?: { group_wait?: string }[] } };
  for (const route of config.route.routes ?? []) if (route.group_wait === "0s") route.group_wait = "30s";
  return { ...file, content: toYaml(config) };
}

/** group_wait of critical alerts per profile, for the table. */
const CRITICAL_GROUP_WAIT: Record<keyof typeof TIMINGS, string> = {
  tuned: "0s",
  prodTuned: "0s",
  projectDefaults: "0s",
  toolDefaults: "30s",
};

export interface NotifyRow {
  readonly profile: string;
  readonly alert: string;
  readonly forSeconds: number;
  readonly seconds: number[];
  readonly ratios: number[];
  /** Runs whose alert had fired before the fault (a transient), and the wait for a clean slate (`waitForCleanSlate`). */
  readonly notes?: string[];
}

const SCENARIOS = [
  { alert: "ApiDown", forMs: durationToMs(FOR.apiDown), run: apiDownScenario },
  { alert: "DatabaseDown", forMs: durationToMs(FOR.databaseDown), run: databaseDownScenario },
] as const;

/** The long-`for` alerts, run on the e2e profile only (`benchLongScenarios`). */
const LONG_SCENARIOS = [
  { alert: "HighErrorRate", forMs: durationToMs(FOR.highErrorRate), run: highErrorRateScenario },
  { alert: "SlowApi", forMs: durationToMs(FOR.slowApi), run: slowApiScenario },
] as const;

/** Every alert the benchmark times, for `--alerts`. */
export const BENCH_ALERTS = [...SCENARIOS, ...LONG_SCENARIOS].map((s) => s.alert);

/** Last arrival among the roles that must be told. */
function notifiedAt(outcome: NotifyOutcome): number {
  return Math.max(...Object.values(outcome.fired).map((n) => n!.at));
}

/**
 * The alerts whose `for` is longer than a CI run, end to end with their real `for` (no hand-over to
 * Alertmanager), on the e2e profile. Their floor is more than the `for`: a 5-minute rate of 20 errors/s crosses
 * 10/s only after about 150 s. Runs beside the other profiles; returns once all have notified.
 */
export async function benchLongScenarios(
  runs: number,
  log: (line: string) => void,
  alerts: readonly string[] = BENCH_ALERTS,
): Promise<NotifyRow[]> {
  const scenarios = LONG_SCENARIOS.filter((s) => alerts.includes(s.alert));
  if (scenarios.length === 0) return [];
  const timing = TIMINGS.tuned;
  const tick = durationToMs(timing.scrapeInterval) + durationToMs(timing.evaluationInterval);
  const stack = await E2eStack.start();
  try {
    const database = await stack.database();
    const work: Promise<{ alert: string; outcome: NotifyOutcome }>[] = [];
    for (const scenario of scenarios) {
      for (let i = 0; i < runs; i++) {
        const lane = await stack.lane(`long-${scenario.alert}-${i}`, database, { timing });
        work.push(
          scenario
            .run(lane, { delayMs: Math.random() * tick, untilFiring: true, timeoutMs: 5 * 60_000 })
            .then((outcome) => ({ alert: scenario.alert, outcome })),
        );
      }
    }
    const results = await Promise.all(work);
    return scenarios.map((scenario) => {
      const seconds = results
        .filter((r) => r.alert === scenario.alert)
        .map((r) => (notifiedAt(r.outcome) - r.outcome.faultAt) / 1000);
      log(`notify tuned ${scenario.alert}: ${seconds.map((s) => fixed(s, 1)).join(", ")} s`);
      return {
        profile: "tuned",
        alert: scenario.alert,
        forSeconds: scenario.forMs / 1000,
        seconds,
        ratios: seconds.map((s) => s / (scenario.forMs / 1000)),
      };
    });
  } finally {
    await stack.stop();
  }
}

/** Runs every profile of a group at the same time (each on a stack of its own), the groups one after the other. */
export async function benchNotify(
  groups: readonly (readonly (keyof typeof TIMINGS)[])[],
  runs: number,
  log: (line: string) => void,
  alerts: readonly string[] = BENCH_ALERTS,
): Promise<NotifyRow[]> {
  const scenarios = SCENARIOS.filter((s) => alerts.includes(s.alert));
  const rows: NotifyRow[] = [];
  if (scenarios.length === 0) return rows;
  for (const group of groups) {
    for (const profileRows of await Promise.all(group.map((profile) => benchProfile(profile, runs, log, scenarios))))
      rows.push(...profileRows);
  }
  return rows;
}

async function benchProfile(
  profile: keyof typeof TIMINGS,
  runs: number,
  log: (line: string) => void,
  scenarios: readonly (typeof SCENARIOS)[number][],
): Promise<NotifyRow[]> {
  const rows: NotifyRow[] = [];
  const timing: NotificationTiming = TIMINGS[profile];
  const tick = durationToMs(timing.scrapeInterval) + durationToMs(timing.evaluationInterval);
  const stack = await E2eStack.start();
  try {
    const steadyDb = await stack.database();
    const work: Promise<{ alert: string; outcome: NotifyOutcome }>[] = [];
    for (const scenario of scenarios) {
      for (let i = 0; i < runs; i++) {
        const database = scenario.alert === "DatabaseDown" ? await stack.database() : steadyDb;
        const lane = await stack.lane(`${profile}-${scenario.alert}-${i}`, database, {
          timing,
          baselineTransform: profile === "toolDefaults" ? alertmanagerDefaultGroupWait : undefined,
        });
        // A random phase: the fault lands anywhere within one scrape plus one evaluation tick.
        const delayMs = Math.random() * tick;
        work.push(
          scenario
            .run(lane, { delayMs, timeoutMs: scenario.forMs + 6 * tick + 120_000 })
            .then((outcome) => ({ alert: scenario.alert, outcome })),
        );
      }
    }
    const results = await Promise.all(work);
    for (const scenario of scenarios) {
      const mine = results.filter((r) => r.alert === scenario.alert);
      const seconds = mine.map((r) => (notifiedAt(r.outcome) - r.outcome.faultAt) / 1000);
      const notes = mine.flatMap((r, i) => (r.outcome.beforeFault ? [`run ${i + 1}: ${r.outcome.beforeFault}`] : []));
      rows.push({
        profile,
        alert: scenario.alert,
        forSeconds: scenario.forMs / 1000,
        seconds,
        ratios: seconds.map((s) => s / (scenario.forMs / 1000)),
        notes,
      });
      log(
        `notify ${profile} ${scenario.alert}: ${seconds.map((s) => fixed(s, 1)).join(", ")} s${notes.length > 0 ? `\n  ${notes.join("\n  ")}` : ""}`,
      );
    }
  } finally {
    await stack.stop();
  }
  return rows;
}

export function notifyTable(rows: readonly NotifyRow[]): string {
  const notes = rows.flatMap((row) => (row.notes ?? []).map((note) => `- ${row.profile} ${row.alert}, ${note}`));
  return `${notifyRowsTable(rows)}${notes.length > 0 ? `\n\nAlerts that fired before their fault (the run waited for them to resolve first):\n${notes.join("\n")}` : ""}`;
}

function notifyRowsTable(rows: readonly NotifyRow[]): string {
  return table(
    [
      "profile (scrape / evaluation / critical group_wait)",
      "alert",
      "`for`",
      "runs",
      "time to notify, s (each run)",
      "median ratio",
      "worst ratio",
    ],
    rows.map((row) => {
      const t = TIMINGS[row.profile as keyof typeof TIMINGS];
      return [
        `${row.profile} (${t.scrapeInterval} / ${t.evaluationInterval} / ${CRITICAL_GROUP_WAIT[row.profile as keyof typeof TIMINGS]})`,
        row.alert,
        `${row.forSeconds}s`,
        String(row.seconds.length),
        row.seconds.map((s) => fixed(s, 1)).join(", "),
        `${fixed(median(row.ratios), 3)}×`,
        `${fixed(Math.max(...row.ratios), 3)}×`,
      ];
    }),
  );
}
