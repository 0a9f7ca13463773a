import { installPulumiMocks, settle, type RecordedResource } from "../helpers/pulumiMocks";
import { recordResourceOptions } from "../helpers/resourceOptions";
import { stackSettings } from "../helpers/stacks";
import { IMAGES } from "../../settings";

const mocks = installPulumiMocks();
const options = recordResourceOptions();
const CONTAINER = "docker:index/container:Container";
const VOLUME = "docker:index/volume:Volume";
const LOCAL = "command:local:Command";
const REMOTE = "command:remote:Command";

interface ContainerVolume {
  volumeName?: string;
  hostPath?: string;
  containerPath: string;
  readOnly: boolean;
}

function mounts(container: RecordedResource): ContainerVolume[] {
  return container.inputs.volumes as ContainerVolume[];
}

interface ContainerMount {
  type: string;
  source: string;
  target: string;
  readOnly: boolean;
  volumeOptions?: { noCopy?: boolean };
}

function volumeMounts(container: RecordedResource): ContainerMount[] {
  return container.inputs.mounts as ContainerMount[];
}

describe.each([
  ["dev", "/var/tmp/koprogo-observability/koprogo-obs", LOCAL],
  ["prod", "/opt/koprogo-observability/koprogo-obs", REMOTE],
])("the %s stack's logs", (stack, configRoot, commandType) => {
  beforeAll(async () => {
    mocks.reset();
    options.splice(0, options.length);
    const { ObservabilityStack } = await import("../../components");
    const { settings, secrets } = stackSettings(stack);
    new ObservabilityStack("koprogo", { settings, secrets });
    await settle();
  });

  const loki = () => mocks.one(CONTAINER, "-loki");
  const alloy = () => mocks.one(CONTAINER, "-alloy");

  it("declares Loki and Alloy with their exact images", () => {
    expect(loki().inputs).toMatchObject({
      name: "koprogo-obs-loki",
      image: IMAGES.loki,
      command: ["-config.file=/etc/loki/loki.yaml"],
    });
    expect(alloy().inputs).toMatchObject({
      name: "koprogo-obs-alloy",
      image: IMAGES.alloy,
      // Its HTTP server on its fixed monitoring address only (never 0.0.0.0: not on the socket proxy's network).
      command: [
        "run",
        "--server.http.listen-addr=172.31.213.250:12345",
        "--storage.path=/var/lib/alloy/data",
        "--disable-reporting",
        "/etc/alloy/config.alloy",
      ],
    });
  });

  it("gives them the memory limits of the settings, no swap, and a GOMEMLIMIT below it", () => {
    expect(loki().inputs).toMatchObject({ memory: 192, memorySwap: 192, envs: ["GOMEMLIMIT=163MiB"] });
    expect(alloy().inputs).toMatchObject({ memory: 128, memorySwap: 128, envs: ["GOMEMLIMIT=108MiB"] });
  });

  it("publishes no port and joins no network of the application: Loki on monitoring only, Alloy with the socket proxy", () => {
    expect(loki().inputs.ports ?? []).toEqual([]);
    expect(alloy().inputs.ports ?? []).toEqual([]);
    expect(loki().inputs.networksAdvanced).toEqual([{ name: "koprogo-obs-monitoring" }]);
    expect(alloy().inputs.networksAdvanced).toEqual([
      { name: "koprogo-obs-monitoring", ipv4Address: "172.31.213.250" },
      { name: "koprogo-obs-docker-api" },
    ]);
  });

  it("keeps Loki's data and Alloy's positions on named volumes that outlive the stack", () => {
    expect(volumeMounts(loki())).toEqual([
      {
        type: "volume",
        source: "koprogo-obs-loki-data",
        target: "/loki",
        readOnly: false,
        volumeOptions: { noCopy: true },
      },
    ]);
    expect(volumeMounts(alloy())).toEqual([
      {
        type: "volume",
        source: "koprogo-obs-alloy-data",
        target: "/var/lib/alloy/data",
        readOnly: false,
        volumeOptions: { noCopy: true },
      },
    ]);
    for (const suffix of ["-loki-data", "-alloy-data"]) {
      expect(mocks.one(VOLUME, suffix).inputs.name).toBe(`koprogo-obs${suffix}`);
      const recorded = options.filter((o) => o.type === VOLUME && o.name.endsWith(suffix));
      expect(recorded).toEqual([{ type: VOLUME, name: `koprogo${suffix}`, retainOnDelete: true, protect: false }]);
    }
  });

  it("mounts the host's logs and the journal into Alloy read-only, and never the Docker socket", () => {
    const hostMounts = mounts(alloy()).filter((m) => m.hostPath !== undefined);
    expect(hostMounts).toEqual([
      { hostPath: `${configRoot}/alloy`, containerPath: "/etc/alloy", readOnly: true },
      { hostPath: "/var/log", containerPath: "/var/log", readOnly: true },
      { hostPath: "/run/log/journal", containerPath: "/run/log/journal", readOnly: true },
      { hostPath: "/etc/machine-id", containerPath: "/etc/machine-id", readOnly: true },
    ]);
    expect(mounts(loki()).filter((m) => m.hostPath !== undefined)).toEqual([
      { hostPath: `${configRoot}/loki`, containerPath: "/etc/loki", readOnly: true },
    ]);
  });

  it("checks readiness on /ready with what each image has", () => {
    expect((loki().inputs.healthcheck as { tests: string[] }).tests).toEqual([
      "CMD",
      "wget",
      "-q",
      "--spider",
      "http://127.0.0.1:3100/ready",
    ]);
    const alloyCheck = (alloy().inputs.healthcheck as { tests: string[] }).tests;
    expect(alloyCheck.slice(0, 3)).toEqual(["CMD", "bash", "-c"]);
    expect(alloyCheck[3]).toContain("/dev/tcp/172.31.213.250/12345");
    expect(alloyCheck[3]).toContain("GET /-/ready HTTP/1.0");
  });

  it("writes their files under the config root and restarts Loki, but reloads Alloy, when they change", () => {
    const commands = mocks.ofType(commandType);
    const write = (file: string) => commands.find((c) => String(c.inputs.create).includes(`${configRoot}/${file}`));
    expect(write("loki/loki.yaml")?.inputs.create).toContain("chmod 0644");
    expect(write("alloy/config.alloy")?.inputs.create).toContain("chmod 0644");
    expect(String(write("alloy/config.alloy")?.inputs.stdin)).toContain('loki.write "loki"');
    const docker = commandType === "command:local:Command" ? "docker -H 'unix:///var/run/docker.sock'" : "docker";
    expect(mocks.one(commandType, "-loki-restart").inputs.create).toBeUndefined();
    expect(mocks.one(commandType, "-loki-restart").inputs.update).toContain(
      `if ${docker} inspect 'koprogo-obs-loki' >/dev/null 2>&1; then ${docker} restart 'koprogo-obs-loki' >/dev/null; fi`,
    );
    expect(mocks.one(commandType, "-alloy-reload").inputs.update).toContain(
      `${docker} kill --signal=HUP 'koprogo-obs-alloy'`,
    );
  });
});

describe("settings that change the containers", () => {
  beforeAll(async () => {
    mocks.reset();
    const { ObservabilityStack } = await import("../../components");
    const { settingsSchema } = await import("../../settings");
    const { secrets } = stackSettings("dev");
    const settings = settingsSchema.parse({
      environment: "dev",
      namePrefix: "obs-test",
      loki: { memory: "160m" },
      alloy: { journal: { enabled: false }, dockerSocket: "/run/user/1000/docker.sock" },
    });
    new ObservabilityStack("t", { settings, secrets });
    await settle();
  });

  it("refuses a host port for Loki or Alloy: they are on internal networks, which publish nothing", () => {
    const { settingsSchema } = jest.requireActual<typeof import("../../settings")>("../../settings");
    expect(settingsSchema.safeParse({ environment: "dev", loki: { hostPort: 3100 } }).error?.issues[0]).toMatchObject({
      path: ["loki", "hostPort"],
    });
    expect(settingsSchema.safeParse({ environment: "dev", alloy: { hostPort: 12345 } }).error?.issues[0]).toMatchObject(
      { path: ["alloy", "hostPort"] },
    );
  });

  it("mounts the configured socket read-only into the socket proxy only, and no journal into Alloy when it is off", () => {
    const hostMounts = mounts(mocks.one(CONTAINER, "-alloy")).filter((m) => m.hostPath !== undefined);
    expect(hostMounts.map((m) => m.hostPath)).toEqual(["/opt/koprogo-observability/obs-test/alloy", "/var/log"]);
    expect(hostMounts.every((m) => m.readOnly)).toBe(true);
    expect(mounts(mocks.one(CONTAINER, "-socket-proxy"))).toEqual([
      { hostPath: "/run/user/1000/docker.sock", containerPath: "/var/run/docker.sock", readOnly: true },
    ]);
  });

  it("names containers and volumes from the prefix", () => {
    expect(mocks.one(CONTAINER, "-loki").inputs.name).toBe("obs-test-loki");
    expect(mocks.one(VOLUME, "-alloy-data").inputs.name).toBe("obs-test-alloy-data");
    expect(mocks.one(CONTAINER, "-loki").inputs.memory).toBe(160);
  });
});
