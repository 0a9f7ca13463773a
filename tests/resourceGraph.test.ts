import * as pulumi from "@pulumi/pulumi";
import { installPulumiMocks, promiseOf, settle } from "./helpers/pulumiMocks";
import { stackSettings } from "./helpers/stacks";

const mocks = installPulumiMocks();
const CONTAINER = "docker:index/container:Container";

describe.each(["dev"])("the %s stack's resource graph", (stack) => {
  beforeAll(async () => {
    mocks.reset();
    const { ObservabilityStack } = await import("../components");
    const { settings, secrets } = stackSettings(stack);
    new ObservabilityStack("koprogo", { settings, secrets });
    await settle();
  });

  it("gives every container a memory limit", () => {
    for (const container of mocks.ofType(CONTAINER)) expect(container.inputs.memory).toBeGreaterThan(0);
  });

  it("binds no published port to a wildcard address", () => {
    for (const container of mocks.ofType(CONTAINER)) {
      for (const port of (container.inputs.ports ?? []) as { ip?: string }[]) expect(port.ip).toBe("127.0.0.1");
    }
  });
});

test("promiseOf reads outputs", async () => {
  expect(await promiseOf(pulumi.output(1))).toBe(1);
});

test("records the containers", () => {
  expect(mocks.ofType(CONTAINER).map((c) => c.name).sort()).toEqual(["koprogo-alloy", "koprogo-loki", "koprogo-prometheus"]);
});
