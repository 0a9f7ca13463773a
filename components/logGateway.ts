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
  LOKI_PUSH_PATH,
  logGatewayAddress,
  logGatewayName,
  logGatewayPushUrl,
} from "../logs/gateway";
import { IMAGES, type Settings } from "../settings";
import { ConfigFiles, reloadOnChange, type HostFile } from "./configFiles";
import { serviceContainerArgs } from "./container";
import type { DockerHost } from "./dockerHost";

export interface LogGatewayArgs {
  /** The stack settings (`logGateway`, `alertmanager.cluster`, `namePrefix`). */
  readonly settings: Settings;
  /** The monitoring host's engine, networks and access. */
  readonly host: DockerHost;
  /** Its files, relative to the config root (`log-gateway/...`). */
  readonly files: readonly HostFile[];
}

/**
 * nginx itself, not the image's `nginx` command: the image's entrypoint runs its `/docker-entrypoint.d` scripts
 * (which rewrite the default site) only when the first argument is `nginx`. `-e stderr` before the config is read.
 */
export function logGatewayCommand(): string[] {
  return ["/usr/sbin/nginx", "-e", "stderr", "-c", `${LOG_GATEWAY_CONTAINER_PATHS.dir}/${LOG_GATEWAY_FILES.config}`];
}

/**
 * Healthy when TLS is up and a push without a login is refused with 401 (the image has curl). `-k`: the check
 * dials 127.0.0.1, which is no SAN of the certificate; what it proves is that the gateway serves and asks for a login.
 */
export function logGatewayHealthcheck(settings: Settings): string[] {
  const url = `https://127.0.0.1:${settings.logGateway.port}${LOKI_PUSH_PATH}`;
  return ["CMD", "sh", "-c", `test "$(curl -sk -o /dev/null -w '%{http_code}' -X POST ${url})" = 401`];
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
    this.container = new docker.Container(
      name,
      serviceContainerArgs({
        name: container,
        image: IMAGES.logGateway,
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
      }),
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
