/**
 * Grafana: the container (loopback port, the application's Traefik on a domain), its generated admin password,
 * and through the Grafana provider its data sources with fixed UIDs, a folder and the five dashboards, one
 * resource each so a changed dashboard is an update of that dashboard alone.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as grafana from "@pulumiverse/grafana";
import type { DashboardKey } from "../contract/dashboards";
import { DASHBOARD_FOLDER, type BuiltDashboard } from "../dashboards";
import { dockerUser, SERVICE_USERS } from "../contract/serviceUsers";
import {
  GRAFANA_PATHS,
  grafanaApiUrl,
  grafanaEnvironment,
  grafanaRootUrl,
  grafanaTraefikLabels,
} from "../grafana/config";
import { grafanaDataSources } from "../grafana/datasources";
import { containerName, imageOf, networkName, SERVICE_PORTS, type Settings } from "../settings";
import { joinTraefikScript } from "../grafana/traefikJoin";
import { resetAdminPasswordOnVolumeScript, rotateAdminPasswordScript } from "../grafana/adminPassword";
import { contentHash } from "../host/scripts";
import { waitForGrafanaApiScript } from "../grafana/ready";
import { ConfigFiles, type HostFile } from "./configFiles";
import { dataVolume, pulledImage, serviceContainer } from "./container";
import type { DockerHost } from "./dockerHost";
import { hostCommand, THIS_MACHINE } from "./host";

export interface GrafanaArgs {
  /**
   * The stack settings it reads: `grafana`, `alerts.grafanaUrl` (its root URL without a domain), `docker`,
   * `namePrefix`, and what its data sources point at (`serviceAddresses`, `nodeExporter`, `prometheus`).
   */
  readonly settings: Pick<
    Settings,
    "grafana" | "alerts" | "docker" | "namePrefix" | "serviceAddresses" | "nodeExporter" | "prometheus"
  >;
  /** The dashboards it provisions, one resource each (dashboards/ `buildDashboards`, as the render CLI writes them). */
  readonly dashboards: readonly BuiltDashboard[];
  /** Engine, network and host access. */
  readonly host: DockerHost;
  /** The `grafanaAdminPassword` secret. Defaults to a generated password (`@pulumi/random`). */
  readonly adminPassword?: pulumi.Output<string>;
  /** Grafana's passwords on Prometheus and Alertmanager (its data sources sign in with them). */
  readonly dataSourcePasswords: Readonly<Record<"prometheus" | "alertmanager", pulumi.Output<string>>>;
  /** Its other secret files (`grafana/secrets/...`: the `/metrics` password), relative to the config root. */
  readonly files: readonly HostFile[];
}

export class Grafana extends pulumi.ComponentResource {
  readonly container: docker.Container;
  readonly dataVolume: docker.Volume;
  /** The admin password (secret). */
  readonly adminPassword: pulumi.Output<string>;
  /** The admin login: `grafana.adminUser`, or `admin-` and 16 generated letters and digits. */
  readonly adminUser: pulumi.Output<string>;
  /** The URL people open (Grafana's `root_url`). */
  readonly url: string;
  /** The URL the Grafana provider calls from the machine running `pulumi up`. */
  readonly apiUrl: string;
  /** `http://host:port` inside the Docker network. */
  readonly internalUrl: string;
  readonly provider: grafana.Provider;
  readonly dataSources: grafana.oss.DataSource[];
  readonly folder: grafana.oss.Folder;
  readonly dashboards: Readonly<Record<DashboardKey, grafana.oss.Dashboard>>;

  constructor(name: string, args: GrafanaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("koprogo:observability:Grafana", name, {}, opts);
    const { settings, host } = args;
    // The settings parse already refused inconsistent Grafana settings; these throw too, before any child exists.
    this.url = grafanaRootUrl(settings);
    this.apiUrl = grafanaApiUrl(settings);
    const environment = grafanaEnvironment(settings);
    const { dashboards } = args;
    const provider = host.provider;
    const container = containerName(settings, "grafana");

    // Not guessable unless set: Grafana locks a known login after 5 wrong passwords (settings/grafana.ts).
    this.adminUser = settings.grafana.adminUser
      ? pulumi.output(settings.grafana.adminUser)
      : pulumi.unsecret(
          new random.RandomString(
            `${name}-admin-user`,
            { length: 16, special: false, upper: false },
            { parent: this },
          ).result.apply((suffix) => `admin-${suffix}`),
        );
    // Letters and digits only (32 of them, about 190 bits): the password travels in `user:password` basic auth and
    // through shell stdin, where a `:` or a quote would need escaping.
    const password =
      args.adminPassword ??
      new random.RandomPassword(`${name}-admin-password`, { length: 32, special: false }, { parent: this }).result;
    // Marked secret explicitly: a generated result or a caller's output must never reach state or logs in clear.
    this.adminPassword = pulumi.secret(password);

    this.dataVolume = dataVolume(`${name}-data`, `${container}-data`, provider, this);
    const passwordHash = pulumi.unsecret(this.adminPassword.apply(contentHash));
    // A changed password is changed in the running Grafana first, while the mounted file still holds the old one
    // (grafana/adminPassword.ts). No `create`: on the first `up` the file below creates the database's password.
    const rotated = hostCommand(
      `${name}-admin-password-rotate`,
      host.access,
      {
        update: rotateAdminPasswordScript(container, SERVICE_PORTS.grafana, host.access.docker),
        stdin: this.adminPassword,
        rerunOn: [passwordHash],
      },
      { parent: this },
    );
    const secrets = new ConfigFiles(
      `${name}-secrets`,
      {
        host: host.access,
        root: host.configRoot,
        files: [{ path: "grafana/secrets/admin-password", content: this.adminPassword, secret: true }, ...args.files],
        secretOwner: SERVICE_USERS.grafana.uid,
        after: [rotated],
      },
      { parent: this },
    );
    const image = pulledImage(`${name}-image`, imageOf(settings, "grafana"), provider, this);
    // Only on create (a fresh state: the first `up`, or the first after `destroy`): a retained database gets the
    // password the stack has now. A later change is the rotation's (above), while Grafana runs: the update is a no-op.
    const synced = hostCommand(
      `${name}-admin-password-sync`,
      host.access,
      {
        create: this.dataVolume.name.apply((volume) =>
          resetAdminPasswordOnVolumeScript({
            volume,
            image: imageOf(settings, "grafana"),
            user: dockerUser("grafana"),
            memory: settings.grafana.memory,
            docker: host.access.docker,
          }),
        ),
        update: "true",
        stdin: this.adminPassword,
      },
      { parent: this, dependsOn: [this.dataVolume, image] },
    );
    this.container = serviceContainer(
      name,
      {
        name: container,
        image: imageOf(settings, "grafana"),
        memory: settings.grafana.memory,
        envs: settings.grafana.adminUser
          ? environment
          : this.adminUser.apply((user) => [...environment, `GF_SECURITY_ADMIN_USER=${user}`]),
        ports: [{ internal: SERVICE_PORTS.grafana, hostPort: settings.grafana.hostPort }],
        bindAddress: settings.docker.bindAddress,
        networks: host.networksFor("grafana"),
        volumes: [{ volume: this.dataVolume.name, path: GRAFANA_PATHS.data }],
        binds: [{ hostPath: `${host.configRoot}/grafana/secrets`, path: GRAFANA_PATHS.secretsDir, readOnly: true }],
        healthcheck: ["CMD", "wget", "-q", "--spider", `http://127.0.0.1:${SERVICE_PORTS.grafana}/api/health`],
        labels: grafanaTraefikLabels(settings),
        user: dockerUser("grafana"),
      },
      { parent: this, provider, dependsOn: [...secrets.writes, synced], image },
    );

    // The application's Traefik joins Grafana's own network (it is not on the application's): once per network.
    const traefikJoins = settings.grafana.domain
      ? [
          hostCommand(
            `${name}-traefik-joins`,
            host.access,
            {
              create: joinTraefikScript(
                settings.grafana.traefik.container,
                networkName(settings, "grafanaIngress"),
                host.access.docker,
              ),
              triggers: [host.networks.grafanaIngress],
            },
            { parent: this, dependsOn: [this.container] },
          ),
        ]
      : [];

    // On this machine, the provider's way; again for every new container (the trigger replaces a command that has
    // no delete, so nothing is undone).
    const ready = hostCommand(
      `${name}-ready`,
      THIS_MACHINE,
      { create: waitForGrafanaApiScript(settings), triggers: [this.container.id] },
      { parent: this, dependsOn: [this.container, ...traefikJoins] },
    );

    this.provider = new grafana.Provider(
      `${name}-api`,
      {
        url: this.apiUrl,
        auth: pulumi.secret(pulumi.interpolate`${this.adminUser}:${this.adminPassword}`),
        // The public URL when Grafana has a domain: what people open and what CI reaches, with Traefik's real
        // certificate (an SSH tunnel instead would need a local port per run). `ready` waited for the API at this
        // URL already; these retries cover a later blip (connection errors only).
        retries: 10,
        retryWait: 3,
      },
      { parent: this, dependsOn: [ready] },
    );
    const viaApi = { parent: this, provider: this.provider, dependsOn: [ready] };

    this.dataSources = grafanaDataSources(settings).map(
      (ds) =>
        new grafana.oss.DataSource(
          `${name}-datasource-${ds.uid}`,
          {
            uid: ds.uid,
            name: ds.name,
            type: ds.type,
            url: ds.url,
            isDefault: ds.isDefault,
            accessMode: "proxy",
            jsonDataEncoded: JSON.stringify(ds.jsonData),
            ...(ds.basicAuth
              ? {
                  basicAuthEnabled: true,
                  basicAuthUsername: ds.basicAuth.user,
                  // Stored encrypted by Grafana; marked secret so the state never holds it in clear.
                  secureJsonDataEncoded: pulumi.secret(
                    args.dataSourcePasswords[ds.basicAuth.server].apply((basicAuthPassword) =>
                      JSON.stringify({ basicAuthPassword }),
                    ),
                  ),
                }
              : {}),
          },
          viaApi,
        ),
    );
    this.folder = new grafana.oss.Folder(
      `${name}-folder`,
      { uid: DASHBOARD_FOLDER.uid, title: DASHBOARD_FOLDER.title },
      viaApi,
    );
    this.dashboards = Object.fromEntries(
      dashboards.map((built) => [
        built.key,
        new grafana.oss.Dashboard(
          `${name}-dashboard-${built.uid}`,
          // `overwrite`: the code is the source of truth, an edit saved in the UI is replaced.
          { configJson: built.json, folder: this.folder.uid, overwrite: true, message: "Updated by pulumi up" },
          { ...viaApi, dependsOn: [ready, ...this.dataSources] },
        ),
      ]),
    ) as Record<DashboardKey, grafana.oss.Dashboard>;

    this.internalUrl = `http://${container}:${SERVICE_PORTS.grafana}`;
    this.registerOutputs({
      url: this.url,
      apiUrl: this.apiUrl,
      internalUrl: this.internalUrl,
      adminUser: this.adminUser,
      adminPassword: this.adminPassword,
    });
  }
}
