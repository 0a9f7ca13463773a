/**
 * Invariants of the host commands that decide whether a real `pulumi up` works the first time and leaves the
 * stack working the second time, for every stack. They are read against the engine's and @pulumi/command 1.2.1's
 * real behaviour (components/host.ts): triggers replace create-before-delete, any other input change is an update.
 */
import * as pulumi from "@pulumi/pulumi";
import type { Settings } from "../../settings";
import { isOpenSshPublicKey } from "../../settings/deployment";
import { ownershipOf } from "../../components/configFiles";
import { e2eSettings } from "../../e2e/settings";
import { describeHostCommands, type HostCommandDescription } from "../helpers/hostCommands";
import { installPulumiMocks, promiseOf, settle } from "../helpers/pulumiMocks";
import { stackSettings } from "../helpers/stacks";

const mocks = installPulumiMocks();

function settingsOf(stack: string): { settings: Settings; secrets: Record<string, pulumi.Output<string>> } {
  if (stack !== "e2e")
    return stackSettings(stack) as { settings: Settings; secrets: Record<string, pulumi.Output<string>> };
  const address = "127.0.0.1:1";
  const settings = e2eSettings({
    addresses: {
      prometheus: address,
      alertmanager: address,
      nodeExporter: address,
      postgresExporter: address,
      stubTarget: address,
      api: address,
      postgres: address,
    },
    receiverUrl: (role) => `http://127.0.0.1:2/${role}`,
  });
  return { settings, secrets: { postgresExporterPassword: pulumi.secret("FAKE-postgresExporterPassword-VALUE") } };
}

/** Declares the stack with `env` as the process environment (what differs between two CI jobs). */
async function declare(stack: string, env: Record<string, string>): Promise<HostCommandDescription[]> {
  mocks.reset();
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const { ObservabilityStack } = await import("../../components");
    const { settings, secrets } = settingsOf(stack);
    new ObservabilityStack("koprogo", { settings, secrets }, { transformations: [mocks.recordOptions] });
    await settle();
    return await describeHostCommands(mocks);
  } finally {
    for (const key of Object.keys(env)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

const JOB_A = { SSH_AUTH_SOCK: "/tmp/ssh-job-a/agent.1234", USER: "runner-a", HOME: "/home/runner-a", PWD: "/work/a" };
const JOB_B = { SSH_AUTH_SOCK: "/tmp/ssh-job-b/agent.5678", USER: "runner-b", HOME: "/home/runner-b", PWD: "/work/b" };

/** The commands `reloadOnChange` declares: a running service told that its files changed. */
const isReload = (c: HostCommandDescription) => /-(reload|restart)$/.test(c.name);

describe.each(["dev", "staging", "prod", "e2e", "scale"])("the %s stack's host commands", (stack) => {
  let commands: HostCommandDescription[];
  let otherJob: HostCommandDescription[];
  const providers: Record<"a" | "b", { name: string; inputs: Record<string, unknown> }[]> = { a: [], b: [] };
  beforeAll(async () => {
    commands = await declare(stack, JOB_A);
    providers.a = mocks.ofType("pulumi:providers:docker").map(({ name, inputs }) => ({ name, inputs }));
    otherJob = await declare(stack, JOB_B);
    providers.b = mocks.ofType("pulumi:providers:docker").map(({ name, inputs }) => ({ name, inputs }));
  });

  it("declares host commands", () => {
    expect(commands.length).toBeGreaterThan(3);
  });

  it("never replaces a command whose delete would undo the new one: triggers come only without a delete, or delete-before-replace", () => {
    for (const c of commands.filter((c) => c.triggers !== undefined && c.delete !== undefined))
      expect([c.name, c.deleteBeforeReplace]).toEqual([c.name, true]);
  });

  it("writes files and installs agents without triggers: a new content or version is an update, which runs no delete", () => {
    const destructive = commands.filter((c) => c.delete !== undefined);
    expect(destructive.length).toBeGreaterThan(0);
    for (const c of destructive) expect([c.name, c.triggers]).toEqual([c.name, undefined]);
  });

  it("gives the same inputs on two runs whose environment differs (no per-run value in any input)", () => {
    expect(otherJob).toEqual(commands);
  });

  it("pins the host key of every remote connection, and passes no agent socket", () => {
    for (const c of commands.filter((c) => c.type === "command:remote:Command")) {
      expect([c.name, isOpenSshPublicKey(String(c.connection?.hostKey))]).toEqual([c.name, true]);
      expect([c.name, c.connection?.agentSocketPath]).toEqual([c.name, undefined]);
    }
  });

  it("gives every Docker provider the same inputs on both runs, and the key of its host for an ssh:// engine", () => {
    expect(providers.b).toEqual(providers.a);
    for (const engine of providers.a.filter((p) => String(p.inputs.host).startsWith("ssh://"))) {
      const host = /^ssh:\/\/(?:[^@]+@)?([^:/]+)/.exec(String(engine.inputs.host))![1];
      const hostKey = commands.find((c) => c.connection?.host === host)?.connection?.hostKey;
      expect([engine.name, isOpenSshPublicKey(String(hostKey))]).toEqual([engine.name, true]);
      expect([engine.name, JSON.parse(String(engine.inputs.sshOpts))]).toEqual([
        engine.name,
        expect.arrayContaining([
          "StrictHostKeyChecking=yes",
          "UserKnownHostsFile=/dev/null",
          `KnownHostsCommand=/bin/echo %H ${hostKey}`,
        ]),
      ]);
    }
  });

  it("reloads a service only on change (nothing on the first create), after its container", () => {
    const reloads = commands.filter(isReload);
    expect(reloads.length).toBeGreaterThanOrEqual(5);
    for (const reload of reloads) {
      expect([reload.name, reload.create, reload.update?.startsWith("# rerun when changed: ")]).toEqual([
        reload.name,
        undefined,
        true,
      ]);
      expect([reload.name, reload.dependsOn.some((urn) => urn.includes("docker:index/container:Container"))]).toEqual([
        reload.name,
        true,
      ]);
    }
  });

  it("writes every file as root, atomically, and sends every secret file's content as a secret", () => {
    const writes = commands.filter((c) => c.create?.includes("mktemp"));
    expect(writes.length).toBeGreaterThan(3);
    for (const write of writes) {
      expect([write.name, write.update]).toEqual([write.name, write.create]);
      expect([write.name, write.create?.includes("sudo -n /bin/sh -c")]).toEqual([write.name, true]);
    }
    for (const write of writes.filter((w) => /secrets|password|token|credentials/.test(w.name)))
      expect([write.name, write.stdinSecret]).toEqual([write.name, true]);
  });
});

describe("who runs the host commands", () => {
  it("uses sudo -n for the prod deploy user, and never asks twice", async () => {
    const commands = await declare("prod", JOB_A);
    for (const c of commands.filter((c) => c.create?.includes("mktemp") || c.name.includes("-security-"))) {
      for (const script of [c.create, c.update, c.delete].filter((s): s is string => s !== undefined))
        expect([c.name, script.endsWith('exec sudo -n /bin/sh -c "$s"')]).toEqual([c.name, true]);
    }
  });

  it("decides at run time on a laptop (root, or a developer through sudo), so the text is the same for both", async () => {
    const commands = await declare("dev", JOB_A);
    const writes = commands.filter((c) => c.create?.includes("mktemp"));
    expect(writes.length).toBeGreaterThan(3);
    for (const write of writes)
      expect([write.name, write.create?.includes(`if [ "$(id -u)" -eq 0 ]; then exec /bin/sh -c "$s"; fi`)]).toEqual([
        write.name,
        true,
      ]);
  });

  it("points dev's docker CLI at the provider's engine, not at the CLI's current context", async () => {
    const commands = await declare("dev", JOB_A);
    const scripts = commands.flatMap((c) => [c.create, c.update, c.delete]).filter((s): s is string => s !== undefined);
    const calls = scripts.flatMap((s) => s.match(/\bdocker( -H '[^']+')? (inspect|kill|restart|exec)\b/g) ?? []);
    expect(calls.length).toBeGreaterThan(5);
    for (const call of calls) expect(call).toMatch(/^docker -H 'unix:\/\/\/var\/run\/docker\.sock' /);
  });

  it("orders each host agent: install, then its files, then apply; Grafana's password change before its file", async () => {
    const commands = await declare("prod", JOB_A);
    const byName = new Map(commands.map((c) => [c.name, c]));
    for (const agent of ["fail2ban", "crowdsec", "suricata"]) {
      const files = commands.filter((c) => c.name.startsWith(`koprogo-security-${agent}-files-`));
      expect(files.length).toBeGreaterThan(0);
      for (const file of files)
        expect([file.name, file.dependsOn.some((urn) => urn.endsWith(`::koprogo-security-${agent}-install`))]).toEqual([
          file.name,
          true,
        ]);
      const apply = byName.get(`koprogo-security-${agent}-apply`)!;
      for (const file of files)
        expect([file.name, apply.dependsOn.some((urn) => urn.endsWith(`::${file.name}`))]).toEqual([file.name, true]);
    }
    const passwordFile = commands.find((c) => c.name.endsWith("grafana-secrets-grafana-secrets-admin-password"))!;
    expect(passwordFile.dependsOn.some((urn) => urn.endsWith("::koprogo-grafana-admin-password-rotate"))).toBe(true);
  });

  it("starts every container after the files it mounts are written (the first up)", async () => {
    const commands = await declare("prod", JOB_A);
    const writes = commands.filter(
      (c) => /^koprogo-(?!security-)[a-z-]+?-(config|secrets)-/.test(c.name) && c.create?.includes("mktemp"),
    );
    expect(writes.length).toBeGreaterThan(5);
    for (const write of writes) {
      const owner = write.name.replace(/-(config|secrets)-.*$/, "");
      const deps = mocks.optionsOf("docker:index/container:Container", owner)?.dependsOn;
      const urns = await Promise.all(
        (Array.isArray(deps) ? deps : []).map((d) => promiseOf((d as pulumi.Resource).urn)),
      );
      expect([write.name, urns.some((urn) => urn.endsWith(`::${write.name}`))]).toEqual([write.name, true]);
    }
  });

  it("checks Grafana's API from the machine running pulumi up, at the provider's URL, before the provider", async () => {
    const commands = await declare("prod", JOB_A);
    const ready = commands.find((c) => c.name === "koprogo-grafana-ready")!;
    expect(ready.type).toBe("command:local:Command");
    expect(ready.create).toContain("'https://grafana.koprogo.com/api/health'");
    expect(ready.delete).toBeUndefined();
    const rotate = commands.find((c) => c.name === "koprogo-grafana-admin-password-rotate")!;
    expect([rotate.create, rotate.stdinSecret]).toEqual([undefined, true]);
    expect(rotate.update).not.toContain("grafana cli");
  });
});

describe("owner and mode of a host file", () => {
  it.each([
    ["a configuration file", {}, undefined, { mode: "0644", owner: undefined }],
    ["a secret, for the service's reader", { secret: true }, 472, { mode: "0600", owner: 472 }],
    ["a secret of a root-only service", { secret: true }, undefined, { mode: "0600", owner: undefined }],
    ["a file with its own reader and mode", { owner: 10001, mode: "0640" }, 472, { mode: "0640", owner: 10001 }],
  ])("%s", (_case, file, secretOwner, expected) => {
    expect(ownershipOf(file, secretOwner)).toEqual(expected);
  });
});
