/**
 * The monitoring plane as an attacker on the application's network sees it, read from the prod resource graph:
 * which networks exist and who is on them, which container holds the Docker socket and what it lets through,
 * which uid each container runs as and who owns each secret file, and how each server checks its callers.
 */
import { INTERNAL_NETWORKS, NETWORK_MEMBERS } from "../../contract/networks";
import { SERVICE_USERS, type StackService } from "../../contract/serviceUsers";
import { SOCKET_PROXY_ALLOW_GET, SOCKET_PROXY_ALLOW_HEAD } from "../../logs/socketProxy";
import { containerName, IMAGES, SERVICE_NAMES, socketProxyName } from "../../settings";
import { installPulumiMocks, settle, type RecordedResource } from "../helpers/pulumiMocks";
import { stackSettings } from "../helpers/stacks";

const mocks = installPulumiMocks();
const CONTAINER = "docker:index/container:Container";
const NETWORK = "docker:index/network:Network";
const REMOTE_COMMAND = "command:remote:Command";

const { settings, secrets } = stackSettings("prod");
const NAMES: Record<StackService, string> = {
  ...(Object.fromEntries(SERVICE_NAMES.map((s) => [s, containerName(settings, s)])) as Record<
    Exclude<StackService, "socketProxy">,
    string
  >),
  socketProxy: socketProxyName(settings),
};

beforeAll(async () => {
  mocks.reset();
  const { ObservabilityStack } = await import("../../components");
  new ObservabilityStack("koprogo", { settings, secrets });
  await settle();
});

const container = (service: StackService): RecordedResource => {
  const found = mocks.ofType(CONTAINER).find((c) => c.inputs.name === NAMES[service]);
  if (!found) throw new Error(`no container ${NAMES[service]}`);
  return found;
};
const networksOf = (service: StackService) =>
  ((container(service).inputs.networksAdvanced ?? []) as { name: string; ipv4Address?: string }[])
    .map((n) => n.name)
    .sort();
const mounts = (service: StackService) =>
  (container(service).inputs.volumes ?? []) as { hostPath?: string; containerPath: string; readOnly: boolean }[];
const command = (service: StackService) => container(service).inputs.command as string[];

describe("networks by need", () => {
  it("creates the monitoring and Docker API networks internal (no route out, nothing published), egress not", () => {
    const byName = Object.fromEntries(mocks.ofType(NETWORK).map((n) => [n.inputs.name, n.inputs]));
    expect(byName["koprogo-obs-monitoring"]).toMatchObject({
      internal: true,
      ipamConfigs: [{ subnet: "172.31.213.0/24", gateway: "172.31.213.1" }],
    });
    expect(byName["koprogo-obs-docker-api"]).toMatchObject({ internal: true });
    expect(byName["koprogo-obs-egress"]).toMatchObject({ internal: false });
    // Grafana and Traefik only; not internal, for Grafana's loopback-published port.
    expect(byName["koprogo-obs-grafana-ingress"]).toMatchObject({ internal: false });
    expect(INTERNAL_NETWORKS).toEqual(["monitoring", "dockerApi"]);
  });

  it.each([
    ["prometheus", ["koprogo-network", "koprogo-obs-monitoring"]],
    ["grafana", ["koprogo-obs-grafana-ingress", "koprogo-obs-monitoring"]],
    ["postgresExporter", ["koprogo-network", "koprogo-obs-monitoring"]],
    ["alertmanager", ["koprogo-obs-egress", "koprogo-obs-monitoring"]],
    ["loki", ["koprogo-obs-monitoring"]],
    ["alloy", ["koprogo-obs-docker-api", "koprogo-obs-monitoring"]],
    ["socketProxy", ["koprogo-obs-docker-api"]],
  ] as [StackService, string[]][])("puts %s on exactly %j", (service, expected) => {
    expect(networksOf(service)).toEqual(expected);
  });

  it("leaves Alertmanager, Loki, Alloy, the socket proxy and Grafana off the application's network", () => {
    for (const service of ["alertmanager", "loki", "alloy", "socketProxy", "grafana"] as const)
      expect(networksOf(service)).not.toContain("koprogo-network");
  });

  it("puts only Grafana of the stack on its ingress network, and has the application's Traefik join it", () => {
    const members = (
      ["prometheus", "alertmanager", "loki", "alloy", "socketProxy", "postgresExporter", "grafana"] as const
    ).filter((service) => networksOf(service).includes("koprogo-obs-grafana-ingress"));
    expect(members).toEqual(["grafana"]);
    const join = mocks.resources.find((r) => r.name.endsWith("-traefik-joins"));
    expect(String(join?.inputs.create)).toContain("network connect 'koprogo-obs-grafana-ingress' 'koprogo-traefik'");
  });

  it("shares the egress network with nobody but Alertmanager, and the Docker API network with nobody but Alloy", () => {
    const on = (network: string) =>
      mocks
        .ofType(CONTAINER)
        .filter((c) => ((c.inputs.networksAdvanced ?? []) as { name: string }[]).some((n) => n.name === network))
        .map((c) => c.inputs.name);
    expect(on("koprogo-obs-egress")).toEqual([NAMES.alertmanager]);
    expect(on("koprogo-obs-docker-api").sort()).toEqual([NAMES.alloy, NAMES.socketProxy].sort());
  });

  it("runs the node exporter in the host's namespace, listening on the docker0 gateway address only", () => {
    expect(container("nodeExporter").inputs.networkMode).toBe("host");
    expect(command("nodeExporter")).toContain("--web.listen-address=172.17.0.1:9100");
    expect(NETWORK_MEMBERS.nodeExporter).toBe("host");
  });

  it("binds Alloy's HTTP server to its fixed monitoring address, not 0.0.0.0", () => {
    expect(command("alloy")).toContain("--server.http.listen-addr=172.31.213.250:12345");
    expect(
      (container("alloy").inputs.networksAdvanced as { name: string; ipv4Address?: string }[]).find(
        (n) => n.name === "koprogo-obs-monitoring",
      )?.ipv4Address,
    ).toBe("172.31.213.250");
  });
});

describe("no Docker API for the log shipper", () => {
  const sockets = () =>
    mocks
      .ofType(CONTAINER)
      .filter((c) => ((c.inputs.volumes ?? []) as { hostPath?: string }[]).some((v) => v.hostPath?.endsWith(".sock")));

  it("mounts the Docker socket into the socket proxy alone, read-only", () => {
    expect(sockets().map((c) => c.inputs.name)).toEqual([NAMES.socketProxy]);
    expect(mounts("socketProxy")).toEqual([
      { hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock", readOnly: true },
    ]);
  });

  it("runs the pinned proxy with no capability, a read-only root and no new privileges", () => {
    expect(container("socketProxy").inputs).toMatchObject({
      image: IMAGES.socketProxy,
      capabilities: { drops: ["ALL"] },
      readOnly: true,
      securityOpts: ["no-new-privileges:true"],
    });
  });

  it("answers Alloy only, and only GET and HEAD (no POST: nothing can create, start or exec a container)", () => {
    const flags = command("socketProxy");
    expect(flags).toContain(`-allowfrom=${NAMES.alloy}`);
    expect(flags.filter((f) => /^-allow[A-Z]+=/.test(f)).map((f) => f.slice(0, f.indexOf("=")))).toEqual([
      "-allowGET",
      "-allowHEAD",
    ]);
  });

  // The proxy anchors each pattern (^...$) and matches the URL path only (components/socketProxy.ts).
  const allowed = (pattern: string, path: string) => new RegExp(`^${pattern}$`).test(path);

  it.each([
    "/_ping",
    "/v1.47/_ping",
    "/v1.47/containers/json",
    "/v1.47/networks",
    "/v1.47/containers/3f2a9c/json",
    "/v1.47/containers/koprogo-backend/logs",
  ])("lets Alloy GET %s", (path) => {
    expect(allowed(SOCKET_PROXY_ALLOW_GET, path)).toBe(true);
  });

  it.each([
    "/v1.47/containers/3f2a9c/archive",
    "/v1.47/containers/3f2a9c/export",
    "/v1.47/containers/3f2a9c/exec",
    "/v1.47/images/json",
    "/v1.47/info",
    "/v1.47/events",
    "/v1.47/secrets",
    "/v1.47/containers/3f2a9c/json/../archive",
    "/v1.47/containers/x/logs/extra",
    "/containers/create",
  ])("refuses GET %s", (path) => {
    expect(allowed(SOCKET_PROXY_ALLOW_GET, path)).toBe(false);
  });

  it("lets HEAD reach /_ping only", () => {
    expect(allowed(SOCKET_PROXY_ALLOW_HEAD, "/v1.47/_ping")).toBe(true);
    expect(allowed(SOCKET_PROXY_ALLOW_HEAD, "/v1.47/containers/json")).toBe(false);
  });

  it("points Alloy at the proxy and gives it no socket", () => {
    expect(mounts("alloy").some((m) => m.hostPath?.endsWith(".sock"))).toBe(false);
  });
});

describe("secrets readable by their one reader", () => {
  it("runs every container as the uid of contract/serviceUsers.ts", () => {
    for (const service of Object.keys(NAMES) as StackService[]) {
      const { uid, gid } = SERVICE_USERS[service];
      expect(`${service}: ${container(service).inputs.user}`).toBe(`${service}: ${uid}:${gid}`);
    }
  });

  it("gives each service that reads a secret its own uid, none of them nobody or root", () => {
    const readers: StackService[] = ["prometheus", "alertmanager", "nodeExporter", "postgresExporter", "grafana"];
    const uids = readers.map((s) => SERVICE_USERS[s].uid);
    expect(new Set(uids).size).toBe(readers.length);
    for (const uid of uids) expect([0, 65534]).not.toContain(uid);
    // Loki too: its own uid; only Alloy (root-owned host logs) and the proxy (the socket) run as root, each with a reason.
    expect(SERVICE_USERS.loki.uid).not.toBe(0);
    for (const service of ["alloy", "socketProxy"] as const) expect(SERVICE_USERS[service].why).toBeDefined();
  });

  it("owns every secret file by the uid of the one service whose directory it is in", () => {
    const dirOwner: [string, StackService][] = [
      ["/prometheus/", "prometheus"],
      ["/alertmanager/", "alertmanager"],
      ["/node-exporter/", "nodeExporter"],
      ["/postgres-exporter/", "postgresExporter"],
      ["/grafana/", "grafana"],
    ];
    // Secret files are written 0600/0400 (host/scripts.ts writeFileScript); every write chowns, the others to root.
    const secretWrites = mocks.ofType(REMOTE_COMMAND).filter((c) => /chmod 0[46]00 /.test(String(c.inputs.create)));
    const checked = new Set<string>();
    for (const write of secretWrites.filter((c) =>
      /koprogo-observability\/koprogo-obs\//.test(String(c.inputs.create)),
    )) {
      const script = String(write.inputs.create);
      const owner = dirOwner.find(([dir]) => script.includes(`/koprogo-obs${dir}`));
      if (!owner) continue;
      const chown = /chown (\d+):\d+/.exec(script)?.[1];
      expect(`${write.name}: ${chown}`).toBe(`${write.name}: ${SERVICE_USERS[owner[1]].uid}`);
      checked.add(owner[1]);
    }
    expect([...checked].sort()).toEqual(["alertmanager", "grafana", "nodeExporter", "postgresExporter", "prometheus"]);
  });

  it("hands each data volume to its service's uid before the container starts", () => {
    for (const service of ["prometheus", "alertmanager", "loki", "alloy"] as const) {
      const chown = mocks.ofType(REMOTE_COMMAND).find((c) => c.name === `koprogo-${service}-data-owner`);
      const { uid, gid } = SERVICE_USERS[service];
      expect(String(chown?.inputs.create)).toContain(
        `--user 0:0 --network none --entrypoint chown -v 'koprogo-obs-${service}-data:/data'`,
      );
      expect(String(chown?.inputs.create)).toContain(`-R ${uid}:${gid} /data`);
    }
  });
});

describe("authentication where one service calls another", () => {
  it("starts Prometheus, Alertmanager and both exporters with their web config, and Prometheus without the lifecycle API", () => {
    expect(command("prometheus")).toContain("--web.config.file=/etc/prometheus/web.yml");
    expect(command("prometheus")).not.toContain("--web.enable-lifecycle");
    expect(command("alertmanager")).toContain("--web.config.file=/etc/alertmanager/web.yml");
    expect(command("nodeExporter")).toContain("--web.config.file=/etc/node-exporter/web.yml");
    expect(command("postgresExporter")).toContain("--web.config.file=/etc/postgres-exporter/web.yml");
  });

  it.each(["prometheus", "alertmanager", "nodeExporter", "postgresExporter"] as const)(
    "checks %s's health with its own login, read from its file at check time",
    (service) => {
      const test = (container(service).inputs.healthcheck as { tests: string[] }).tests;
      expect(test.slice(0, 3)).toEqual(["CMD", "sh", "-c"]);
      expect(test[3]).toMatch(
        new RegExp(`^wget -q --spider "http://${service}:\\$\\(cat /etc/[a-z-]+/secrets/web-${service}\\)@`),
      );
    },
  );

  it("puts Grafana's /metrics behind basic auth, its password read from a file", () => {
    const env = container("grafana").inputs.envs as string[];
    expect(env).toEqual(
      expect.arrayContaining([
        "GF_METRICS_BASIC_AUTH_USERNAME=prometheus",
        "GF_METRICS_BASIC_AUTH_PASSWORD__FILE=/etc/grafana/secrets/metrics-password",
      ]),
    );
  });

  it("never puts a password in a container's arguments, environment or healthcheck text", () => {
    for (const c of mocks.ofType(CONTAINER))
      expect(JSON.stringify([c.inputs.command, c.inputs.envs, c.inputs.healthcheck])).not.toContain(
        "mock-generated-secret-value",
      );
  });
});

describe("Loki with an object store", () => {
  it("joins egress to reach the store, and still no network of the application", async () => {
    const { networksOf } = await import("../../contract/networks");
    expect(networksOf("loki", { loki: { storage: { kind: "s3" } } })).toEqual(["monitoring", "egress"]);
    expect(networksOf("loki", { loki: {} })).toEqual(["monitoring"]);
  });
});
