/** Node exporter: the host's CPU, memory, filesystems, network, load and disks, read-only. */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { nodeExporterContainerFlags, TEXTFILE_DIRECTORY_IN_CONTAINER } from "../exporters/node";
import { imageOf, SERVICE_PORTS, type Settings } from "../settings";
import { authenticatedHealthcheck } from "../webauth/healthcheck";
import { CONFIG_DIRS } from "../webauth/paths";
import type { HostFile } from "./configFiles";
import { configuredService, type ServiceEngine } from "./configuredService";

export interface NodeExporterArgs {
  /** The stack settings it reads: `nodeExporter` (memory, listen address), `docker`, `namePrefix`. */
  readonly settings: Pick<Settings, "nodeExporter" | "docker" | "namePrefix">;
  /** Engine and host access (it joins no network: it runs in the host's). */
  readonly host: ServiceEngine;
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
    this.address = args.listenAddress ?? `${settings.nodeExporter.listenAddress}:${SERVICE_PORTS.nodeExporter}`;
    this.container = configuredService(name, this, {
      service: "nodeExporter",
      settings,
      host,
      files: args.files,
      image: imageOf(settings, "nodeExporter"),
      memory: settings.nodeExporter.memory,
      // It listens on the host's own address (`address`): nothing to publish.
      hostPort: null,
      command: nodeExporterContainerFlags(settings, this.address, Boolean(args.backupMetricsDirectory)),
      // The host's network and process namespaces: the container's own would only show the container.
      hostNamespaces: true,
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
      // exporter-toolkit re-reads web.yml on each request; the restart covers a changed login file of the healthcheck.
      onChange: "restart",
    }).container;
    this.registerOutputs({ address: this.address });
  }
}
