/** The GitHub Actions workflows and the composite action of the repository, parsed for tests. */
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { PROJECT_DIR } from "./stacks";

export interface Step {
  readonly name?: string;
  readonly id?: string;
  readonly if?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly shell?: string;
  readonly with?: Readonly<Record<string, string | number | boolean>>;
  readonly env?: Readonly<Record<string, string>>;
}

export interface Job {
  readonly name?: string;
  readonly uses?: string;
  readonly with?: Readonly<Record<string, string>>;
  readonly needs?: string | readonly string[];
  readonly if?: string;
  readonly "runs-on"?: string;
  readonly "timeout-minutes"?: number;
  readonly container?: { readonly image: string };
  readonly permissions?: Readonly<Record<string, string>>;
  readonly environment?: string | { readonly name: string; readonly url?: string };
  readonly concurrency?: { readonly group: string; readonly "cancel-in-progress"?: boolean };
  readonly strategy?: { readonly matrix?: Readonly<Record<string, unknown>>; readonly "fail-fast"?: boolean };
  readonly env?: Readonly<Record<string, string>>;
  readonly outputs?: Readonly<Record<string, string>>;
  readonly steps?: readonly Step[];
}

export interface Workflow {
  readonly name: string;
  readonly on: Readonly<Record<string, unknown>>;
  readonly permissions?: Readonly<Record<string, string>>;
  readonly concurrency?: { readonly group: string; readonly "cancel-in-progress"?: boolean };
  readonly env?: Readonly<Record<string, string>>;
  readonly jobs: Readonly<Record<string, Job>>;
}

export interface CompositeAction {
  readonly name: string;
  readonly inputs?: Readonly<Record<string, { readonly description: string; readonly required?: boolean }>>;
  readonly runs: { readonly using: string; readonly steps: readonly Step[] };
}

export const WORKFLOW_DIR = path.join(PROJECT_DIR, ".github", "workflows");
export const ACTIONS_DIR = path.join(PROJECT_DIR, ".github", "actions");

/** Parses YAML strictly: duplicate keys and YAML errors fail the test instead of being merged silently. */
export function parseYamlFile<T>(file: string): T {
  const document = YAML.parseDocument(fs.readFileSync(file, "utf8"), {
    uniqueKeys: true,
    strict: true,
    prettyErrors: true,
  });
  if (document.errors.length > 0) throw new Error(`${file}: ${document.errors.map((e) => e.message).join("; ")}`);
  return document.toJS() as T;
}

/** Every workflow file by name (`pull-request.yml`). */
export function loadWorkflows(): Record<string, Workflow> {
  const files = fs.readdirSync(WORKFLOW_DIR).filter((f) => /\.ya?ml$/.test(f));
  return Object.fromEntries(files.map((f) => [f, parseYamlFile<Workflow>(path.join(WORKFLOW_DIR, f))]));
}

/** Every composite action by directory name. */
export function loadActions(): Record<string, CompositeAction> {
  const dirs = fs.readdirSync(ACTIONS_DIR);
  return Object.fromEntries(
    dirs.map((d) => [d, parseYamlFile<CompositeAction>(path.join(ACTIONS_DIR, d, "action.yml"))]),
  );
}

/** The steps of a job that use `action` (the part before `@`). */
export function stepsUsing(job: Job, action: string): Step[] {
  return (job.steps ?? []).filter((step) => step.uses?.split("@")[0] === action);
}

/** The only step of a job that uses `action`. */
export function onlyStepUsing(job: Job, action: string): Step {
  const steps = stepsUsing(job, action);
  if (steps.length !== 1) throw new Error(`expected one step using ${action}, found ${steps.length}`);
  return steps[0];
}
