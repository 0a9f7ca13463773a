/** The scale example stack's resource graph under the SDK's mocks: what the multi-host settings change in containers. */
import { installPulumiMocks, settle, type RecordedResource } from "./helpers/pulumiMocks";
import { stackSettings } from "./helpers/stacks";

const mocks = installPulumiMocks("koprogo-observability", "scale");
const CONTAINER = "docker:index/container:Container";

describe("the scale stack's resource graph", () => {
  let alertmanager: RecordedResource;
  let loki: RecordedResource;
  beforeAll(async () => {
    const { ObservabilityStack } = await import("../components");
    const { settings, secrets } = stackSettings("scale");
    new ObservabilityStack("koprogo", { settings, secrets });
    await settle();
    alertmanager = mocks.one(CONTAINER, "-alertmanager");
    loki = mocks.one(CONTAINER, "-loki");
  });

  it("publishes Alertmanager's gossip on the monitoring host's private address only, TCP and UDP", () => {
    const gossip = (alertmanager.inputs.ports as { internal: number; external: number; ip: string; protocol: string }[]).filter((p) => p.internal === 9094);
    expect(gossip).toEqual([
      { internal: 9094, external: 9094, ip: "10.0.0.10", protocol: "tcp" },
      { internal: 9094, external: 9094, ip: "10.0.0.10", protocol: "udp" },
    ]);
  });

  it("starts Alertmanager as a peer of the cluster, advertising its private address", () => {
    expect(alertmanager.inputs.command).toEqual(expect.arrayContaining(["--cluster.listen-address=0.0.0.0:9094", "--cluster.advertise-address=10.0.0.10:9094", "--cluster.peer=10.0.0.12:9094"]));
  });

  it("keeps Loki on its local volume when no bucket is configured", () => {
    expect((loki.inputs.envs as string[]).some((e) => e.startsWith("AWS_SHARED_CREDENTIALS_FILE="))).toBe(false);
  });
});
