/** Alertmanager: routes the alerts of `alerts/` to chat, pager, SMS and the dead man's switch; keeps silences on a retained volume. */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { ALERTMANAGER_PATHS } from "../alerts/alertmanagerPaths";
import { authenticatedHealthcheck } from "../webauth/healthcheck";
import { webConfigFile } from "../webauth/paths";
import { IMAGES, SERVICE_PORTS, type Settings } from "../settings";
import type { HostFile } from "./configFiles";
import { configuredService } from "./configuredService";
import { clusterFlags } from "../scale/alertmanagerCluster";
import { monitoringHostName } from "../scale/hosts";
import type { DockerHost } from "./dockerHost";

export interface AlertmanagerArgs {
  /** The stack settings (`alertmanager`, `notifications`, `docker`, `namePrefix`). */
  readonly settings: Settings;
  /** Engine, network and host access. */
  readonly host: DockerHost;
  /** `alertmanager.yml`, the templates and the secret files, relative to the stack's config root (`alertmanager/...`). */
  readonly files: readonly HostFile[];
}

/** The URL notification links (silences) point at: the external URL, else the loopback port an SSH tunnel reaches. */
export function alertmanagerExternalUrl(settings: Settings): string {
  return settings.alertmanager.externalUrl ?? `http://127.0.0.1:${settings.alertmanager.hostPort ?? SERVICE_PORTS.alertmanager}`;
}

/**
 * Command-line flags: config, data, the URL links use, the web config (basic auth on every endpoint: nobody
 * without a login can silence, post alerts or read them), and the cluster: none for one Alertmanager (gossip would
 * only open a port), else this peer's gossip flags (`scale/alertmanagerCluster.ts`).
 */
export function alertmanagerFlags(settings: Settings): string[] {
  return [
    `--config.file=${ALERTMANAGER_PATHS.config}`,
    `--storage.path=${ALERTMANAGER_PATHS.data}`,
    `--web.listen-address=:${SERVICE_PORTS.alertmanager}`,
    `--web.external-url=${alertmanagerExternalUrl(settings)}`,
    `--web.config.file=${webConfigFile("alertmanager").inContainer}`,
    ...clusterFlags(settings, monitoringHostName(settings)),
  ];
}

/** The gossip port published on the monitoring host's private address (TCP and UDP), when clustered. */
export function alertmanagerGossipPorts(settings: Settings) {
  const cluster = settings.alertmanager.cluster;
  if (!cluster) return [];
  return (["tcp", "udp"] as const).map((protocol) => ({ internal: cluster.port, hostPort: cluster.port, ip: cluster.monitoringHostAddress, protocol }));
}

export class Alertmanager extends pulumi.ComponentResource {
  readonly container: docker.Container;
  readonly dataVolume: docker.Volume;
  /** `http://host:port` inside the Docker network. */
  readonly internalUrl: string;

  constructor(name: string, args: AlertmanagerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("koprogo:observability:Alertmanager", name, {}, opts);
    const { settings, host } = args;
    if (!args.files.some((file) => file.path === "alertmanager/alertmanager.yml")) throw new Error("`files` must contain alertmanager/alertmanager.yml");
    const service = configuredService(name, this, {
      service: "alertmanager",
      settings,
      host,
      files: args.files,
      image: IMAGES.alertmanager,
      memory: settings.alertmanager.memory,
      hostPort: settings.alertmanager.hostPort,
      command: alertmanagerFlags(settings),
      extraPorts: alertmanagerGossipPorts(settings),
      dataPath: ALERTMANAGER_PATHS.data,
      binds: [{ hostPath: `${host.configRoot}/alertmanager`, path: ALERTMANAGER_PATHS.configDir, readOnly: true }],
      healthcheck: authenticatedHealthcheck("alertmanager", `127.0.0.1:${SERVICE_PORTS.alertmanager}`, "/-/healthy"),
      // SIGHUP re-reads alertmanager.yml, the templates and the secret files: silences and notification state stay.
      onChange: "reload",
    });
    this.container = service.container;
    this.dataVolume = service.dataVolume;
    this.internalUrl = service.internalUrl;
    this.registerOutputs({ internalUrl: this.internalUrl });
  }
}
