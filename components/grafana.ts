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
import { buildDashboards, DASHBOARD_FOLDER } from "../dashboards";
import { dockerUser, SERVICE_USERS } from "../contract/serviceUsers";
import { webPasswordName } from "../contract/webAccess";
import { GRAFANA_PATHS, grafanaApiUrl, grafanaEnvironment, grafanaRootUrl, grafanaTraefikLabels } from "../grafana/config";
import { grafanaDataSources } from "../grafana/datasources";
import { containerName, IMAGES, SERVICE_PORTS, type Settings } from "../settings";
import { ConfigFiles, contentHash, type HostFile } from "./configFiles";
import { dataVolume, serviceContainerArgs } from "./container";
import type { DockerHost } from "./dockerHost";
import { hostCommand, shellQuote } from "./host";

/** How long `up` waits for a new or restarted Grafana to answer `/api/health` (it migrates its database first). */
export const GRAFANA_READY_TIMEOUT_SECONDS = 180;

export interface GrafanaArgs {
  /** The stack settings (`grafana`, `alerts`, `docker`, `namePrefix`). */
  readonly settings: Settings;
  /** Engine, network and host access. */
  readonly host: DockerHost;
  /** The `grafanaAdminPassword` secret. Defaults to a generated password (`@pulumi/random`). */
  readonly adminPassword?: pulumi.Output<string>;
  /** Grafana's passwords on Prometheus and Alertmanager (its data sources sign in with them). */
  readonly dataSourcePasswords: Readonly<Record<"prometheus" | "alertmanager", pulumi.Output<string>>>;
  /** Its other secret files (`grafana/secrets/...`: the `/metrics` password), relative to the config root. */
  readonly files: readonly HostFile[];
}

/**
 * Script that waits until Grafana answers `/api/health` with its database ready, asked from inside the container
 * so it works the same on a laptop and on the VPS, whether or not a port is published.
 */
export function waitForHealthyScript(container: string, timeoutSeconds = GRAFANA_READY_TIMEOUT_SECONDS, pollSeconds = 2): string {
  const quoted = shellQuote(container);
  const url = `http://127.0.0.1:${SERVICE_PORTS.grafana}/api/health`;
  return [
    "set -eu",
    `deadline=$(( $(date +%s) + ${timeoutSeconds} ))`,
    `until docker exec ${quoted} wget -q -O - ${url} 2>/dev/null | grep -q '"database": *"ok"'; do`,
    `  if [ "$(date +%s)" -ge "$deadline" ]; then echo "Grafana (${container}) did not answer ${url} within ${timeoutSeconds}s" >&2; exit 1; fi`,
    `  sleep ${pollSeconds}`,
    "done",
  ].join("\n");
}

/**
 * Script that sets the admin password (read on stdin) in Grafana's database. The password file applies only when
 * the database is first created: on a kept data volume a changed secret would otherwise lock the provider out.
 */
export function syncAdminPasswordScript(container: string): string {
  return `set -eu; docker exec -i ${shellQuote(container)} grafana cli admin reset-admin-password --password-from-stdin >/dev/null`;
}

/**
 * The network Traefik reaches Grafana on when it is not the application's network (`grafana.traefik.network`):
 * Grafana joins it too, or Traefik could not route to it.
 */
function traefikNetwork(settings: Settings): { name: string }[] {
  const network = settings.grafana.traefik.network;
  return settings.grafana.domain && network && network !== settings.docker.network.name ? [{ name: network }] : [];
}

/** The name of Grafana's password on `server` among the stack's secrets (its data source logins). */
export const GRAFANA_DATASOURCE_LOGINS = { prometheus: webPasswordName("prometheus", "grafana"), alertmanager: webPasswordName("alertmanager", "grafana") } as const;

export class Grafana extends pulumi.ComponentResource {
  readonly container: docker.Container;
  readonly dataVolume: docker.Volume;
  /** The admin password (secret). */
  readonly adminPassword: pulumi.Output<string>;
  readonly adminUser: string;
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
    const dashboards = buildDashboards(settings);
    const provider = host.provider;
    const container = containerName(settings, "grafana");

    this.adminUser = settings.grafana.adminUser;
    // Letters and digits only (32 of them, about 190 bits): the password travels in `user:password` basic auth and
    // through shell stdin, where a `:` or a quote would need escaping.
    const password = args.adminPassword ?? new random.RandomPassword(`${name}-admin-password`, { length: 32, special: false }, { parent: this }).result;
    // Marked secret explicitly: a generated result or a caller's output must never reach state or logs in clear.
    this.adminPassword = pulumi.secret(password);

    this.dataVolume = dataVolume(`${name}-data`, `${container}-data`, provider, this);
    const secrets = new ConfigFiles(
      `${name}-secrets`,
      {
        host: host.access,
        root: host.configRoot,
        files: [{ path: "grafana/secrets/admin-password", content: this.adminPassword, secret: true }, ...args.files],
        secretOwner: SERVICE_USERS.grafana.uid,
      },
      { parent: this },
    );
    this.container = new docker.Container(
      name,
      serviceContainerArgs({
        name: container,
        image: IMAGES.grafana,
        memory: settings.grafana.memory,
        envs: environment,
        ports: [{ internal: SERVICE_PORTS.grafana, hostPort: settings.grafana.hostPort }],
        bindAddress: settings.docker.bindAddress,
        networks: [...host.networksFor("grafana"), ...traefikNetwork(settings)],
        volumes: [{ volume: this.dataVolume.name, path: GRAFANA_PATHS.data }],
        binds: [{ hostPath: `${host.configRoot}/grafana/secrets`, path: GRAFANA_PATHS.secretsDir, readOnly: true }],
        healthcheck: ["CMD", "wget", "-q", "--spider", `http://127.0.0.1:${SERVICE_PORTS.grafana}/api/health`],
        labels: grafanaTraefikLabels(settings),
        user: dockerUser("grafana"),
      }),
      { parent: this, provider, dependsOn: secrets.writes },
    );

    const ready = hostCommand(`${name}-ready`, host.access, { create: waitForHealthyScript(container), triggers: [this.container.id] }, { parent: this, dependsOn: [this.container] });
    const passwordSynced = hostCommand(
      `${name}-admin-password-sync`,
      host.access,
      // The trigger is the password's hash (never the password), and the container: a new one may bring an old database.
      { create: syncAdminPasswordScript(container), stdin: this.adminPassword, triggers: [this.adminPassword.apply(contentHash), this.container.id] },
      { parent: this, dependsOn: [ready] },
    );

    this.provider = new grafana.Provider(
      `${name}-api`,
      {
        url: this.apiUrl,
        auth: pulumi.secret(pulumi.interpolate`${this.adminUser}:${this.adminPassword}`),
        // Traefik may take a few seconds to route a new container and obtain its certificate.
        retries: 10,
        retryWait: 3,
      },
      { parent: this, dependsOn: [passwordSynced] },
    );
    const viaApi = { parent: this, provider: this.provider, dependsOn: [passwordSynced] };

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
                  secureJsonDataEncoded: pulumi.secret(args.dataSourcePasswords[ds.basicAuth.server].apply((basicAuthPassword) => JSON.stringify({ basicAuthPassword }))),
                }
              : {}),
          },
          viaApi,
        ),
    );
    this.folder = new grafana.oss.Folder(`${name}-folder`, { uid: DASHBOARD_FOLDER.uid, title: DASHBOARD_FOLDER.title }, viaApi);
    this.dashboards = Object.fromEntries(
      dashboards.map((built) => [
        built.key,
        new grafana.oss.Dashboard(
          `${name}-dashboard-${built.uid}`,
          // `overwrite`: the code is the source of truth, an edit saved in the UI is replaced.
          { configJson: built.json, folder: this.folder.uid, overwrite: true, message: "Updated by pulumi up" },
          { ...viaApi, dependsOn: [passwordSynced, ...this.dataSources] },
        ),
      ]),
    ) as Record<DashboardKey, grafana.oss.Dashboard>;

    this.internalUrl = `http://${container}:${SERVICE_PORTS.grafana}`;
    this.registerOutputs({ url: this.url, apiUrl: this.apiUrl, internalUrl: this.internalUrl, adminPassword: this.adminPassword });
  }
}
