/** The scale example stack's resource graph under the SDK's mocks: what the multi-host settings change in containers. */
import { installPulumiMocks, secretInput, settle, type RecordedResource } from "../helpers/pulumiMocks";
import { stackSettings } from "../helpers/stacks";
import { IMAGES } from "../../settings";

const mocks = installPulumiMocks("koprogo-observability", "scale");
const CONTAINER = "docker:index/container:Container";

const REMOTE_COMMAND = "command:remote:Command";

/** The SSH host of a remote command's connection (the mocks pass inputs through as plain objects). */
function connectionHost(command: RecordedResource): string {
  return (secretInput(command.inputs.connection).value as { host: string }).host;
}

describe("the scale stack's resource graph", () => {
  let alertmanager: RecordedResource;
  let loki: RecordedResource;
  beforeAll(async () => {
    const { ObservabilityStack } = await import("../../components");
    const { settings, secrets } = stackSettings("scale");
    new ObservabilityStack("koprogo", { settings, secrets }, { transformations: [mocks.recordOptions] });
    await settle();
    alertmanager = mocks.one(CONTAINER, "koprogo-alertmanager");
    loki = mocks.one(CONTAINER, "-loki");
  });

  it("gives each further host its own Docker engine over SSH, and the VPS's engine none of their containers", () => {
    const engines = mocks
      .ofType("pulumi:providers:docker")
      .map((p) => p.inputs.host)
      .sort();
    expect(engines).toEqual(["ssh://deploy@10.0.0.12:22", "ssh://deploy@10.0.0.13:22", "ssh://deploy@vps.koprogo.com"]);
  });

  it("runs a node exporter on each further host, on its private address, behind TLS and its logins", () => {
    for (const [host, address] of [
      ["api-2", "10.0.0.12"],
      ["db-1", "10.0.0.13"],
    ]) {
      const exporter = mocks.one(CONTAINER, `-host-${host}-node-exporter`);
      expect(exporter.inputs.command).toEqual(
        expect.arrayContaining([
          `--web.listen-address=${address}:9100`,
          "--web.config.file=/etc/node-exporter/web.yml",
        ]),
      );
      expect(exporter.inputs.networkMode).toBe("host");
      expect(JSON.stringify(exporter.inputs.healthcheck)).toContain(`https://nodeExporter:`);
    }
  });

  it("writes each further host's TLS key and web config on that host only, over its pinned key", () => {
    const writes = mocks
      .ofType(REMOTE_COMMAND)
      .filter((c) => /node-exporter\/(tls\.key|web\.yml)/.test(String(c.inputs.create)));
    const byHost = (host: string) =>
      writes
        .filter((w) => connectionHost(w) === host)
        .map((w) => /node-exporter\/(tls\.key|web\.yml)'/.exec(String(w.inputs.create))?.[0].slice(0, -1))
        .sort();
    expect(byHost("10.0.0.12")).toEqual(["node-exporter/tls.key", "node-exporter/web.yml"]);
    expect(byHost("10.0.0.13")).toEqual(["node-exporter/tls.key", "node-exporter/web.yml"]);
    // The VPS gets its own plain-HTTP web config, and no host's key.
    expect(byHost("vps.koprogo.com")).toEqual(["node-exporter/web.yml"]);
    for (const write of writes)
      expect((secretInput(write.inputs.connection).value as { hostKey?: string }).hostKey).toMatch(/^ssh-ed25519 /);
  });

  it("generates the hosts' CA and serving certificate with every host address as a SAN", () => {
    expect(mocks.ofType("tls:index/selfSignedCert:SelfSignedCert")).toHaveLength(1);
    // The log gateway's address (the monitoring host's private one) too: the hosts' Alloy verify it against the same CA.
    expect(mocks.one("tls:index/certRequest:CertRequest", "-hosts-tls-request").inputs.ipAddresses).toEqual([
      "10.0.0.10",
      "10.0.0.12",
      "10.0.0.13",
    ]);
  });

  it("runs the second Alertmanager peer on api-2, published on its private address, and none on db-1", () => {
    const peer = mocks.one(CONTAINER, "-host-api-2-alertmanager");
    expect(peer.inputs.command).toEqual(
      expect.arrayContaining(["--cluster.advertise-address=10.0.0.12:9094", "--cluster.peer=10.0.0.10:9094"]),
    );
    const ports = peer.inputs.ports as { internal: number; ip: string; protocol: string }[];
    expect(ports.map((p) => `${p.ip}:${p.internal}/${p.protocol}`).sort()).toEqual([
      "10.0.0.12:9093/tcp",
      "10.0.0.12:9094/tcp",
      "10.0.0.12:9094/udp",
    ]);
    expect(mocks.ofType(CONTAINER).filter((c) => c.name.includes("-host-db-1-alertmanager"))).toHaveLength(0);
  });

  it("installs the host security agents on every host", () => {
    const agentHosts = new Set(
      mocks
        .ofType(REMOTE_COMMAND)
        .filter((c) => /-security-fail2ban/.test(c.name))
        .map(connectionHost),
    );
    expect([...agentHosts].sort()).toEqual(["10.0.0.12", "10.0.0.13", "vps.koprogo.com"]);
  });

  it("publishes Alertmanager's gossip on the monitoring host's private address only, TCP and UDP", () => {
    const gossip = (
      alertmanager.inputs.ports as { internal: number; external: number; ip: string; protocol: string }[]
    ).filter((p) => p.internal === 9094);
    expect(gossip).toEqual([
      { internal: 9094, external: 9094, ip: "10.0.0.10", protocol: "tcp" },
      { internal: 9094, external: 9094, ip: "10.0.0.10", protocol: "udp" },
    ]);
  });

  it("starts Alertmanager as a peer of the cluster, advertising its private address", () => {
    expect(alertmanager.inputs.command).toEqual(
      expect.arrayContaining([
        "--cluster.listen-address=0.0.0.0:9094",
        "--cluster.advertise-address=10.0.0.10:9094",
        "--cluster.peer=10.0.0.12:9094",
      ]),
    );
  });

  it("runs the log gateway on the monitoring host only, published on its private address only", () => {
    const gateways = mocks.ofType(CONTAINER).filter((c) => c.inputs.image === IMAGES.logGateway);
    expect(gateways.map((g) => g.inputs.name)).toEqual(["koprogo-obs-log-gateway"]);
    const gateway = gateways[0];
    expect(gateway.provider).toContain("koprogo-host-engine");
    expect(gateway.inputs.ports).toEqual([{ internal: 3101, external: 3101, ip: "10.0.0.10", protocol: "tcp" }]);
    expect((gateway.inputs.networksAdvanced as { name: string }[]).map((n) => n.name).sort()).toEqual([
      "koprogo-obs-log-ingress",
      "koprogo-obs-monitoring",
    ]);
    expect(gateway.inputs).toMatchObject({
      user: "64310:64310",
      capabilities: { drops: ["ALL"] },
      securityOpts: ["no-new-privileges:true"],
      memory: 32,
    });
    expect(gateway.inputs.command).toEqual(["/usr/sbin/nginx", "-e", "stderr", "-c", "/etc/nginx/gateway/nginx.conf"]);
    // The log ingress bridge is the gateway's alone.
    const onIngress = mocks
      .ofType(CONTAINER)
      .filter((c) =>
        ((c.inputs.networksAdvanced ?? []) as { name: string }[]).some((n) => n.name === "koprogo-obs-log-ingress"),
      );
    expect(onIngress).toEqual([gateway]);
  });

  it("writes the gateway's logins and key on the monitoring host only, for the gateway's uid", () => {
    const writes = mocks
      .ofType(REMOTE_COMMAND)
      .filter((c) => /log-gateway\/(users|tls\.key)'/.test(String(c.inputs.create)));
    expect(writes.map(connectionHost)).toEqual(["vps.koprogo.com", "vps.koprogo.com"]);
    for (const write of writes) expect(String(write.inputs.create)).toContain("64310");
  });

  it("runs an Alloy on each further host, on that host's engine, listening inside its container only", () => {
    for (const host of ["api-2", "db-1"]) {
      const alloy = mocks.one(CONTAINER, `-host-${host}-alloy`);
      expect(alloy.inputs.image).toBe(IMAGES.alloy);
      expect(alloy.provider).toContain(`koprogo-host-${host}-engine`);
      expect(alloy.inputs.command).toEqual(
        expect.arrayContaining(["--server.http.listen-addr=127.0.0.1:12345", "/etc/alloy/config.alloy"]),
      );
      expect(alloy.inputs.ports ?? []).toEqual([]);
      // The host's logs read-only; no Docker socket.
      const mounts = alloy.inputs.volumes as { hostPath?: string; containerPath: string; readOnly: boolean }[];
      expect(mounts.filter((m) => m.hostPath).every((m) => m.readOnly)).toBe(true);
      expect(mounts.some((m) => m.hostPath?.endsWith(".sock"))).toBe(false);
    }
  });

  it("writes each further host's Alloy config, gateway password and CA on that host only", () => {
    const file = /alloy\/(config\.alloy|secrets\/gateway-password|secrets\/hosts-ca\.crt)'/;
    const writes = mocks.ofType(REMOTE_COMMAND).filter((c) => file.test(String(c.inputs.create)));
    const byHost = (address: string) =>
      writes
        .filter((w) => connectionHost(w) === address)
        .map((w) => `alloy/${file.exec(String(w.inputs.create))![1]}`)
        .sort();
    for (const address of ["10.0.0.12", "10.0.0.13"])
      expect(byHost(address)).toEqual([
        "alloy/config.alloy",
        "alloy/secrets/gateway-password",
        "alloy/secrets/hosts-ca.crt",
      ]);
    expect(byHost("vps.koprogo.com")).toEqual(["alloy/config.alloy"]);
  });

  it("keeps Loki on its local volume when no bucket is configured", () => {
    expect((loki.inputs.envs as string[]).some((e) => e.startsWith("AWS_SHARED_CREDENTIALS_FILE="))).toBe(false);
  });
});
