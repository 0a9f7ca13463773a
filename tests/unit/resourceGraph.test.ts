import * as pulumi from "@pulumi/pulumi";
import { SERVICE_USERS } from "../../contract/serviceUsers";
import { isExactImageReference } from "../../settings";
import {
  GENERATED_SECRET,
  installPulumiMocks,
  promiseOf,
  secretInput,
  type RecordedResource,
} from "../helpers/pulumiMocks";
import { fakeSecretValue, stackSettings } from "../helpers/stacks";
import type { ObservabilityStack } from "../../components";
import { declareCommittedStack } from "../helpers/declaredStack";

const mocks = installPulumiMocks();
const CONTAINER = "docker:index/container:Container";
const VOLUME = "docker:index/volume:Volume";
const REMOTE_COMMAND = "command:remote:Command";
const LOCAL_COMMAND = "command:local:Command";

const declare = (stack: string): Promise<ObservabilityStack> => declareCommittedStack(mocks, stack);

function commands(): RecordedResource[] {
  return [...mocks.ofType(REMOTE_COMMAND), ...mocks.ofType(LOCAL_COMMAND)];
}

describe.each(["dev", "prod", "scale"])("the %s stack's resource graph", (stack) => {
  let declared: ObservabilityStack;
  beforeAll(async () => {
    declared = await declare(stack);
  });

  it("gives every container a memory limit with no swap beyond it", () => {
    const containers = mocks.ofType(CONTAINER);
    expect(containers.length).toBeGreaterThanOrEqual(3);
    for (const container of containers) {
      expect(container.inputs.memory).toBeGreaterThan(0);
      expect(container.inputs.memorySwap).toBe(container.inputs.memory);
    }
  });

  it("runs every container from an exact image version", () => {
    for (const container of mocks.ofType(CONTAINER))
      expect(isExactImageReference(container.inputs.image as string)).toBe(true);
  });

  it("gives every container a healthcheck and a restart policy", () => {
    for (const container of mocks.ofType(CONTAINER)) {
      expect((container.inputs.healthcheck as { tests: string[] }).tests[0]).toBe("CMD");
      expect(container.inputs.restart).toBe("unless-stopped");
    }
  });

  it("binds no published port to a wildcard address: loopback, or a private address for what other hosts reach", () => {
    const { settings } = stackSettings(stack);
    // The scale stack's Alertmanager peers publish their web and gossip ports on their hosts' private addresses.
    const privateAddresses = [
      settings.alertmanager.cluster?.monitoringHostAddress,
      ...settings.hosts.map((h) => h.address),
    ].filter((a): a is string => a !== undefined);
    for (const container of mocks.ofType(CONTAINER)) {
      for (const port of (container.inputs.ports ?? []) as { ip?: string }[])
        expect(["127.0.0.1", ...privateAddresses]).toContain(port.ip);
    }
  });

  it("keeps every data volume when it is deleted or replaced", () => {
    const volumes = mocks.ofType(VOLUME);
    expect(volumes.length).toBeGreaterThan(0);
    for (const volume of volumes) expect(mocks.optionsOf(VOLUME, volume.name)?.retainOnDelete).toBe(true);
  });

  it("mounts Prometheus's data on its named volume (no copy-up) and its configuration read-only", () => {
    const prometheus = mocks.one(CONTAINER, "-prometheus");
    expect(prometheus.inputs.mounts).toEqual([
      {
        type: "volume",
        source: "koprogo-obs-prometheus-data",
        target: "/prometheus",
        readOnly: false,
        volumeOptions: { noCopy: true },
      },
    ]);
    const volumes = prometheus.inputs.volumes as { hostPath?: string; containerPath: string; readOnly: boolean }[];
    expect(volumes).toContainEqual(expect.objectContaining({ containerPath: "/etc/prometheus", readOnly: true }));
    expect(prometheus.inputs.command).toEqual(
      expect.arrayContaining([
        `--storage.tsdb.retention.time=${stackSettings(stack).settings.prometheus.retention}`,
        "--web.config.file=/etc/prometheus/web.yml",
      ]),
    );
    // No lifecycle API: /-/quit would let a caller stop Prometheus; a change is a SIGHUP from the host.
    expect(prometheus.inputs.command).not.toContain("--web.enable-lifecycle");
  });

  it("reloads Prometheus with SIGHUP when a file changes, instead of replacing its container", () => {
    const reload = commands().find((c) => c.name === "koprogo-prometheus-reload");
    expect(reload?.inputs.create).toBeUndefined();
    expect(reload?.inputs.update).toContain("kill --signal=HUP 'koprogo-obs-prometheus'");
    expect(reload?.inputs.triggers).toBeUndefined();
  });

  it("keeps secrets out of every command's text and every container's inputs", () => {
    const visible = JSON.stringify([
      ...commands().map((c) => c.inputs.create),
      ...mocks.ofType(CONTAINER).map((c) => c.inputs),
    ]);
    expect(visible).not.toMatch(/FAKE-\w+-VALUE/);
    expect(visible).not.toContain(GENERATED_SECRET);
  });

  it("sends secret files through stdin marked secret", () => {
    // A file written from stdin (host/scripts.ts writeFileScript) with a secret's mode; a script that makes its own
    // 0600 file on the host from what is there (the bouncer's API key) sends nothing.
    const secretWrites = commands().filter(
      (c) => /chmod 0600/.test(String(c.inputs.create)) && /cat > "\$tmp"/.test(String(c.inputs.create)),
    );
    expect(secretWrites.length).toBeGreaterThan(0);
    for (const write of secretWrites) expect(secretInput(write.inputs.stdin).secret).toBe(true);
  });

  it("creates the containers after their files are written", () => {
    expect(declared.prometheus.container).toBeDefined();
  });

  it("never logs command output, which may hold file contents", () => {
    for (const command of commands()) expect(command.inputs.logging).toBe("none");
  });
});

describe("prod specifics", () => {
  beforeAll(async () => {
    await declare("prod");
  });

  it("reaches the VPS over SSH for every host command, and waits for Grafana's API from this machine", () => {
    expect(mocks.ofType(LOCAL_COMMAND).map((c) => c.name)).toEqual(["koprogo-grafana-ready"]);
    for (const command of mocks.ofType(REMOTE_COMMAND))
      expect(secretInput(command.inputs.connection).value).toMatchObject({ host: "vps.koprogo.com", user: "deploy" });
  });

  it("joins the application's network instead of creating it, and creates only its own five", () => {
    expect(
      mocks
        .ofType("docker:index/network:Network")
        .map((n) => n.inputs.name)
        .sort(),
    ).toEqual([
      "koprogo-obs-docker-api",
      "koprogo-obs-egress",
      "koprogo-obs-grafana-ingress",
      "koprogo-obs-monitoring",
      "koprogo-obs-probes",
    ]);
    const onApp = mocks
      .ofType(CONTAINER)
      .filter((c) =>
        (c.inputs.networksAdvanced as { name: string }[] | undefined)?.some((n) => n.name === "koprogo-network"),
      );
    // Grafana is not among them: Traefik reaches it on the grafana-ingress bridge, off the application's network.
    expect(onApp.map((c) => c.inputs.name).sort()).toEqual(["koprogo-obs-postgres-exporter", "koprogo-obs-prometheus"]);
  });

  it("drives Docker over SSH", () => {
    expect(mocks.one("pulumi:providers:docker", "-engine").inputs.host).toBe("ssh://deploy@vps.koprogo.com");
  });

  it("writes the metrics bearer token to a file readable by Prometheus only", () => {
    const write = mocks.ofType(REMOTE_COMMAND).find((c) => String(c.inputs.create).includes("metrics-bearer-token"));
    expect(write?.inputs.create).toContain("chmod 0600");
    expect(write?.inputs.create).toContain(`chown ${SERVICE_USERS.prometheus.uid}:${SERVICE_USERS.prometheus.uid}`);
    expect(secretInput(write?.inputs.stdin)).toEqual({ secret: true, value: fakeSecretValue("metricsBearerToken") });
  });
});

describe("dev specifics", () => {
  beforeAll(async () => {
    await declare("dev");
  });

  it("runs host commands on this machine", () => {
    expect(mocks.ofType(REMOTE_COMMAND)).toHaveLength(0);
    expect(mocks.ofType(LOCAL_COMMAND).length).toBeGreaterThan(0);
  });

  it("generates the monitoring role's password as a secret", async () => {
    expect(
      mocks
        .ofType("random:index/randomPassword:RandomPassword")
        .filter((p) => !p.name.startsWith("koprogo-grafana") && !p.name.startsWith("koprogo-web-"))
        .map((p) => p.name),
      // Beside it, the host's rerun key (the HMAC key of the commands' rerun digests), never a password to know.
    ).toEqual(["koprogo-postgres-exporter-password", "koprogo-host-rerun-key"]);
  });
});

test("promiseOf resolves outputs", async () => {
  expect(await promiseOf(pulumi.output(1))).toBe(1);
});
