/** Runs the attempts phase by phase and writes one verdict line per attempt and the summary line. */
import type { Attempt, AttemptResult } from "./attempts";
import { harnessQuery, type AttackContext } from "./context";
import { waitFor } from "../processes";

export interface Verdict extends AttemptResult {
  readonly attempt: Attempt;
}

async function runOne(attempt: Attempt, ctx: AttackContext): Promise<Verdict> {
  try {
    return { attempt, ...(await attempt.run(ctx)) };
  } catch (error) {
    // An attempt that cannot be made is not a failed attack: it is reported as a broken harness, and fails the suite.
    return {
      attempt,
      succeeded: false,
      detail: `attempt could not run: ${(error as Error).message}`,
      harness: { ok: false, detail: "not reached" },
    };
  }
}

/**
 * Phase by phase, each phase's attempts at once: first those that start a Docker engine of their own (alone), then
 * reads, then writes (after the reads, so a successful erase or reload cannot hide a read), then what would stop a
 * service (last: a successful quit would refuse every later attempt and look like a defence).
 */
export async function runAttempts(attempts: readonly Attempt[], ctx: AttackContext): Promise<Verdict[]> {
  const verdicts = new Map<Attempt, Verdict>();
  for (const phase of [0, 1, 2, 3] as const) {
    for (const verdict of await Promise.all(attempts.filter((a) => a.phase === phase).map((a) => runOne(a, ctx))))
      verdicts.set(verdict.attempt, verdict);
  }
  return attempts.map((a) => verdicts.get(a)!);
}

export function verdictLine(v: Verdict): string {
  const verdict = v.succeeded ? "SUCCEEDED" : "failed   ";
  const mode = v.attempt.mode === "config" ? "config only" : "for real   ";
  return `${verdict} [${mode}] ${v.attempt.id} — from ${v.attempt.from}: ${v.attempt.title}\n    attacker: ${v.detail}\n    harness:  ${v.harness.ok ? "ok" : "FAILED"} — ${v.harness.detail}`;
}

export function summaryLine(verdicts: readonly Verdict[]): string {
  const succeeded = verdicts.filter((v) => v.succeeded).length;
  const configOnly = verdicts.filter((v) => v.attempt.mode === "config").length;
  return `attack suite: ${verdicts.length} attempts, ${succeeded} succeeded, ${configOnly} checked on config only`;
}

/**
 * Before any attempt: Prometheus has scraped the jobs the harness's proofs read (so a refused attempt is never a
 * service that was not up yet).
 */
export async function waitUntilServing(ctx: AttackContext, jobs: readonly string[], timeoutMs = 30_000): Promise<void> {
  await waitFor(
    `jobs ${jobs.join(", ")} up`,
    async () => {
      const up = new Set((await harnessQuery(ctx, `up{job=~"${jobs.join("|")}"} == 1`)).map((s) => s.metric.job));
      if (up.size === jobs.length) return true;
      throw new Error(`up: ${[...up].join(", ") || "none"}`);
    },
    timeoutMs,
    500,
  );
}
