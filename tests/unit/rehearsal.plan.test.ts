/** The rehearsal's plans follow the engine's documented order (rehearsal/plan.ts), on small hand-made graphs. */
import type { GraphResource } from "../../rehearsal/graph";
import { changePlan, destroyPlan, firstDeployPlan, needsDocker, needsInternet } from "../../rehearsal/plan";

const COMMAND = "command:remote:Command";

function command(name: string, inputs: Record<string, unknown>, options: Partial<GraphResource> = {}): GraphResource {
  return {
    urn: `urn:${name}`,
    type: COMMAND,
    name,
    parent: "",
    order: 0,
    dependencies: [],
    deleteBeforeReplace: false,
    retainOnDelete: false,
    replaceOnChanges: ["triggers[*]"],
    inputs,
    ...options,
  };
}

const install = command("install", { create: "install", delete: "purge", triggers: ["v1"] }, { order: 0 });
const write = command(
  "write",
  { create: "write", delete: "rm", stdin: "a", triggers: ["h1"] },
  { order: 1, dependencies: ["urn:install"] },
);

describe("rehearsal plans", () => {
  it("creates in dependency order, whatever the request order", () => {
    expect(
      firstDeployPlan([
        { ...write, order: 0 },
        { ...install, order: 1 },
      ]).map((s) => s.command.name),
    ).toEqual(["install", "write"]);
  });

  it("destroys in reverse dependency order", () => {
    expect(destroyPlan([install, write]).map((s) => `${s.command.name}:${s.script}`)).toEqual([
      "write:rm",
      "install:purge",
    ]);
  });

  it("replaces a command whose trigger changed create-before-delete: the old delete runs after the new create", () => {
    const steps = changePlan([install, write], [install, { ...write, inputs: { ...write.inputs, triggers: ["h2"] } }]);
    expect(steps.map((s) => `${s.operation}:${s.script}`)).toEqual(["create:write", "delete:rm"]);
  });

  it("deletes first with deleteBeforeReplace", () => {
    const steps = changePlan(
      [install, write],
      [install, { ...write, deleteBeforeReplace: true, inputs: { ...write.inputs, triggers: ["h2"] } }],
    );
    expect(steps.map((s) => `${s.operation}:${s.script}`)).toEqual(["delete:rm", "create:write"]);
  });

  it("replaces on a trigger change even with an update script (@pulumi/command's replaceOnChanges)", () => {
    const withUpdate = { ...write, inputs: { ...write.inputs, update: "rewrite" } };
    const steps = changePlan([withUpdate], [{ ...withUpdate, inputs: { ...withUpdate.inputs, triggers: ["h2"] } }]);
    expect(steps.map((s) => s.operation)).toEqual(["create", "delete"]);
  });

  it("updates in place on any other input change, running update or else create", () => {
    expect(
      changePlan([write], [{ ...write, inputs: { ...write.inputs, stdin: "b" } }]).map(
        (s) => `${s.operation}:${s.script}`,
      ),
    ).toEqual(["update:write"]);
    const withUpdate = { ...write, inputs: { ...write.inputs, update: "rewrite" } };
    expect(
      changePlan([withUpdate], [{ ...withUpdate, inputs: { ...withUpdate.inputs, stdin: "b" } }]).map((s) => s.script),
    ).toEqual(["rewrite"]);
  });

  it("runs nothing for an unchanged graph, and deletes what left the program", () => {
    expect(changePlan([install, write], [install, write])).toEqual([]);
    expect(changePlan([install, write], [install]).map((s) => `${s.operation}:${s.command.name}`)).toEqual([
      "delete:write",
    ]);
  });

  it.each([
    ["set -eu\ncscli hub update >/dev/null", true],
    ["s='set -eu\nsuricata-update update-sources >/dev/null'", true],
    ["suricata-update\nsuricata -T", true],
    ["suricata-update --offline", false],
    ["apt-get install -y 'suricata-update'", false],
    ["systemctl enable --now koprogo-suricata-update.timer", false],
    ["[ -s k ] || curl -fsSL 'https://x' | gpg --dearmor -o k", true],
  ])("detects a vendor download in %j: %s", (script, expected) => {
    expect(needsInternet(script)).toBe(expected);
  });

  it.each([
    ["docker kill --signal=HUP x", true],
    ['if [ "$(docker inspect x)" ]; then :; fi', true],
    ["s='docker restart x'", true],
    ["apt-get install dockerd-helper", false],
    ["echo nodocker", false],
  ])("detects the docker CLI in %j: %s", (script, expected) => {
    expect(needsDocker(script)).toBe(expected);
  });
});
