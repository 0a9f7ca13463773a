/**
 * The host agents as Pulumi resources (mocks): what runs on the host, in which order of triggers, and that the
 * same settings give the same triggers, so a second `pulumi up` runs nothing on the host.
 */
import { spawnSync } from "child_process";
import * as pulumi from "@pulumi/pulumi";
import { asRoot, contentHash, withRerunKey } from "../../host/scripts";
import { agentSpec, installScript, removeScript } from "../../security/agents";
import { renderSecurityFiles } from "../../security/files";
import { placeholderSecrets, type Settings } from "../../settings";
import { GENERATED_SECRET, installPulumiMocks, settle, type RecordedResource } from "../helpers/pulumiMocks";
import { fakeSecretValue, stackSettings } from "../helpers/stacks";

const mocks = installPulumiMocks("koprogo-observability", "prod");
const COMMAND = "command:remote:Command";

interface CommandInputs {
  create: string;
  update?: string;
  delete?: string;
  stdin?: string;
  triggers?: unknown[];
  logging?: string;
}

/** Declares the whole prod stack under `name` and returns its security commands by name (without the prefix). */
async function declare(name: string, settings: Settings): Promise<Map<string, CommandInputs>> {
  const { ObservabilityStack } = await import("../../components");
  const { secrets } = stackSettings("prod");
  // An SSH key too: it goes into the connection (a secret input), never into a script.
  new ObservabilityStack(name, {
    settings,
    secrets: { ...secrets, sshPrivateKey: pulumi.secret(fakeSecretValue("sshPrivateKey")) },
  });
  await settle();
  const prefix = `${name}-security-`;
  const commands = mocks.ofType(COMMAND).filter((r: RecordedResource) => r.name.startsWith(prefix));
  return new Map(commands.map((r) => [r.name.slice(prefix.length), r.inputs as unknown as CommandInputs]));
}

const prod = stackSettings("prod").settings;
/** What the engine compares to decide that a command runs again. */
const runInputs = ({ create, update, stdin, triggers }: CommandInputs) =>
  JSON.stringify({ create, update, stdin, triggers });

const withJail = (maxRetry: number): Settings => ({
  ...prod,
  security: {
    ...prod.security,
    fail2ban: {
      ...prod.security.fail2ban,
      jails: { ...prod.security.fail2ban.jails, sshd: { ...prod.security.fail2ban.jails.sshd, maxRetry } },
    },
  },
});

describe("the prod stack's host security agents", () => {
  let first: Map<string, CommandInputs>;
  let second: Map<string, CommandInputs>;
  let changed: Map<string, CommandInputs>;

  beforeAll(async () => {
    mocks.reset();
    first = await declare("first", prod);
    second = await declare("second", stackSettings("prod").settings);
    changed = await declare("changed", withJail(5));
  });

  it("declares install, files and apply for fail2ban, CrowdSec and Suricata", () => {
    for (const agent of ["fail2ban", "crowdsec", "suricata"]) {
      expect(first.has(`${agent}-install`)).toBe(true);
      expect(first.has(`${agent}-apply`)).toBe(true);
    }
    const files = [...first.keys()].filter((name) => name.includes("-files-")).length;
    expect(files).toBe(renderSecurityFiles(prod, placeholderSecrets()).length);
  });

  it("installs each agent at its pinned version, kept on its release line (not held), from CrowdSec's repository for CrowdSec", () => {
    for (const agent of ["fail2ban", "crowdsec", "suricata"] as const) {
      expect(first.get(`${agent}-install`)!.create).toBe(asRoot(installScript(agentSpec(agent, prod)), "sudo"));
    }
    expect(installScript(agentSpec("fail2ban", prod))).toContain("'fail2ban=0.11.2-6'");
    expect(installScript(agentSpec("suricata", prod))).toContain("'suricata=1:6.0.4-3'");
    expect(installScript(agentSpec("suricata", prod))).toContain("--no-install-recommends 'suricata-update'");
    const crowdsec = installScript(agentSpec("crowdsec", prod));
    expect(crowdsec).toContain("'crowdsec=1.6.8'");
    expect(crowdsec).toContain("'crowdsec-firewall-bouncer-iptables=0.0.31'");
    expect(crowdsec).toContain("https://packagecloud.io/crowdsec/crowdsec/ubuntu/");
    // No hold: a held package gets no security update. Release-line preferences instead (tests/tools/security.aptPin.test.ts).
    expect(crowdsec).not.toMatch(/apt-mark hold/);
    expect(crowdsec).toContain("apt-mark unhold 'crowdsec' 'crowdsec-firewall-bouncer-iptables'");
    expect(crowdsec).toContain("Package: crowdsec\nPin: version 1.6.*\nPin-Priority: 1001");
    expect(crowdsec).toContain("> '/etc/apt/preferences.d/koprogo-observability-crowdsec'");
  });

  it("runs every host command as root through sudo -n, with its output never logged", () => {
    for (const [name, inputs] of first) {
      for (const script of [inputs.create, inputs.update, inputs.delete].filter((s): s is string => s !== undefined)) {
        expect([name, script.endsWith('exec sudo -n /bin/sh -c "$s"')]).toEqual([name, true]);
      }
      expect(inputs.logging).toBe("none");
    }
  });

  it("writes each rendered file under /etc through stdin; a new content or package version is an update, never a replacement", () => {
    const rendered = renderSecurityFiles(prod, placeholderSecrets());
    const jail = rendered.find((f) => f.path === "fail2ban/jail.d/koprogo-observability.local")!;
    const write = first.get("fail2ban-files-fail2ban-jail-d-koprogo-observability-local")!;
    expect(write.stdin).toBe(jail.content);
    expect(write.triggers).toBeUndefined();
    expect(write.update).toBe(write.create);
    expect(write.create).toContain(
      withRerunKey("", [contentHash(first.get("fail2ban-install")!.create)], GENERATED_SECRET).trimEnd(),
    );
    expect(write.create).toContain("/etc/fail2ban/jail.d/koprogo-observability.local");
    expect(write.delete).toContain("rm -f '\\''/etc/fail2ban/jail.d/koprogo-observability.local'\\''");
    expect(first.get("suricata-files-systemd-system-koprogo-suricata-update-timer")!.create).toContain(
      "/etc/systemd/system/koprogo-suricata-update.timer",
    );
  });

  it("gives no agent command a trigger: a replacement would run the old delete (disable, purge) after the new create", () => {
    for (const [name, inputs] of first) expect([name, inputs.triggers]).toEqual([name, undefined]);
  });

  it("applies (check, enable, reload) when a file, the apply script or the installed version changes", () => {
    const apply = first.get("fail2ban-apply")!;
    expect(apply.create).toContain("fail2ban-client -t");
    expect(apply.create).toContain("systemctl reload-or-restart fail2ban");
    const fileHashes = renderSecurityFiles(prod, placeholderSecrets())
      .filter((f) => f.path.startsWith("fail2ban/"))
      .map((f) => contentHash(f.content));
    expect(apply.create.split("\n")[0]).toBe(
      withRerunKey("", [...fileHashes, contentHash(first.get("fail2ban-install")!.create)], GENERATED_SECRET).trimEnd(),
    );
  });

  it("gives the same inputs for the same settings: a second `up` runs nothing", () => {
    expect([...second.keys()]).toEqual([...first.keys()]);
    for (const [name, inputs] of first) expect([name, runInputs(second.get(name)!)]).toEqual([name, runInputs(inputs)]);
  });

  it("re-runs only the changed jail file and fail2ban's apply when one jail setting changes", () => {
    const rerun = [...first.entries()]
      .filter(([name, inputs]) => runInputs(changed.get(name)!) !== runInputs(inputs))
      .map(([name]) => name);
    // The coexistence check carries the files' digests: it looks again before a changed file is written.
    expect(rerun.sort()).toEqual([
      "fail2ban-apply",
      "fail2ban-coexist",
      "fail2ban-files-fail2ban-jail-d-koprogo-observability-local",
    ]);
  });

  it("reinstalls, rewrites the agent's files and re-applies when its pinned version changes, and nothing else", async () => {
    const upgraded = await declare("upgraded", {
      ...prod,
      security: { ...prod.security, fail2ban: { ...prod.security.fail2ban, version: "1.0.2-2" } },
    });
    const rerun = [...first.entries()]
      .filter(([name, inputs]) => runInputs(upgraded.get(name)!) !== runInputs(inputs))
      .map(([name]) => name);
    expect(rerun.every((name) => name.startsWith("fail2ban-"))).toBe(true);
    expect(rerun).toEqual(
      expect.arrayContaining([
        "fail2ban-install",
        "fail2ban-apply",
        "fail2ban-files-fail2ban-jail-d-koprogo-observability-local",
      ]),
    );
    expect(rerun).toHaveLength([...first.keys()].filter((name) => name.startsWith("fail2ban-")).length);
    // The new install is an update of the same resource: its delete (the purge) does not run.
    expect(upgraded.get("fail2ban-install")!.triggers).toBeUndefined();
  });

  it("removes cleanly on delete: services stopped before the files go, packages and repository purged", () => {
    // Only what the stack installed itself is stopped and purged (security/ownership.ts); an operator's agent stays.
    const ours = (name: string) => `if [ -e '\\''/var/lib/koprogo-observability/packages/${name}'\\'' ]; then`;
    expect(first.get("fail2ban-apply")!.delete).toContain(`${ours("fail2ban")} systemctl disable --now fail2ban`);
    expect(first.get("suricata-apply")!.delete).toContain("systemctl disable --now koprogo-suricata-update.timer");
    expect(first.get("suricata-apply")!.delete).toContain(`${ours("suricata")} systemctl disable --now suricata`);
    expect(first.get("suricata-apply")!.delete).toContain("include: koprogo.yaml");
    expect(first.get("suricata-apply")!.delete).toContain("rm -f '\\''/etc/suricata/koprogo-capture.yaml'\\''");
    expect(first.get("crowdsec-apply")!.delete).toContain(
      `${ours("crowdsec")} systemctl disable --now crowdsec-firewall-bouncer crowdsec`,
    );
    const crowdsec = first.get("crowdsec-install")!.delete!;
    for (const name of ["crowdsec", "crowdsec-firewall-bouncer-iptables"])
      expect(crowdsec).toContain(
        `${ours(name)} apt-mark unhold '\\''${name}'\\'' >/dev/null 2>&1 || true; apt-get purge -y -q '\\''${name}'\\''`,
      );
    expect(crowdsec).toContain("/etc/apt/sources.list.d/crowdsec.list");
  });

  it("puts no secret in any command's text, stdin or triggers", () => {
    for (const [name, { create, update, delete: remove, stdin, triggers }] of first) {
      expect([name, JSON.stringify({ create, update, remove, stdin, triggers })]).toEqual([
        name,
        expect.not.stringMatching(/FAKE-|mock-generated-secret-value/),
      ]);
    }
  });

  it("gives the shell only scripts it can parse (sh -n), before and after quoting for sudo", () => {
    const inner = (["fail2ban", "crowdsec", "suricata"] as const).flatMap((agent) => {
      const spec = agentSpec(agent, prod);
      return [
        [`${agent} install`, installScript(spec)],
        [`${agent} remove`, removeScript(spec)],
        [`${agent} apply`, spec.apply],
        [`${agent} stop`, spec.stop],
      ] as const;
    });
    for (const [name, inputs] of [
      ...first.entries(),
      ...inner.map(([name, script]) => [name, { create: script }] as const),
    ]) {
      for (const script of [inputs.create, (inputs as CommandInputs).delete].filter(
        (s): s is string => s !== undefined,
      )) {
        const parsed = spawnSync("sh", ["-n", "-c", script], { encoding: "utf8" });
        expect([name, parsed.status, parsed.stderr]).toEqual([name, 0, ""]);
      }
    }
  });

  it("checks the installed version against the pin's release line, keeping a later security update", () => {
    const script = installScript(agentSpec("fail2ban", prod));
    const current = `v=$(dpkg-query -W -f='\${Version}' 'fail2ban' 2>/dev/null) && dpkg --compare-versions "$v" ge '0.11.2-6' && case "$v" in 0.11.*) true ;; *) false ;; esac`;
    expect(script).toContain(`if ! { ${current}; }; then apt-get install`);
    expect(script).toContain(
      `if ! { ${current}; }; then echo "fail2ban: installed \${v:-nothing}, expected 0.11.2-6 or a later version of its release line 0.11.*" >&2; exit 1; fi`,
    );
  });
});

describe("the dev stack", () => {
  it("declares no host agent (security.enabled is false)", async () => {
    mocks.reset();
    const { ObservabilityStack } = await import("../../components");
    const { settings, secrets } = stackSettings("dev");
    new ObservabilityStack("dev", { settings, secrets });
    await settle();
    expect(mocks.resources.filter((r) => r.type === "koprogo:observability:HostAgent")).toEqual([]);
    expect(mocks.resources.filter((r) => r.name.startsWith("dev-security"))).toEqual([]);
  });
});
