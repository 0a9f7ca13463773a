/**
 * The blackbox exporter: probes the public API health, Grafana and `/metrics` from the VPS, through DNS, Traefik
 * and TLS as users reach them (alerts/rules/probes.ts). On the monitoring network (Prometheus asks it for probes)
 * and on egress (the way out to the VPS's public address). It holds no secret and keeps no data.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { BLACKBOX_CONFIG_DIR, blackboxFlags } from "../blackbox/config";
import { dockerUser, SERVICE_USERS } from "../contract/serviceUsers";
import { restartContainerScript } from "../host/scripts";
import { containerName, imageOf, SERVICE_PORTS, type Settings } from "../settings";
import { ConfigFiles, type HostFile, reloadOnChange } from "./configFiles";
import { goMemoryLimit } from "./configuredService";
import { serviceContainer } from "./container";
import type { DockerHost } from "./dockerHost";

export interface BlackboxArgs {
  /** The stack settings it reads: `blackbox` (memory), `namePrefix`, `docker.bindAddress`, `docker.images`. */
  readonly settings: Pick<Settings, "blackbox" | "namePrefix" | "docker">;
  /** Engine, networks and host access. */
  readonly host: Pick<DockerHost, "provider" | "access" | "configRoot" | "networksFor">;
  /** Its configuration (`blackbox/blackbox.yml`), relative to the config root. */
  readonly files: readonly HostFile[];
}

export class Blackbox extends pulumi.ComponentResource {
  readonly container: docker.Container;

  constructor(name: string, args: BlackboxArgs, opts?: pulumi.ComponentResourceOptions) {
    super("koprogo:observability:Blackbox", name, {}, opts);
    const { settings, host } = args;
    const container = containerName(settings, "blackbox");
    const config = new ConfigFiles(
      `${name}-config`,
      { host: host.access, root: host.configRoot, files: args.files, secretOwner: SERVICE_USERS.blackbox.uid },
      { parent: this },
    );
    this.container = serviceContainer(
      name,
      {
        name: container,
        image: imageOf(settings, "blackboxExporter"),
        memory: settings.blackbox.memory,
        command: blackboxFlags(),
        envs: [goMemoryLimit(settings.blackbox.memory)],
        bindAddress: settings.docker.bindAddress,
        networks: host.networksFor("blackbox"),
        binds: [{ hostPath: `${host.configRoot}/blackbox`, path: BLACKBOX_CONFIG_DIR, readOnly: true }],
        // The image (busybox base) has wget; /-/healthy answers 200 once the configuration is loaded.
        healthcheck: ["CMD", "wget", "-q", "--spider", `http://127.0.0.1:${SERVICE_PORTS.blackbox}/-/healthy`],
        user: dockerUser("blackbox"),
        capDrop: ["ALL"],
        readOnly: true,
      },
      { parent: this, provider: host.provider, dependsOn: config.writes },
    );
    // A changed module file restarts it: a probe is stateless, the restart takes a second.
    reloadOnChange(
      `${name}-restart`,
      host.access,
      config.hashes,
      restartContainerScript(container, host.access.docker),
      { parent: this, dependsOn: [this.container] },
    );
    this.registerOutputs({});
  }
}
