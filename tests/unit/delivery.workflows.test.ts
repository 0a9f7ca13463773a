import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import {
  loadActions,
  loadWorkflows,
  onlyStepUsing,
  parseYamlFile,
  stepsUsing,
  type Job,
  type Step,
  type Workflow,
} from "../helpers/workflows";
import { PROJECT_DIR } from "../helpers/stacks";
import { CI_ENVIRONMENTS, DEPLOY_SECRETS, jobSecrets, secretFindings } from "../helpers/workflowSecrets";

const workflows = loadWorkflows();
const actions = loadActions();
const pullRequest = workflows["pull-request.yml"];
const deploy = workflows["deploy.yml"];
const checks = workflows["checks.yml"];
const PULUMI_ACTION = "pulumi/actions";

/** `owner/repo[/path]@<full commit digest>`: a tag can be moved to other code by whoever controls the action's repository. */
const PINNED_ACTION = /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+(\/[A-Za-z0-9._/-]+)?@[0-9a-f]{40}$/;
/** The line of a pinned action in the YAML: the digest, then its release as a comment (what Renovate writes and updates). */
const PINNED_LINE = /uses: ([A-Za-z0-9-]+\/[A-Za-z0-9._/-]+)@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)$/;

function allSteps(): { where: string; step: Step }[] {
  const fromWorkflows = Object.entries(workflows).flatMap(([file, wf]) =>
    Object.entries(wf.jobs).flatMap(([jobName, job]) =>
      (job.steps ?? []).map((step) => ({ where: `${file} ${jobName}`, step })),
    ),
  );
  const fromActions = Object.entries(actions).flatMap(([dir, action]) =>
    action.runs.steps.map((step) => ({ where: `action ${dir}`, step })),
  );
  return [...fromWorkflows, ...fromActions];
}

function allJobs(): { where: string; job: Job; permissions?: Readonly<Record<string, string>> }[] {
  return Object.entries(workflows).flatMap(([file, wf]) =>
    Object.entries(wf.jobs).map(([name, job]) => ({
      where: `${file} ${name}`,
      job,
      permissions: job.permissions ?? wf.permissions,
    })),
  );
}

function secretsReferenced(): string[] {
  const names = new Set<string>();
  for (const file of fs.readdirSync(path.join(PROJECT_DIR, ".github", "workflows"))) {
    const text = fs.readFileSync(path.join(PROJECT_DIR, ".github", "workflows", file), "utf8");
    for (const match of text.matchAll(/secrets\.([A-Z0-9_]+)/g)) names.add(match[1]);
  }
  return [...names].sort();
}

describe("the workflow files", () => {
  it("are the pull-request, deploy and reusable checks workflows", () => {
    expect(Object.keys(workflows).sort()).toEqual(["checks.yml", "deploy.yml", "pull-request.yml"]);
  });

  it("reject duplicate keys when parsed", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wf-"));
    try {
      fs.writeFileSync(path.join(dir, "dup.yml"), "name: a\nname: b\n");
      expect(() => parseYamlFile(path.join(dir, "dup.yml"))).toThrow(/unique/i);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("pin every action to a commit digest (no tag, no branch), with its release in a comment", () => {
    const uses = allSteps().flatMap(({ where, step }) => (step.uses ? [{ where, uses: step.uses }] : []));
    expect(uses.length).toBeGreaterThan(5);
    for (const { where, uses: ref } of uses) {
      if (ref.startsWith("./")) continue;
      expect(PINNED_ACTION.test(ref) ? ref : `${where}: ${ref} is not pinned to a commit digest`).toBe(ref);
    }
    const files = [
      ...Object.keys(workflows).map((f) => path.join(PROJECT_DIR, ".github", "workflows", f)),
      ...Object.keys(actions).map((d) => path.join(PROJECT_DIR, ".github", "actions", d, "action.yml")),
    ];
    for (const file of files) {
      for (const line of fs
        .readFileSync(file, "utf8")
        .split("\n")
        .filter((l) => /^\s*(- )?uses: [^.]/.test(l)))
        expect(`${path.basename(file)}: ${line.trim()}`).toMatch(PINNED_LINE);
    }
  });

  it("pin the digests checked against each action's release tag", () => {
    // Read from each action's repository (its tag resolved to a commit) on 2026-12-07; Renovate updates both
    // together. A digest that is not the tag's commit would be code nobody reviewed under that name.
    const expected: Record<string, [string, string]> = {
      "actions/checkout": ["11bd71901bbe5b1630ceea73d27597364c9af683", "v4.2.2"],
      "actions/upload-artifact": ["ea165f8d65b6e75b540449e92b4886f43607fa02", "v4.6.2"],
      "actions/setup-node": ["49933ea5288caeca8642d1e84afbd3f7d6820020", "v4.4.0"],
      "webfactory/ssh-agent": ["a6f90b1f127823b31d4d4a8d96047790581349bd", "v0.9.1"],
      "pulumi/actions": ["8582a9e8cc630786854029b4e09281acd6794b58", "v6.6.1"],
      "actions/setup-go": ["d35c59abb061a4a6fb18e82ac0862c26744d6ab5", "v5.5.0"],
      "actions/cache": ["5a3ec84eff668545956fd18022155c47e93e2684", "v4.2.3"],
    };
    const dirs = [
      path.join(PROJECT_DIR, ".github", "workflows"),
      ...Object.keys(actions).map((d) => path.join(PROJECT_DIR, ".github", "actions", d)),
    ];
    const seen = new Set<string>();
    for (const dir of dirs) {
      for (const file of fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
        for (const line of fs.readFileSync(path.join(dir, file), "utf8").split("\n")) {
          const m = PINNED_LINE.exec(line.trim());
          if (!m) continue;
          seen.add(m[1]);
          expect([m[1], m[2], m[3]]).toEqual([m[1], ...(expected[m[1]] ?? ["(not checked)", "(not checked)"])]);
        }
      }
    }
    expect([...seen].sort()).toEqual(Object.keys(expected).sort());
  });

  it("use local actions and reusable workflows that exist", () => {
    const local = [
      ...allSteps().flatMap(({ step }) => (step.uses?.startsWith("./") ? [step.uses] : [])),
      ...allJobs().flatMap(({ job }) => (job.uses?.startsWith("./") ? [job.uses] : [])),
    ];
    expect(local.length).toBeGreaterThan(0);
    for (const ref of local) expect(fs.existsSync(path.join(PROJECT_DIR, ref))).toBe(true);
  });

  it("grant no permission at the top and nothing beyond read except the preview's pull-request comment", () => {
    for (const [file, wf] of Object.entries(workflows)) {
      expect(`${file}: ${JSON.stringify(wf.permissions)}`).toMatch(/: (\{\}|\{"contents":"read"\})$/);
    }
    for (const { where, permissions } of allJobs()) {
      expect(permissions).toBeDefined();
      const writes = Object.entries(permissions ?? {}).filter(([, level]) => level !== "read" && level !== "none");
      if (where === "pull-request.yml preview") expect(writes).toEqual([["pull-requests", "write"]]);
      else expect(`${where}: ${JSON.stringify(writes)}`).toBe(`${where}: []`);
    }
  });

  it("bound every job that runs on a machine with a timeout", () => {
    for (const { where, job } of allJobs()) {
      if (job["runs-on"]) expect(`${where}: ${job["timeout-minutes"]}`).toMatch(/: \d+$/);
    }
  });

  it("never check out a pull request's code with the repository's secrets from pull_request_target", () => {
    for (const wf of Object.values(workflows)) expect(Object.keys(wf.on)).not.toContain("pull_request_target");
  });

  it("do not leave the checkout's token in the git config", () => {
    for (const { where, step } of allSteps().filter(({ step }) => step.uses?.startsWith("actions/checkout@"))) {
      expect(`${where}: ${step.with?.["persist-credentials"]}`).toBe(`${where}: false`);
    }
  });

  it("install the Pulumi CLI of the SDK's release", () => {
    const sdk = (
      JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8")) as {
        dependencies: Record<string, string>;
      }
    ).dependencies["@pulumi/pulumi"];
    for (const wf of [pullRequest, deploy]) {
      expect(wf.env?.PULUMI_VERSION).toBe(sdk);
      for (const job of Object.values(wf.jobs)) {
        for (const step of stepsUsing(job, PULUMI_ACTION))
          expect(step.with?.["pulumi-version"]).toBe("${{ env.PULUMI_VERSION }}");
      }
    }
  });
});

describe("the checks workflow", () => {
  const test = checks.jobs.test;

  it("is reusable and reports the stacks to preview", () => {
    expect(Object.keys(checks.on)).toEqual(["workflow_call"]);
    expect(test.outputs?.stacks).toBe("${{ steps.stacks.outputs.stacks }}");
    expect(JSON.stringify(checks.on)).toContain("jobs.test.outputs.stacks");
  });

  it("runs the suite through .ci/run on Debian 12, which installs the system tools and fetches the deployed ones", () => {
    expect(test.container?.image).toMatch(/^node:\d+\.\d+\.\d+-bookworm(@sha256:[0-9a-f]{64})?$/);
    expect((test.steps ?? []).some((step) => step.run?.trim() === "bash .ci/run")).toBe(true);
    const ciRun = fs.readFileSync(path.join(PROJECT_DIR, ".ci", "run"), "utf8");
    for (const pkg of ["postgresql-15", "fail2ban", "crowdsec"]) expect(ciRun).toContain(pkg);
    // Prometheus, Alertmanager and the exporters at the deployed versions (toolchain/), checked before the suite.
    expect(ciRun.indexOf("npm run -s fetch-tools")).toBeGreaterThan(ciRun.indexOf("npm ci"));
    expect(ciRun.indexOf("npm run -s versions")).toBeGreaterThan(ciRun.indexOf("npm run -s fetch-tools"));
    expect(ciRun.indexOf("npm test")).toBeGreaterThan(ciRun.indexOf("npm run -s versions"));
    // The format check and the linter run on every change, before the suite.
    expect(ciRun.indexOf("npm run -s lint")).toBeGreaterThan(ciRun.indexOf("npm ci"));
    expect(ciRun.indexOf("npm run -s lint")).toBeLessThan(ciRun.lastIndexOf("npm test"));
  });

  it("renders every stack file and attaches the result to the run", () => {
    const render = (test.steps ?? []).find((step) => step.run?.includes("npm run --silent render"));
    expect(render?.run).toContain("for file in Pulumi.*.yaml");
    expect(render?.run).toContain('--out "rendered/$stack"');
    const upload = onlyStepUsing(test, "actions/upload-artifact");
    expect(upload.with).toMatchObject({ name: "rendered-config", path: "rendered/", "if-no-files-found": "error" });
  });

  it("picks the stacks from the diff against the pull request's base", () => {
    const step = (test.steps ?? []).find((s) => s.id === "stacks");
    expect(step?.run).toContain('scripts/ciStacks.ts --base "origin/$BASE_REF"');
    expect(step?.env?.BASE_REF).toBe("${{ inputs.base-ref }}");
    expect(onlyStepUsing(test, "actions/checkout").with?.["fetch-depth"]).toBe(0);
  });
});

describe("the pull-request workflow", () => {
  const preview = pullRequest.jobs.preview;
  const step = onlyStepUsing(preview, PULUMI_ACTION);

  it("runs on pull requests to main and cancels the superseded run", () => {
    expect(pullRequest.on).toEqual({ pull_request: { branches: ["main"] } });
    expect(pullRequest.concurrency).toEqual({
      group: "pull-request-${{ github.event.pull_request.number }}",
      "cancel-in-progress": true,
    });
  });

  it("runs the checks with the base branch", () => {
    expect(pullRequest.jobs.checks).toMatchObject({
      uses: "./.github/workflows/checks.yml",
      with: { "base-ref": "${{ github.base_ref }}" },
    });
  });

  it("previews each affected stack after the checks, only after a reviewer of the preview environment approves", () => {
    expect(preview.environment).toEqual({ name: "preview" });
    expect(preview.needs).toBe("checks");
    expect(preview.strategy?.matrix).toEqual({ stack: "${{ fromJSON(needs.checks.outputs.stacks) }}" });
    expect(preview.strategy?.["fail-fast"]).toBe(false);
    expect(preview.if).toContain("needs.checks.outputs.stacks != '[]'");
    expect(preview.if).toContain("github.event.pull_request.head.repo.full_name == github.repository");
  });

  it("posts the preview diff as a pull-request comment with the official action and the policy pack", () => {
    expect(step.with).toMatchObject({ command: "preview", "comment-on-pr": true, diff: true, policyPacks: "policy" });
    expect(step.with?.["stack-name"]).toContain("matrix.stack");
  });
});

describe("the deploy workflow", () => {
  const up = deploy.jobs.up;
  const pulumiSteps = stepsUsing(up, PULUMI_ACTION);
  const step = pulumiSteps.find((s) => s.with?.command === "up")!;
  const refresh = pulumiSteps.find((s) => s.with?.command === "refresh");

  it("runs on pushes to main and by hand", () => {
    expect(Object.keys(deploy.on).sort()).toEqual(["push", "workflow_dispatch"]);
    expect(deploy.on.push).toEqual({ branches: ["main"] });
    expect(JSON.stringify(deploy.on.workflow_dispatch)).toContain('"options":["prod","staging"]');
  });

  it("deploys only after the checks, only from main", () => {
    expect(deploy.jobs.checks.uses).toBe("./.github/workflows/checks.yml");
    expect(up.needs).toBe("checks");
    expect(up.if).toBe("${{ github.ref == 'refs/heads/main' }}");
  });

  it("deploys prod behind the protected production environment", () => {
    expect(deploy.env?.STACK).toBe("${{ inputs.stack || 'prod' }}");
    expect(up.environment).toEqual({ name: "${{ (inputs.stack || 'prod') == 'prod' && 'production' || 'staging' }}" });
  });

  it("runs one deployment per stack at a time and never cancels one in progress", () => {
    expect(up.concurrency).toEqual({ group: "deploy-${{ inputs.stack || 'prod' }}", "cancel-in-progress": false });
    expect(deploy.concurrency).toBeUndefined();
  });

  it("runs pulumi up with the policy pack after a refresh", () => {
    expect(pulumiSteps.map((s) => s.with?.command)).toEqual(["refresh", "up"]);
    expect(step.with).toMatchObject({ command: "up", policyPacks: "policy", diff: true });
    expect(step.with?.refresh).toBeUndefined();
    expect(step.with?.["stack-name"]).toContain("env.STACK");
    expect(refresh?.with?.["stack-name"]).toBe(step.with?.["stack-name"]);
  });

  it("refreshes every provider's resources but Grafana's API objects, so a broken Grafana can be repaired by a deploy", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    // The resource plugins the program uses, by the name in each SDK's package.json `pulumi` field.
    const plugins = Object.keys(manifest.dependencies)
      .map(
        (name) =>
          (
            JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "node_modules", name, "package.json"), "utf8")) as {
              pulumi?: { resource?: boolean; name?: string };
            }
          ).pulumi,
      )
      .filter((p): p is { resource: true; name: string } => p?.resource === true && typeof p.name === "string")
      .map((p) => p.name);
    expect(plugins.sort()).toEqual(["command", "docker", "grafana", "random", "tls"]);
    const targets = String(refresh?.with?.target ?? "")
      .split("\n")
      .filter((line) => line.trim() !== "");
    expect(targets.sort()).toEqual(plugins.filter((p) => p !== "grafana").map((p) => `**$${p}:**`));
  });
});

describe("the Pulumi jobs", () => {
  const pulumiJobs: [string, Job][] = [
    ["preview", pullRequest.jobs.preview],
    ["up", deploy.jobs.up],
  ];
  const BACKEND_ENV = [
    "PULUMI_ACCESS_TOKEN",
    "PULUMI_BACKEND_URL",
    "PULUMI_CONFIG_PASSPHRASE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_REGION",
  ];

  it.each(pulumiJobs)(
    "%s takes the state backend and secrets provider from its environment's secrets",
    (_name, job) => {
      expect(Object.keys(job.env ?? {}).sort()).toEqual([...BACKEND_ENV].sort());
      for (const key of BACKEND_ENV.filter((k) => k !== "AWS_REGION"))
        expect(job.env?.[key]).toBe(`\${{ secrets.${key} }}`);
    },
  );

  it.each(pulumiJobs)("%s installs the program's dependencies before running Pulumi", (_name, job) => {
    const steps = job.steps ?? [];
    const setup = steps.findIndex((s) => s.uses === "./.github/actions/pulumi-setup");
    const pulumi = steps.findIndex((s) => s.uses?.startsWith(`${PULUMI_ACTION}@`));
    expect(setup).toBeGreaterThan(-1);
    expect(setup).toBeLessThan(pulumi);
    expect(steps[setup].with).toBeUndefined();
  });

  it("only the deploy job loads the VPS key into an agent, before running Pulumi; the preview never holds it", () => {
    const steps = deploy.jobs.up.steps ?? [];
    const ssh = steps.findIndex((s) => s.uses === "./.github/actions/vps-ssh");
    expect(ssh).toBeGreaterThan(-1);
    expect(ssh).toBeLessThan(steps.findIndex((s) => s.uses?.startsWith(`${PULUMI_ACTION}@`)));
    expect(steps[ssh].with).toEqual({
      "ssh-private-key": "${{ secrets.VPS_SSH_PRIVATE_KEY }}",
      "ssh-known-hosts": "${{ secrets.VPS_SSH_KNOWN_HOSTS }}",
    });
    expect(JSON.stringify(pullRequest)).not.toMatch(/vps-ssh|VPS_SSH|ssh-agent/);
  });

  it("the setup action installs Node and the dependencies, nothing else", () => {
    const setup = actions["pulumi-setup"];
    expect(setup.runs.using).toBe("composite");
    expect(setup.inputs).toBeUndefined();
    const uses = setup.runs.steps.map((s) => s.uses?.split("@")[0] ?? s.run?.trim().split("\n")[0]);
    expect(uses).toEqual(["actions/setup-node", "npm ci --no-audit --no-fund"]);
  });

  it("the SSH action starts the agent and trusts only the given host keys", () => {
    const ssh = actions["vps-ssh"];
    expect(ssh.runs.using).toBe("composite");
    const uses = ssh.runs.steps.map((s) => s.uses?.split("@")[0] ?? s.run?.trim().split("\n")[0]);
    expect(uses).toEqual(["webfactory/ssh-agent", "set -eu"]);
    expect(ssh.runs.steps[0].with).toEqual({ "ssh-private-key": "${{ inputs.ssh-private-key }}" });
    expect(ssh.runs.steps[1].run).toContain(">> ~/.ssh/known_hosts");
    // Host keys come from the secret, checked by a person once; scanning them in CI would trust whoever answers.
    expect(ssh.runs.steps[1].run).not.toMatch(/^\s*ssh-keyscan/m);
    for (const step of ssh.runs.steps.filter((s) => s.run)) expect(step.shell).toBe("bash");
  });

  it("run the policy pack that exists in the repository", () => {
    const manifest = parseYamlFile<{ runtime: string }>(path.join(PROJECT_DIR, "policy", "PulumiPolicy.yaml"));
    expect(manifest.runtime).toBe("nodejs");
    for (const [, job] of pulumiJobs) {
      const runs = stepsUsing(job, PULUMI_ACTION).filter((s) => s.with?.command !== "refresh");
      expect(runs.map((s) => s.with?.policyPacks)).toEqual(["policy"]);
    }
    const { main } = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "policy", "package.json"), "utf8")) as {
      main: string;
    };
    expect(fs.existsSync(path.join(PROJECT_DIR, "policy", main))).toBe(true);
  });

  it("name only secrets that the README's Deploying section tells the operator to create", () => {
    const readme = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");
    const deploying = readme.slice(readme.indexOf("## Deploying"));
    expect(readme).toContain("## Deploying");
    const secrets = secretsReferenced();
    expect(secrets).toEqual([
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "PULUMI_ACCESS_TOKEN",
      "PULUMI_BACKEND_URL",
      "PULUMI_CONFIG_PASSPHRASE",
      "VPS_SSH_KNOWN_HOSTS",
      "VPS_SSH_PRIVATE_KEY",
    ]);
    for (const name of secrets) expect(`${name}: ${deploying.includes(`\`${name}\``)}`).toBe(`${name}: true`);
  });
});

describe("secrets and pull requests", () => {
  it("no job that a pull request triggers can read a deploy secret; every secret is an environment's", () => {
    expect(secretFindings(workflows)).toEqual([]);
  });

  it("the pull request's jobs, reusable checks included, read no secret except the gated preview's state access", () => {
    const fromPullRequest = jobSecrets(workflows).filter((j) => j.triggers.includes("pull_request"));
    expect(fromPullRequest.map((j) => j.where).sort()).toEqual([
      "pull-request.yml checks",
      "pull-request.yml checks → checks.yml test",
      "pull-request.yml preview",
    ]);
    for (const job of fromPullRequest.filter((j) => j.secrets.length > 0)) {
      expect(job.environments).toEqual(["preview"]);
      expect(job.secrets.filter((s) => (DEPLOY_SECRETS as readonly string[]).includes(s))).toEqual([]);
    }
    expect(fromPullRequest.filter((j) => j.where.includes("checks")).flatMap((j) => j.secrets)).toEqual([]);
  });

  it("finds the hole of the workflow before environments (repository secrets and the VPS key in the preview)", () => {
    const before = parseYamlFile<Workflow>(
      path.join(PROJECT_DIR, "tests", "fixtures", "pull-request.before-environments.yml"),
    );
    const findings = secretFindings({ ...workflows, "pull-request.yml": before });
    expect(findings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^pull-request\.yml preview reads .*VPS_SSH_PRIVATE_KEY.* without a known environment/),
        expect.stringMatching(
          /^pull-request\.yml preview runs on pull_request and can read the deploy secret VPS_SSH_KNOWN_HOSTS, VPS_SSH_PRIVATE_KEY$/,
        ),
      ]),
    );
  });

  it.each([
    [
      "secrets: inherit into a reusable workflow",
      { uses: "./.github/workflows/checks.yml", secrets: "inherit" },
      /can read every secret/,
    ],
    [
      "toJSON(secrets)",
      { "runs-on": "x", environment: "preview", steps: [{ run: "echo '${{ toJSON(secrets) }}'" }] },
      /can read every secret/,
    ],
    [
      "the production environment",
      { "runs-on": "x", environment: "production", steps: [{ run: "echo ${{ secrets.PULUMI_CONFIG_PASSPHRASE }}" }] },
      /outside a reviewer-gated preview environment/,
    ],
    [
      "the VPS key in the preview environment",
      { "runs-on": "x", environment: "preview", steps: [{ run: "echo ${{ secrets.VPS_SSH_PRIVATE_KEY }}" }] },
      /deploy secret VPS_SSH_PRIVATE_KEY/,
    ],
  ])("refuses %s in a pull request's job", (_what, job, finding) => {
    const wf = { name: "x", on: { pull_request: {} }, jobs: { leak: job } } as unknown as Workflow;
    expect(secretFindings({ ...workflows, "leak.yml": wf }).join("\n")).toMatch(finding);
  });

  it("docs/operator/ci.md tells the operator to create each environment with required reviewers and no repository secret", () => {
    const ci = fs.readFileSync(path.join(PROJECT_DIR, "docs", "operator", "ci.md"), "utf8");
    for (const name of Object.keys(CI_ENVIRONMENTS))
      expect(ci).toMatch(new RegExp(`\`${name}\`[^\n]*required reviewers`));
    expect(ci).toContain("no repository secret");
  });
});

test("the workflow YAML stays plain data (no anchors or aliases)", () => {
  for (const file of Object.keys(workflows)) {
    const document = YAML.parseDocument(fs.readFileSync(path.join(PROJECT_DIR, ".github", "workflows", file), "utf8"));
    let aliases = 0;
    YAML.visit(document, { Alias: () => void aliases++ });
    expect(`${file}: ${aliases}`).toBe(`${file}: 0`);
  }
});
