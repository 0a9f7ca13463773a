/**
 * The blackbox exporter: probes the public API health, Grafana and `/metrics` from the VPS, through DNS, Traefik
 * and TLS as users reach them (alerts/rules/probes.ts). On the monitoring network (Prometheus asks it for probes)
 * and on egress (the way out to the VPS's public address). It holds no secret and keeps no data.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { BLACKBOX_CONFIG_DIR, blackboxFlags } from "../blackbox/config";
import { imageOf, SERVICE_PORTS, type Settings } from "../settings";
import type { HostFile } from "./configFiles";
import { configuredService, goMemoryLimit, type ServiceEngine } from "./configuredService";

export interface BlackboxArgs {
  /** The stack settings it reads: `blackbox` (memory), `namePrefix`, `docker.bindAddress`, `docker.images`. */
  readonly settings: Pick<Settings, "blackbox" | "namePrefix" | "docker">;
  /** Engine, networks and host access. */
  readonly host: ServiceEngine;
  /** Its configuration (`blackbox/blackbox.yml`), relative to the config root. */
  readonly files: readonly HostFile[];
}

export class Blackbox extends pulumi.ComponentResource {
  readonly container: docker.Container;

  constructor(name: string, args: BlackboxArgs, opts?: pulumi.ComponentResourceOptions) {
    super("koprogo:observability:Blackbox", name, {}, opts);
    const { settings, host } = args;
    this.container = configuredService(name, this, {
      service: "blackbox",
      settings,
      host,
      files: args.files,
      image: imageOf(settings, "blackboxExporter"),
      memory: settings.blackbox.memory,
      envs: [goMemoryLimit(settings.blackbox.memory)],
      hostPort: null,
      command: blackboxFlags(),
      binds: [{ hostPath: `${host.configRoot}/blackbox`, path: BLACKBOX_CONFIG_DIR, readOnly: true }],
      // The image (busybox base) has wget; /-/healthy answers 200 once the configuration is loaded.
      healthcheck: ["CMD", "wget", "-q", "--spider", `http://127.0.0.1:${SERVICE_PORTS.blackbox}/-/healthy`],
      capDrop: ["ALL"],
      readOnly: true,
      // A changed module file restarts it: a probe is stateless, the restart takes a second.
      onChange: "restart",
    }).container;
    this.registerOutputs({});
  }
}
