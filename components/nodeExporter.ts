/** Node exporter: the host's CPU, memory, filesystems, network, load and disks, read-only. */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { nodeExporterContainerFlags } from "../exporters/node";
import { containerName, IMAGES, SERVICE_PORTS, type Settings } from "../settings";
import { serviceContainerArgs } from "./container";
import type { DockerHost } from "./dockerHost";

export interface NodeExporterArgs {
  /** The stack settings (`nodeExporter`, `namePrefix`). */
  readonly settings: Settings;
  /** Engine and host access. */
  readonly host: DockerHost;
}

export class NodeExporter extends pulumi.ComponentResource {
  readonly container: docker.Container;
  /** `host:port` Prometheus scrapes. */
  readonly address: string;

  constructor(name: string, args: NodeExporterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("koprogo:observability:NodeExporter", name, {}, opts);
    const { settings, host } = args;
    this.container = new docker.Container(
      name,
      serviceContainerArgs({
        name: containerName(settings, "nodeExporter"),
        image: IMAGES.nodeExporter,
        memory: settings.nodeExporter.memory,
        command: nodeExporterContainerFlags(settings),
        // The host's network and process namespaces: the container's own would only show the container.
        networkMode: "host",
        pidMode: "host",
        bindAddress: settings.docker.bindAddress,
        // The whole host filesystem, read-only: the exporter only reads /proc, /sys and mount statistics.
        binds: [{ hostPath: "/", path: "/host", readOnly: true }],
        healthcheck: ["CMD", "wget", "-q", "--spider", `http://${settings.nodeExporter.listenAddress}:${SERVICE_PORTS.nodeExporter}/metrics`],
        user: "65534:65534",
      }),
      { parent: this, provider: host.provider },
    );
    this.address = `${settings.nodeExporter.listenAddress}:${SERVICE_PORTS.nodeExporter}`;
    this.registerOutputs({ address: this.address });
  }
}
