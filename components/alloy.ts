/**
 * Grafana Alloy: ships the containers' logs (through the socket proxy), the journal and the security agents' host files to
 * Loki. Everything from the host is mounted read-only; its read positions live on a retained volume, so a restart
 * or a replacement neither loses nor duplicates lines.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { alloyHealthcheck, alloyHostBinds } from "../logs/alloyContainer";
import { alloyFlags } from "../logs/flags";
import { ALLOY_PATHS } from "../logs/paths";
import { imageOf, type Settings } from "../settings";
import type { HostFile } from "./configFiles";
import { configuredService, goMemoryLimit, type ServiceEngine } from "./configuredService";

export interface AlloyArgs {
  /** The stack settings it reads: `alloy` (memory, port, journal), `docker` (images, subnet), `namePrefix`. */
  readonly settings: Pick<Settings, "alloy" | "docker" | "namePrefix">;
  /** Engine, network and host access. */
  readonly host: ServiceEngine;
  /** `config.alloy`, relative to the stack's config root (`alloy/...`). */
  readonly files: readonly HostFile[];
  /**
   * Where its HTTP server listens. Defaults to its fixed address on the monitoring network; a further host's
   * Alloy, on no network of the stack, listens on the container's loopback (`FURTHER_HOST_ALLOY_LISTEN`).
   */
  readonly listenAddress?: string;
}

export class Alloy extends pulumi.ComponentResource {
  readonly container: docker.Container;
  readonly dataVolume: docker.Volume;
  /** `http://host:port` inside the Docker network (UI, metrics). */
  readonly internalUrl: string;

  constructor(name: string, args: AlloyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("koprogo:observability:Alloy", name, {}, opts);
    const { settings, host } = args;
    const service = configuredService(name, this, {
      service: "alloy",
      settings,
      host,
      files: args.files,
      image: imageOf(settings, "alloy"),
      memory: settings.alloy.memory,
      envs: [goMemoryLimit(settings.alloy.memory)],
      hostPort: settings.alloy.hostPort,
      command: alloyFlags(settings, args.listenAddress),
      dataPath: ALLOY_PATHS.data,
      binds: alloyHostBinds(settings, host.configRoot),
      healthcheck: alloyHealthcheck(settings, args.listenAddress),
      // Alloy re-reads its configuration on SIGHUP (as on POST /-/reload): no restart, no gap in shipping.
      onChange: "reload",
    });
    this.container = service.container;
    this.dataVolume = service.dataVolume;
    this.internalUrl = service.internalUrl;
    this.registerOutputs({ internalUrl: this.internalUrl });
  }
}
