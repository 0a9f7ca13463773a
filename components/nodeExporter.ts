/** Node exporter: the host's CPU, memory, filesystems, network, load and disks, read-only. */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { dockerUser, SERVICE_USERS } from "../contract/serviceUsers";
import { nodeExporterContainerFlags, TEXTFILE_DIRECTORY_IN_CONTAINER } from "../exporters/node";
import { containerName, imageOf, SERVICE_PORTS, type Settings } from "../settings";
import { authenticatedHealthcheck } from "../webauth/healthcheck";
import { CONFIG_DIRS } from "../webauth/paths";
import { restartContainerScript } from "../host/scripts";
import { ConfigFiles, type HostFile, reloadOnChange } from "./configFiles";
import { serviceContainer } from "./container";
import type { DockerHost } from "./dockerHost";

/** What the node exporter needs of a host: its engine, command access and config root (a DockerHost has them). */
export type HostEngine = Pick<DockerHost, "provider" | "access" | "configRoot">;

export interface NodeExporterArgs {
  /** The stack settings (`nodeExporter`, `namePrefix`). */
  readonly settings: Settings;
  /** Engine and host access. */
  readonly host: HostEngine;
  /** Its web config and login (`node-exporter/...`), relative to the config root. */
  readonly files: readonly HostFile[];
  /** `host:port` it listens on. Defaults to `nodeExporter.listenAddress` (the monitoring host's Docker bridge). */
  readonly listenAddress?: string;
  /** Its web config turns on TLS (a further host, scraped over the private network). Defaults to `false`. */
  readonly tls?: boolean;
  /**
   * The host folder where the backup script writes its metric file (`backups.metricsDirectory`), read by the
   * textfile collector; on the monitoring host only. Defaults to none.
   */
  readonly backupMetricsDirectory?: string | null;
}

export class NodeExporter extends pulumi.ComponentResource {
  readonly container: docker.Container;
  /** `host:port` Prometheus scrapes. */
  readonly address: string;

  constructor(name: string, args: NodeExporterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("koprogo:observability:NodeExporter", name, {}, opts);
    const { settings, host } = args;
    const container = containerName(settings, "nodeExporter");
    this.address = args.listenAddress ?? `${settings.nodeExporter.listenAddress}:${SERVICE_PORTS.nodeExporter}`;
    const config = new ConfigFiles(
      `${name}-config`,
      { host: host.access, root: host.configRoot, files: args.files, secretOwner: SERVICE_USERS.nodeExporter.uid },
      { parent: this },
    );
    this.container = serviceContainer(
      name,
      {
        name: container,
        image: imageOf(settings, "nodeExporter"),
        memory: settings.nodeExporter.memory,
        command: nodeExporterContainerFlags(settings, this.address, Boolean(args.backupMetricsDirectory)),
        // The host's network and process namespaces: the container's own would only show the container.
        networkMode: "host",
        pidMode: "host",
        bindAddress: settings.docker.bindAddress,
        // The whole host filesystem, read-only: the exporter only reads /proc, /sys and mount statistics. Under its
        // own uid it reads no secret file of the stack (each is 0400 for its one reader).
        binds: [
          { hostPath: "/", path: "/host", readOnly: true },
          {
            hostPath: `${host.configRoot}/${CONFIG_DIRS.nodeExporter.host}`,
            path: CONFIG_DIRS.nodeExporter.container,
            readOnly: true,
          },
          // The backup script's folder on its own: under /host the exporter's uid cannot pass a 0750 home
          // directory (Ubuntu 22.04's default for /home/<user>); a bind mount of the folder itself needs no such
          // traversal. Only `*.prom` files are read from it.
          ...(args.backupMetricsDirectory
            ? [{ hostPath: args.backupMetricsDirectory, path: TEXTFILE_DIRECTORY_IN_CONTAINER, readOnly: true }]
            : []),
        ],
        healthcheck: authenticatedHealthcheck("nodeExporter", this.address, "/metrics", args.tls ? "https" : "http"),
        user: dockerUser("nodeExporter"),
      },
      { parent: this, provider: host.provider, dependsOn: config.writes },
    );
    // exporter-toolkit re-reads web.yml on each request; the restart covers a changed login file of the healthcheck.
    reloadOnChange(
      `${name}-restart`,
      host.access,
      config.hashes,
      restartContainerScript(container, host.access.docker),
      { parent: this, dependsOn: [this.container] },
    );
    this.registerOutputs({ address: this.address });
  }
}
