/** Alertmanager: routes the alerts of `alerts/` to chat, pager, SMS and the dead man's switch; keeps silences on a retained volume. */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { alertmanagerFlags } from "../alertmanager/flags";
import { ALERTMANAGER_PATHS } from "../alertmanager/paths";
import { authenticatedHealthcheck } from "../webauth/healthcheck";
import { imageOf, SERVICE_PORTS, type Settings } from "../settings";
import type { HostFile } from "./configFiles";
import { configuredService, type ServiceEngine } from "./configuredService";
import { alertmanagerGossipPorts } from "../alertmanager/cluster";
import { monitoringHostName } from "../settings/hosts";

export interface AlertmanagerArgs {
  /**
   * The stack settings it reads: `alertmanager` (memory, port, URL, cluster), `hosts` and `alloy.hostLabel` (the
   * peers), `docker` (images, bind address), `namePrefix`. Its routing is in `files`, rendered from `notifications`.
   */
  readonly settings: Pick<Settings, "alertmanager" | "hosts" | "alloy" | "docker" | "namePrefix">;
  /** Engine, network and host access. */
  readonly host: ServiceEngine;
  /** `alertmanager.yml`, the templates and the secret files, relative to the stack's config root (`alertmanager/...`). */
  readonly files: readonly HostFile[];
  /**
   * The host this Alertmanager runs on, as a peer of `alertmanager.cluster`: defaults to the monitoring host. A
   * further host's peer publishes its web port on that host's private address (Prometheus sends there, with its
   * login) and its gossip beside it.
   */
  readonly peer?: string;
}

export class Alertmanager extends pulumi.ComponentResource {
  readonly container: docker.Container;
  readonly dataVolume: docker.Volume;
  /** `http://host:port` inside the Docker network. */
  readonly internalUrl: string;

  constructor(name: string, args: AlertmanagerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("koprogo:observability:Alertmanager", name, {}, opts);
    const { settings, host } = args;
    const peer = args.peer ?? monitoringHostName(settings);
    const furtherHost = settings.hosts.find((h) => h.name === peer);
    if (!args.files.some((file) => file.path === "alertmanager/alertmanager.yml"))
      throw new Error("`files` must contain alertmanager/alertmanager.yml");
    const service = configuredService(name, this, {
      service: "alertmanager",
      settings,
      host,
      files: args.files,
      image: imageOf(settings, "alertmanager"),
      memory: settings.alertmanager.memory,
      hostPort: furtherHost ? SERVICE_PORTS.alertmanager : settings.alertmanager.hostPort,
      publishOn: furtherHost?.address,
      command: alertmanagerFlags(settings, peer),
      extraPorts: alertmanagerGossipPorts(settings, peer),
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
