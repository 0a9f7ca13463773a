/**
 * The log gateway on the monitoring host (logs/gateway.ts): nginx, published on the monitoring host's private
 * address only, the one way the further hosts' Alloy reaches Loki. Its files (nginx.conf, the hosts' logins, the
 * TLS pair) are written 0400 for its own uid; a change reloads it (SIGHUP: nginx re-reads its configuration and
 * certificate, and starts new workers without dropping the connections in flight).
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { dockerUser, SERVICE_USERS } from "../contract/serviceUsers";
import { signalContainerScript } from "../host/scripts";
import {
  LOG_GATEWAY_CONTAINER_PATHS,
  LOG_GATEWAY_FILES,
  logGatewayAddress,
  logGatewayName,
  logGatewayPushUrl,
} from "../logs/gateway";
import { logGatewayCommand, logGatewayHealthcheck } from "../logs/gatewayContainer";
import { imageOf, type Settings } from "../settings";
import { ConfigFiles, reloadOnChange, type HostFile } from "./configFiles";
import { serviceContainer } from "./container";
import type { DockerHost } from "./dockerHost";

export interface LogGatewayArgs {
  /**
   * The stack settings it reads: `logGateway`, `alertmanager.cluster` (the monitoring host's private address),
   * `docker` (images), `namePrefix`.
   */
  readonly settings: Pick<Settings, "logGateway" | "alertmanager" | "docker" | "namePrefix">;
  /** The monitoring host's engine, networks and access. */
  readonly host: DockerHost;
  /** Its files, relative to the config root (`log-gateway/...`). */
  readonly files: readonly HostFile[];
}

export class LogGateway extends pulumi.ComponentResource {
  readonly container: docker.Container;
  /** `https://address:port/loki/api/v1/push`, on the monitoring host's private address. */
  readonly pushUrl: string;

  constructor(name: string, args: LogGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super("koprogo:observability:LogGateway", name, {}, opts);
    const { settings, host } = args;
    const address = logGatewayAddress(settings);
    const container = logGatewayName(settings);
    const config = new ConfigFiles(
      `${name}-config`,
      { host: host.access, root: host.configRoot, files: args.files, secretOwner: SERVICE_USERS.logGateway.uid },
      { parent: this },
    );
    this.container = serviceContainer(
      name,
      {
        name: container,
        image: imageOf(settings, "logGateway"),
        memory: settings.logGateway.memory,
        command: logGatewayCommand(),
        // On the private address only: the further hosts reach it there, the internet never.
        ports: [{ internal: settings.logGateway.port, hostPort: settings.logGateway.port, ip: address }],
        bindAddress: address,
        networks: host.networksFor("logGateway"),
        binds: [
          {
            hostPath: `${host.configRoot}/${LOG_GATEWAY_FILES.rendered}`,
            path: LOG_GATEWAY_CONTAINER_PATHS.dir,
            readOnly: true,
          },
        ],
        healthcheck: logGatewayHealthcheck(settings),
        user: dockerUser("logGateway"),
        // It binds an unprivileged port and changes no user: no capability is needed.
        capDrop: ["ALL"],
      },
      { parent: this, provider: host.provider, dependsOn: config.writes },
    );
    reloadOnChange(
      `${name}-reload`,
      host.access,
      config.hashes,
      signalContainerScript(container, "HUP", host.access.docker),
      { parent: this, dependsOn: [this.container] },
    );
    this.pushUrl = logGatewayPushUrl(settings);
    this.registerOutputs({ pushUrl: this.pushUrl });
  }
}
