/**
 * The host checks run before what they guard, on the prod stack's resource graph under the SDK's mocks: the Docker
 * provider (every container, volume, network and image of the stack) waits for the old-monitoring preflight
 * (host/oldMonitoring.ts), and each host agent's install, and through it its files and apply, waits for its
 * coexistence check (security/coexist.ts). Neither check has a delete or a trigger: a refusal leaves nothing
 * half-created, and nothing of theirs runs on destroy.
 */
import * as pulumi from "@pulumi/pulumi";
import { installPulumiMocks, settle, type RecordedResource } from "../helpers/pulumiMocks";
import { stackSettings } from "../helpers/stacks";

const mocks = installPulumiMocks();
const COMMAND = "command:remote:Command";

const dependsOnNames = (type: string, name: string): string[] => {
  const deps = mocks.optionsOf(type, name)?.dependsOn;
  const list = (Array.isArray(deps) ? deps : deps ? [deps] : []) as pulumi.Resource[];
  // A resource's logical name, as the SDK keeps it (the URN is an output; the name is known at once).
  return list.map((d) => (d as unknown as { __name?: string }).__name ?? "");
};

describe("the prod stack's host checks", () => {
  let commands: RecordedResource[];
  beforeAll(async () => {
    mocks.reset();
    const { ObservabilityStack } = await import("../../components");
    const { settings, secrets } = stackSettings("prod");
    new ObservabilityStack("koprogo", { settings, secrets }, { transformations: [mocks.recordOptions] });
    await settle();
    commands = mocks.ofType(COMMAND);
  });

  it("make the Docker engine's provider wait for the old-monitoring preflight", () => {
    const [provider] = mocks.ofType("pulumi:providers:docker");
    expect(dependsOnNames("pulumi:providers:docker", provider.name)).toEqual(["koprogo-host-old-monitoring-preflight"]);
    // Every container is declared with that provider.
    for (const container of mocks.ofType("docker:index/container:Container"))
      expect([container.name, container.provider]).toEqual([container.name, expect.stringContaining(provider.name)]);
  });

  it.each(["fail2ban", "crowdsec", "suricata"])("make %s's install wait for its coexistence check", (agent) => {
    expect(dependsOnNames(COMMAND, `koprogo-security-${agent}-install`)).toEqual([`koprogo-security-${agent}-coexist`]);
  });

  it("give neither check a delete nor a trigger", () => {
    const checks = commands.filter((c) => /-(old-monitoring-preflight|coexist)$/.test(c.name));
    expect(checks.map((c) => c.name).sort()).toEqual([
      "koprogo-host-old-monitoring-preflight",
      "koprogo-security-crowdsec-coexist",
      "koprogo-security-fail2ban-coexist",
      "koprogo-security-suricata-coexist",
    ]);
    for (const check of checks) {
      expect([check.name, check.inputs.delete, check.inputs.triggers]).toEqual([check.name, undefined, undefined]);
      expect(check.inputs.create).toEqual(expect.any(String));
    }
  });
});
