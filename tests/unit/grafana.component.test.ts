import * as pulumi from "@pulumi/pulumi";
import { buildDashboards } from "../../dashboards";
import type { Secrets, Settings } from "../../settings";
import {
  GENERATED_SECRET,
  installPulumiMocks,
  isSecret,
  promiseOf,
  secretInput,
  settle,
  type RecordedResource,
} from "../helpers/pulumiMocks";
import { fakeSecretValue, stackSettings } from "../helpers/stacks";
import { IMAGES } from "../../settings/images";

const mocks = installPulumiMocks();
const CONTAINER = "docker:index/container:Container";
const PROVIDER = "pulumi:providers:grafana";
const DATASOURCE = "grafana:oss/dataSource:DataSource";
const DASHBOARD = "grafana:oss/dashboard:Dashboard";
const FOLDER = "grafana:oss/folder:Folder";
const PASSWORD = "random:index/randomPassword:RandomPassword";

type GrafanaComponent = import("../../components").Grafana;

async function deploy(settings: Settings, secrets: Secrets<pulumi.Output<string>>): Promise<GrafanaComponent> {
  mocks.reset();
  const { ObservabilityStack } = await import("../../components");
  const stack = new ObservabilityStack("koprogo", { settings, secrets });
  await settle();
  return stack.grafana;
}

const grafanaContainer = () => mocks.one(CONTAINER, "koprogo-grafana");
const labels = (container: RecordedResource) =>
  Object.fromEntries(
    ((container.inputs.labels ?? []) as { label: string; value: string }[]).map((l) => [l.label, l.value]),
  );
/** The value of an input that must be marked secret; throws if it is not. */
function secretValue(input: unknown): unknown {
  const { secret, value } = secretInput(input);
  if (!secret) throw new Error(`not a secret input: ${JSON.stringify(input)}`);
  return value;
}
const commands = () => mocks.resources.filter((r) => r.type.startsWith("command:"));

describe("Grafana on the dev stack", () => {
  let grafana: GrafanaComponent;
  beforeAll(async () => {
    const { settings, secrets } = stackSettings("dev");
    grafana = await deploy(settings, secrets);
  });

  it("runs the pinned image with a memory limit and a healthcheck on /api/health", () => {
    const { inputs } = grafanaContainer();
    expect(inputs).toMatchObject({ image: IMAGES.grafana, memory: 160, restart: "unless-stopped" });
    expect(inputs.healthcheck).toMatchObject({
      tests: ["CMD", "wget", "-q", "--spider", "http://127.0.0.1:3000/api/health"],
    });
  });

  it("publishes port 3001 on loopback only, never on a wildcard address", () => {
    expect(grafanaContainer().inputs.ports).toEqual([
      { internal: 3000, external: 3001, ip: "127.0.0.1", protocol: "tcp" },
    ]);
  });

  it("keeps its data on the retained volume and reads the password from a read-only mount", () => {
    expect(grafanaContainer().inputs.mounts).toEqual([
      {
        type: "volume",
        source: "koprogo-obs-grafana-data",
        target: "/var/lib/grafana",
        readOnly: false,
        volumeOptions: { noCopy: true },
      },
    ]);
    expect(grafanaContainer().inputs.volumes).toEqual([
      {
        hostPath: "/var/tmp/koprogo-observability/koprogo-obs/grafana/secrets",
        containerPath: "/etc/grafana/secrets",
        readOnly: true,
      },
    ]);
  });

  it("turns off anonymous access and sign-up", () => {
    expect(grafanaContainer().inputs.envs).toEqual(
      expect.arrayContaining(["GF_AUTH_ANONYMOUS_ENABLED=false", "GF_USERS_ALLOW_SIGN_UP=false"]),
    );
  });

  it("is not routed by Traefik without a domain", () => {
    expect(Object.keys(labels(grafanaContainer())).filter((l) => l.startsWith("traefik."))).toEqual([]);
  });

  it("generates the admin password and keeps it secret", async () => {
    expect(mocks.one(PASSWORD, "koprogo-grafana-admin-password").inputs).toMatchObject({ length: 32, special: false });
    expect(await isSecret(grafana.adminPassword)).toBe(true);
    expect(await promiseOf(grafana.adminPassword)).toBe(GENERATED_SECRET);
  });

  it("never puts the password in a container argument or a command's text", () => {
    expect(JSON.stringify(grafanaContainer().inputs)).not.toContain(GENERATED_SECRET);
    for (const command of commands()) {
      expect(String(command.inputs.create)).not.toContain(GENERATED_SECRET);
      expect(JSON.stringify(command.inputs.triggers ?? [])).not.toContain(GENERATED_SECRET);
    }
  });

  it("writes the password file through stdin for Grafana's user alone, and changes a kept database's password through the API", () => {
    const file = commands().find((c) => c.name.endsWith("grafana-secrets-admin-password"))!;
    expect(secretValue(file.inputs.stdin)).toBe(GENERATED_SECRET);
    expect(String(file.inputs.create)).toContain("chown 472:472");
    expect(String(file.inputs.create)).toContain("chmod 0600");
    const rotate = mocks.one("command:local:Command", "koprogo-grafana-admin-password-rotate");
    expect(secretValue(rotate.inputs.stdin)).toBe(GENERATED_SECRET);
    expect(rotate.inputs.create).toBeUndefined();
    expect(String(rotate.inputs.update)).toContain("/api/user/password");
    expect(String(rotate.inputs.update)).not.toContain("grafana cli");
  });

  it("waits for /api/health at the provider's URL before the provider is used", () => {
    expect(String(mocks.one("command:local:Command", "koprogo-grafana-ready").inputs.create)).toContain(
      "'http://127.0.0.1:3001/api/health'",
    );
  });

  it("configures a Grafana provider on the loopback URL with the admin login as a secret", () => {
    const provider = mocks.one(PROVIDER, "koprogo-grafana-api");
    expect(provider.inputs).toMatchObject({ url: "http://127.0.0.1:3001" });
    // The admin name is generated (`admin-` and 16 random characters; the mocks' RandomString gives a fixed one).
    expect(secretValue(provider.inputs.auth)).toMatch(new RegExp(`^admin-[a-z0-9]+:${GENERATED_SECRET}$`));
  });

  it("declares the three data sources with fixed UIDs against that provider", () => {
    const sources = mocks.ofType(DATASOURCE);
    expect(sources.map((s) => [s.inputs.uid, s.inputs.type, s.inputs.isDefault]).sort()).toEqual([
      ["alertmanager", "alertmanager", false],
      ["loki", "loki", false],
      ["prometheus", "prometheus", true],
    ]);
    for (const source of sources) expect(source.provider).toContain("::koprogo-grafana-api::");
    expect(
      JSON.parse(String(sources.find((s) => s.inputs.uid === "alertmanager")!.inputs.jsonDataEncoded)),
    ).toMatchObject({ implementation: "prometheus" });
  });

  it("signs the Prometheus and Alertmanager data sources in with Grafana's own login, its password a secret", () => {
    for (const uid of ["prometheus", "alertmanager"]) {
      const source = mocks.ofType(DATASOURCE).find((s) => s.inputs.uid === uid)!;
      expect([source.inputs.basicAuthEnabled, source.inputs.basicAuthUsername]).toEqual([true, "grafana"]);
      expect(secretInput(source.inputs.secureJsonDataEncoded)).toEqual({
        secret: true,
        value: JSON.stringify({ basicAuthPassword: GENERATED_SECRET }),
      });
    }
    // Loki has no login: it is on the internal monitoring network only.
    expect(mocks.ofType(DATASOURCE).find((s) => s.inputs.uid === "loki")!.inputs.basicAuthEnabled).toBeUndefined();
  });

  it("declares one dashboard resource per dashboard, in the folder, against that provider", () => {
    const { settings } = stackSettings("dev");
    const dashboards = mocks.ofType(DASHBOARD);
    expect(mocks.one(FOLDER, "koprogo-grafana-folder").inputs).toMatchObject({ uid: "koprogo", title: "KoproGo" });
    expect(dashboards.map((d) => d.name)).toEqual(
      buildDashboards(settings).map((b) => `koprogo-grafana-dashboard-${b.uid}`),
    );
    for (const [i, built] of buildDashboards(settings).entries()) {
      expect(dashboards[i].inputs).toMatchObject({ configJson: built.json, folder: "koprogo", overwrite: true });
      expect(dashboards[i].provider).toContain("::koprogo-grafana-api::");
    }
  });
});

describe("Grafana on the prod stack", () => {
  let grafana: GrafanaComponent;
  beforeAll(async () => {
    const { settings, secrets } = stackSettings("prod");
    grafana = await deploy(settings, secrets);
  });

  it("is routed by the application's Traefik on its domain with TLS", () => {
    expect(labels(grafanaContainer())).toMatchObject({
      "traefik.enable": "true",
      "traefik.docker.network": "koprogo-obs-grafana-ingress",
      // /metrics is never routed to the internet (and asks for a login anyway).
      "traefik.http.routers.koprogo-obs-grafana.rule": "Host(`grafana.koprogo.com`) && !PathPrefix(`/metrics`)",
      "traefik.http.routers.koprogo-obs-grafana.entrypoints": "websecure",
      "traefik.http.routers.koprogo-obs-grafana.tls.certresolver": "letsencrypt",
    });
  });

  it("still publishes no port beyond loopback", () => {
    for (const port of grafanaContainer().inputs.ports as { ip: string }[]) expect(port.ip).toBe("127.0.0.1");
  });

  it("calls the API through the domain and runs its host commands over SSH", () => {
    expect(mocks.one(PROVIDER, "koprogo-grafana-api").inputs).toMatchObject({ url: "https://grafana.koprogo.com" });
    expect(String(mocks.one("command:local:Command", "koprogo-grafana-ready").inputs.create)).toContain(
      "'https://grafana.koprogo.com/api/health'",
    );
    expect(
      mocks.one("command:remote:Command", "koprogo-grafana-admin-password-rotate").inputs.connection,
    ).toMatchObject({ value: { host: "vps.koprogo.com", user: "deploy" } });
    expect(grafana.url).toBe("https://grafana.koprogo.com/");
  });
});

describe("Grafana with the grafanaAdminPassword secret", () => {
  let grafana: GrafanaComponent;
  beforeAll(async () => {
    const { settings, secrets } = stackSettings("dev");
    grafana = await deploy(settings, {
      ...secrets,
      grafanaAdminPassword: pulumi.secret(fakeSecretValue("grafanaAdminPassword")),
    });
  });

  it("uses it instead of generating one, and keeps it secret", async () => {
    expect(mocks.ofType(PASSWORD).filter((p) => p.name.startsWith("koprogo-grafana"))).toEqual([]);
    expect(await isSecret(grafana.adminPassword)).toBe(true);
    expect(secretValue(mocks.one(PROVIDER, "koprogo-grafana-api").inputs.auth)).toMatch(
      new RegExp(`^admin-[a-z0-9]+:${fakeSecretValue("grafanaAdminPassword")}$`),
    );
  });
});
