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
} from "./helpers/workflows";
import { PROJECT_DIR } from "./helpers/stacks";

const workflows = loadWorkflows();
const actions = loadActions();
const pullRequest = workflows["pull-request.yml"];
const deploy = workflows["deploy.yml"];
const checks = workflows["checks.yml"];
const PULUMI_ACTION = "pulumi/actions";

/** `owner/repo[/path]@vX.Y.Z` or a full commit digest: a tag that cannot move to other code unnoticed. */
const PINNED_ACTION = /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+(\/[A-Za-z0-9._/-]+)?@(v\d+\.\d+\.\d+|[0-9a-f]{40})$/;

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

  it("pin every action to an exact release (no branch, no bare major)", () => {
    const uses = allSteps().flatMap(({ where, step }) => (step.uses ? [{ where, uses: step.uses }] : []));
    expect(uses.length).toBeGreaterThan(5);
    for (const { where, uses: ref } of uses) {
      if (ref.startsWith("./")) continue;
      expect(PINNED_ACTION.test(ref) ? ref : `${where}: ${ref} is not pinned to an exact release`).toBe(ref);
    }
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

  it("previews each affected stack after the checks, and not for forks, which get no secrets", () => {
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

  it.each(pulumiJobs)("%s takes the state backend and secrets provider from repository secrets", (_name, job) => {
    expect(Object.keys(job.env ?? {}).sort()).toEqual([...BACKEND_ENV].sort());
    for (const key of BACKEND_ENV.filter((k) => k !== "AWS_REGION"))
      expect(job.env?.[key]).toBe(`\${{ secrets.${key} }}`);
  });

  it.each(pulumiJobs)("%s loads the VPS key into an agent before running Pulumi", (_name, job) => {
    const steps = job.steps ?? [];
    const setup = steps.findIndex((s) => s.uses === "./.github/actions/pulumi-setup");
    const pulumi = steps.findIndex((s) => s.uses?.startsWith(`${PULUMI_ACTION}@`));
    expect(setup).toBeGreaterThan(-1);
    expect(setup).toBeLessThan(pulumi);
    expect(steps[setup].with).toEqual({
      "ssh-private-key": "${{ secrets.VPS_SSH_PRIVATE_KEY }}",
      "ssh-known-hosts": "${{ secrets.VPS_SSH_KNOWN_HOSTS }}",
    });
  });

  it("the setup action installs the dependencies, starts the agent and trusts only the given host keys", () => {
    const setup = actions["pulumi-setup"];
    expect(setup.runs.using).toBe("composite");
    const uses = setup.runs.steps.map((s) => s.uses?.split("@")[0] ?? s.run?.trim().split("\n")[0]);
    expect(uses).toEqual(["actions/setup-node", "npm ci --no-audit --no-fund", "webfactory/ssh-agent", "set -eu"]);
    expect(setup.runs.steps[2].with).toEqual({ "ssh-private-key": "${{ inputs.ssh-private-key }}" });
    expect(setup.runs.steps[3].run).toContain(">> ~/.ssh/known_hosts");
    // Host keys come from the secret, checked by a person once; scanning them in CI would trust whoever answers.
    expect(setup.runs.steps[3].run).not.toMatch(/^\s*ssh-keyscan/m);
    for (const step of setup.runs.steps.filter((s) => s.run)) expect(step.shell).toBe("bash");
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

test("the workflow YAML stays plain data (no anchors or aliases)", () => {
  for (const file of Object.keys(workflows)) {
    const document = YAML.parseDocument(fs.readFileSync(path.join(PROJECT_DIR, ".github", "workflows", file), "utf8"));
    let aliases = 0;
    YAML.visit(document, { Alias: () => void aliases++ });
    expect(`${file}: ${aliases}`).toBe(`${file}: 0`);
  }
});
