import { parseStackConfig } from "../../settings";
import { prometheusConfig } from "../../prometheus/config";
import { clusterFlags } from "../../alertmanager/cluster";
import { lokiConfig } from "../../logs/loki";
import { problemsOf } from "../helpers/configProblems";

const none = new Set<string>();
const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBIgHMKRxkycQTctsSDWa9pydMYpd2fwcA9j5BUtTcbD";
const host = (name: string, address: string, extra: Record<string, unknown> = {}) => ({
  name,
  address,
  ssh: { hostKey: KEY },
  ...extra,
});

describe("multi-host settings are refused with the key path when they cannot work", () => {
  it.each<[string, Record<string, unknown>, string]>([
    [
      "a host name that is no label value",
      { hosts: [host("API 2", "10.0.0.2")] },
      "koprogo-observability:hosts.0.name: must be a short lower-case host name",
    ],
    [
      "a host address with a port",
      { hosts: [host("api-2", "10.0.0.2:9100")] },
      "koprogo-observability:hosts.0.address: must be an IP address or a DNS name",
    ],
    [
      "a shell injection in the address",
      { hosts: [host("api-2", "10.0.0.2;reboot")] },
      "koprogo-observability:hosts.0.address:",
    ],
    [
      "a host without a pinned host key",
      { hosts: [{ name: "api-2", address: "10.0.0.2", ssh: {} }] },
      "koprogo-observability:hosts.0.ssh.hostKey:",
    ],
    [
      "a host key that is no OpenSSH key",
      { hosts: [host("api-2", "10.0.0.2", { ssh: { hostKey: "AAAA" } })] },
      "koprogo-observability:hosts.0.ssh.hostKey:",
    ],
    [
      "two hosts of one name",
      { hosts: [host("api-2", "10.0.0.2"), host("api-2", "10.0.0.3")] },
      "koprogo-observability:hosts.1.name: duplicates hosts[0].name",
    ],
    [
      "a host named like the monitoring host",
      { hosts: [host("vps", "10.0.0.2")] },
      "koprogo-observability:hosts.0.name: must differ from the monitoring host's name",
    ],
    [
      "a label the stack sets itself",
      { hosts: [host("api-2", "10.0.0.2", { labels: { instance: "x" } })] },
      "koprogo-observability:hosts.0.labels.instance:",
    ],
    [
      "a template in a label value",
      { hosts: [host("api-2", "10.0.0.2", { labels: { zone: "{{ .Values }}" } })] },
      "koprogo-observability:hosts.0.labels.zone: must be 1 to 63",
    ],
    [
      "a cluster of one",
      { alertmanager: { cluster: { peers: ["vps"], monitoringHostAddress: "10.0.0.1" } } },
      "koprogo-observability:alertmanager.cluster.peers: must name 2 or 3 peers",
    ],
    [
      "a peer that is no host",
      {
        hosts: [host("api-2", "10.0.0.2")],
        alertmanager: { cluster: { peers: ["vps", "api-3"], monitoringHostAddress: "10.0.0.1" } },
      },
      "koprogo-observability:alertmanager.cluster.peers.1: must be the monitoring host (vps) or one of hosts[].name",
    ],
    [
      "a cluster without the monitoring host",
      {
        hosts: [host("api-2", "10.0.0.2"), host("api-3", "10.0.0.3")],
        alertmanager: { cluster: { peers: ["api-2", "api-3"], monitoringHostAddress: "10.0.0.1" } },
      },
      "koprogo-observability:alertmanager.cluster.peers: must include the monitoring host",
    ],
    [
      "a store written in clear without auth",
      { prometheus: { remoteWrite: { kind: "victoriametrics", url: "http://vm:8428/api/v1/write" } } },
      "koprogo-observability:prometheus.remoteWrite.username: is required for an http:// store",
    ],
    [
      "Mimir without a tenant",
      { prometheus: { remoteWrite: { kind: "mimir", url: "https://mimir/api/v1/push", username: "p" } } },
      "koprogo-observability:prometheus.remoteWrite.tenant: is required when kind is mimir",
    ],
    [
      "a replica without a store",
      { prometheus: { replica: "a" } },
      "koprogo-observability:prometheus.replica: needs prometheus.remoteWrite",
    ],
    [
      "a queue too large for the VPS",
      { prometheus: { remoteWrite: { kind: "thanos", url: "https://t/api/v1/receive", queue: { maxShards: 500 } } } },
      "koprogo-observability:prometheus.remoteWrite.queue.maxShards:",
    ],
    [
      "a bucket name S3 refuses",
      { loki: { storage: { kind: "s3", endpoint: "minio:9000", bucket: "Loki_Logs", accessKeyId: "loki" } } },
      "koprogo-observability:loki.storage.bucket: must be an S3 bucket name",
    ],
  ])("refuses %s", (_case, values, expected) => {
    const problems = problemsOf(values);
    expect(problems.find((p) => p.startsWith(expected))).toBeDefined();
  });

  it("asks for the store's password and the bucket's secret key as secrets", () => {
    const problems = problemsOf({
      environment: "staging",
      postgresExporter: { manageRole: true },
      prometheus: {
        remoteWrite: { kind: "victoriametrics", url: "https://vm:8428/api/v1/write", username: "prometheus" },
      },
      loki: { storage: { kind: "s3", endpoint: "minio:9000", bucket: "loki", accessKeyId: "loki" } },
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^koprogo-observability:remoteWritePassword: is required because prometheus.remoteWrite.username is set/,
        ),
        expect.stringMatching(/^koprogo-observability:lokiS3SecretKey: is required because loki.storage is set/),
      ]),
    );
  });
});

describe("a stack of three hosts, two Alertmanagers and a long-term store", () => {
  const { settings } = parseStackConfig(
    "dev",
    {
      hosts: [
        host("api-2", "10.0.0.12", { labels: { zone: "fsn1" } }),
        host("db-1", "10.0.0.13", { role: "database" }),
      ],
      alertmanager: { cluster: { peers: ["vps", "api-2"], monitoringHostAddress: "10.0.0.10" } },
      prometheus: {
        replica: "a",
        remoteWrite: { kind: "victoriametrics", url: "https://vm:8428/api/v1/write", username: "prometheus" },
      },
      loki: {
        storage: { kind: "s3", endpoint: "koprogo-minio:9000", bucket: "loki", accessKeyId: "loki", insecure: true },
      },
      remoteWritePassword: "secret",
      lokiS3SecretKey: "secret",
    },
    new Set(["remoteWritePassword", "lokiS3SecretKey"]),
  );
  const config = prometheusConfig(settings) as unknown as {
    alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
    scrape_configs: { job_name: string; static_configs: { targets: string[]; labels?: Record<string, string> }[] }[];
    remote_write: { url: string }[];
    global: { external_labels: Record<string, string> };
  };

  it("sends every alert to every Alertmanager of the cluster, never through a balancer", () => {
    expect(config.alerting.alertmanagers[0].static_configs[0].targets).toEqual([
      "koprogo-obs-alertmanager:9093",
      "10.0.0.12:9093",
    ]);
  });

  it("scrapes each further host's node exporter as job node with the host as instance", () => {
    const hostsJob = config.scrape_configs.find((j) => j.job_name === "node-hosts")!;
    expect(hostsJob.static_configs).toEqual([
      { targets: ["10.0.0.12:9100"], labels: { instance: "api-2", role: "api", zone: "fsn1" } },
      { targets: ["10.0.0.13:9100"], labels: { instance: "db-1", role: "database" } },
    ]);
    expect(hostsJob).toMatchObject({
      scheme: "https",
      basic_auth: { username: "prometheus" },
      relabel_configs: [{ target_label: "job", replacement: "node" }],
    });
  });

  it("writes to the store and labels its replica", () => {
    expect(config.remote_write[0].url).toBe("https://vm:8428/api/v1/write");
    expect(config.global.external_labels).toEqual({ environment: "dev", replica: "a" });
  });

  it("binds each Alertmanager's gossip to its private address and names the other peers", () => {
    expect(clusterFlags(settings, "vps")).toEqual(
      expect.arrayContaining([
        "--cluster.listen-address=0.0.0.0:9094",
        "--cluster.advertise-address=10.0.0.10:9094",
        "--cluster.peer=10.0.0.12:9094",
      ]),
    );
    expect(clusterFlags(settings, "api-2", "native")).toEqual(
      expect.arrayContaining(["--cluster.listen-address=10.0.0.12:9094", "--cluster.peer=10.0.0.10:9094"]),
    );
    expect(
      clusterFlags(settings, "vps").some((f) => f.includes("10.0.0.10:9094") && f.startsWith("--cluster.peer")),
    ).toBe(false);
  });

  it("keeps Loki's chunks, index and delete requests on the bucket, with retention still on", () => {
    const loki = lokiConfig(settings) as unknown as {
      common: { storage: Record<string, unknown> };
      schema_config: { configs: { object_store: string }[] };
      compactor: { retention_enabled: boolean; delete_request_store: string };
      storage_config: Record<string, unknown>;
    };
    expect(loki.common.storage).toEqual({
      s3: {
        endpoint: "koprogo-minio:9000",
        bucketnames: "loki",
        region: "us-east-1",
        insecure: true,
        s3forcepathstyle: true,
      },
    });
    expect(loki.schema_config.configs[0].object_store).toBe("s3");
    expect(loki.compactor).toMatchObject({ retention_enabled: true, delete_request_store: "s3" });
    expect(loki.storage_config.filesystem).toBeUndefined();
    expect(JSON.stringify(loki)).not.toContain("secret_access_key");
  });

  it("one VPS without these settings renders exactly as before: one Alertmanager, no remote write, no replica label", () => {
    const single = prometheusConfig(parseStackConfig("dev", {}, none).settings) as unknown as Record<
      string,
      unknown
    > & { global: { external_labels: Record<string, string> } };
    expect(single.remote_write).toBeUndefined();
    expect(single.global.external_labels).toEqual({ environment: "dev" });
    expect(clusterFlags(parseStackConfig("dev", {}, none).settings, "vps")).toEqual(["--cluster.listen-address="]);
  });
});
