/** What an attempt is and what it reports. */
import type { AttackContext, HarnessCall } from "../context";

export interface AttemptResult {
  /** The attacker got what the attempt is after. */
  readonly succeeded: boolean;
  readonly detail: string;
  /** The harness's own call on the same endpoint (or the legitimate way to the same effect). */
  readonly harness: HarnessCall;
}

export interface Attempt {
  readonly id: string;
  readonly title: string;
  /** Where the attacker stands. */
  readonly from:
    | "the application's network"
    | "the internet"
    | "a LAN neighbour of the host"
    | "a container of the stack"
    | "a pull request's author"
    | "a reader of the state or of a pull request's preview"
    | "whoever can push to an image's repository";
  /** `network`: made against the running lab; `config`: checked on the rendered files and the declared membership. */
  readonly mode: "network" | "config";
  /**
   * Attempts run by phase: those that start a Docker engine of their own (0, alone first: an engine's start loads
   * the machine and would slow the probes of the others past their timeouts), reads (1, at once), writes (2), then
   * what would stop a service (3).
   */
  readonly phase: 0 | 1 | 2 | 3;
  run(ctx: AttackContext): Promise<AttemptResult>;
}

export const ok = (detail: string): HarnessCall => ({ ok: true, detail });
export const notOk = (detail: string): HarnessCall => ({ ok: false, detail });
