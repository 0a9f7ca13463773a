/**
 * Who can read which secret in the GitHub Actions workflows: the rules that keep production secrets away from code
 * a pull request controls. A pull request's workflow runs the author's code (install scripts, the program, the
 * policy pack, local actions, the workflow file itself), so a repository secret is as good as handed to every
 * branch pusher. Hence: no repository secrets at all; every secret belongs to a GitHub environment; the deploy
 * secrets (the VPS key) only to the deploy environments, whose branch policy is `main`; and a job that a pull request
 * triggers reads secrets only in an environment whose required reviewers approve each run.
 *
 * Behaviour relied on (GitHub Actions): an environment secret is given only to a job that names the environment,
 * after its protection rules pass (required reviewers, deployment branches); a reusable workflow runs with its
 * caller's trigger and gets the secrets its caller passes (`secrets: inherit` passes all); `secrets[...]` and
 * `toJSON(secrets)` reach every secret the job is given.
 */
import type { Job, Workflow } from "./workflows";

/** The GitHub environments the workflows may name, with what their protection must be (docs/operator/ci.md says so). */
export const CI_ENVIRONMENTS = {
  /** `pulumi up` of prod: required reviewers, deployment branch `main` only; holds every deploy secret. */
  production: { deploys: true, reviewers: true },
  /** `pulumi up` of staging: required reviewers, deployment branch `main` only; holds every deploy secret. */
  staging: { deploys: true, reviewers: true },
  /** `pulumi preview` of a pull request: required reviewers (no self-review), any branch; no SSH key. */
  preview: { deploys: false, reviewers: true },
} as const;
export type CiEnvironment = keyof typeof CI_ENVIRONMENTS;

/** Secrets that reach the VPS as its deploy user (docker group, passwordless sudo): root on the host. */
export const DEPLOY_SECRETS = ["VPS_SSH_PRIVATE_KEY", "VPS_SSH_KNOWN_HOSTS"] as const;

/** Triggers whose jobs run code or inputs that a pull request controls. */
export const PULL_REQUEST_TRIGGERS = ["pull_request", "pull_request_target", "workflow_run"] as const;

export interface JobSecrets {
  readonly where: string;
  readonly triggers: readonly string[];
  /** The environments the job may run in (several when its name is an expression); empty when none. */
  readonly environments: readonly string[];
  /** `environment:` is an expression that names no known environment. */
  readonly unknownEnvironment: boolean;
  readonly secrets: readonly string[];
  /** `secrets: inherit`, `secrets[...]` or `toJSON(secrets)`: every secret the job is given. */
  readonly allSecrets: boolean;
}

export function triggersOf(workflow: Workflow): string[] {
  const on = workflow.on as unknown;
  if (typeof on === "string") return [on];
  if (Array.isArray(on)) return on.map(String);
  return Object.keys(on as Record<string, unknown>);
}

function environmentsOf(job: Job): { names: string[]; unknown: boolean } {
  const raw =
    job.environment === undefined
      ? undefined
      : typeof job.environment === "string"
        ? job.environment
        : job.environment.name;
  if (raw === undefined) return { names: [], unknown: false };
  if (!raw.includes("${{")) return { names: [raw], unknown: false };
  // An expression: the environments it can evaluate to are the known names it quotes.
  const quoted = [...raw.matchAll(/'([^']*)'/g)].map((m) => m[1]).filter((n) => n in CI_ENVIRONMENTS);
  return { names: [...new Set(quoted)], unknown: quoted.length === 0 };
}

function secretsIn(job: Job): { names: string[]; all: boolean } {
  const text = JSON.stringify(job);
  const names = [...new Set([...text.matchAll(/secrets\.([A-Za-z0-9_]+)/g)].map((m) => m[1]))].sort();
  const all = (job as { secrets?: unknown }).secrets === "inherit" || /secrets\s*\[|toJSON\(\s*secrets\s*\)/.test(text);
  return { names, all };
}

/**
 * Every job of every workflow with the secrets it reads, reusable workflows expanded under their callers (their
 * jobs run with the caller's triggers): `files` maps a local path (`./.github/workflows/checks.yml`) to its workflow.
 */
export function jobSecrets(workflows: Readonly<Record<string, Workflow>>): JobSecrets[] {
  const byPath = (uses: string) => workflows[uses.replace(/^\.\/\.github\/workflows\//, "")];
  const out: JobSecrets[] = [];
  const visit = (file: string, workflow: Workflow, triggers: readonly string[], prefix: string) => {
    for (const [name, job] of Object.entries(workflow.jobs)) {
      const where = `${prefix}${file} ${name}`;
      const environments = environmentsOf(job);
      const secrets = secretsIn(job);
      out.push({
        where,
        triggers,
        environments: environments.names,
        unknownEnvironment: environments.unknown,
        secrets: secrets.names,
        allSecrets: secrets.all,
      });
      const called = job.uses?.startsWith("./") ? byPath(job.uses) : undefined;
      if (called) visit(job.uses!.replace(/^.*\//, ""), called, triggers, `${where} → `);
    }
  };
  for (const [file, workflow] of Object.entries(workflows)) {
    const triggers = triggersOf(workflow);
    // A workflow only ever called by others runs with its callers' triggers (visited under them).
    if (triggers.length === 1 && triggers[0] === "workflow_call") continue;
    visit(file, workflow, triggers, "");
  }
  return out;
}

/** What breaks the rules in the module comment, one sentence per finding (empty when none). */
export function secretFindings(workflows: Readonly<Record<string, Workflow>>): string[] {
  const findings: string[] = [];
  for (const job of jobSecrets(workflows)) {
    const reads = job.secrets.length > 0 || job.allSecrets;
    if (!reads) continue;
    const fromPullRequest = job.triggers.some((t) => (PULL_REQUEST_TRIGGERS as readonly string[]).includes(t));
    const what = job.allSecrets ? "every secret it is given" : job.secrets.join(", ");
    const known = job.environments.filter((e): e is CiEnvironment => e in CI_ENVIRONMENTS);
    if (job.environments.length === 0 || job.unknownEnvironment)
      findings.push(`${job.where} reads ${what} without a known environment: only a repository secret could reach it`);
    else if (known.length !== job.environments.length)
      findings.push(`${job.where} names an environment that is not one of ${Object.keys(CI_ENVIRONMENTS).join(", ")}`);
    const deploy = job.allSecrets
      ? [...DEPLOY_SECRETS]
      : job.secrets.filter((s) => (DEPLOY_SECRETS as readonly string[]).includes(s));
    if (deploy.length > 0 && !known.every((e) => CI_ENVIRONMENTS[e].deploys))
      findings.push(
        `${job.where} reads the deploy secret ${deploy.join(", ")} outside the production/staging environments`,
      );
    if (fromPullRequest) {
      if (deploy.length > 0)
        findings.push(
          `${job.where} runs on ${job.triggers.join(", ")} and can read the deploy secret ${deploy.join(", ")}`,
        );
      if (job.allSecrets) findings.push(`${job.where} runs on ${job.triggers.join(", ")} and can read every secret`);
      const ungated = known.filter((e) => CI_ENVIRONMENTS[e].deploys || !CI_ENVIRONMENTS[e].reviewers);
      if (ungated.length > 0 || known.length === 0)
        findings.push(
          `${job.where} runs on ${job.triggers.join(", ")} and reads ${what} outside a reviewer-gated preview environment`,
        );
    }
  }
  return findings;
}
