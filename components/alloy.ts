/**
 * Grafana Alloy: ships the containers' logs (through the socket proxy), the journal and the security agents' host files to
 * Loki. Everything from the host is mounted read-only; its read positions live on a retained volume, so a restart
 * or a replacement neither loses nor duplicates lines.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { alloyFlags, alloyListenAddress } from "../logs/flags";
import { ALLOY_PATHS } from "../logs/paths";
import { IMAGES, type Settings } from "../settings";
import type { HostFile } from "./configFiles";
import { configuredService, goMemoryLimit, type ServiceEngine } from "./configuredService";

export interface AlloyArgs {
  /** The stack settings (`alloy`, `docker`, `namePrefix`). */
  readonly settings: Settings;
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

/** Host paths Alloy reads, all read-only. */
export function alloyHostBinds(
  settings: Settings,
  configRoot: string,
): { hostPath: string; path: string; readOnly: true }[] {
  return [
    { hostPath: `${configRoot}/alloy`, path: ALLOY_PATHS.configDir, readOnly: true },
    // No Docker socket: containers are listed and read through the socket proxy (components/socketProxy.ts).
    // Same path inside, so the file paths of the settings (and the persistent journal) work unchanged.
    { hostPath: ALLOY_PATHS.hostLogs, path: ALLOY_PATHS.hostLogs, readOnly: true },
    ...(settings.alloy.journal.enabled
      ? [
          { hostPath: ALLOY_PATHS.runtimeJournal, path: ALLOY_PATHS.runtimeJournal, readOnly: true as const },
          { hostPath: ALLOY_PATHS.machineId, path: ALLOY_PATHS.machineId, readOnly: true as const },
        ]
      : []),
  ];
}

/**
 * The image has no curl or wget: bash opens the TCP connection itself (to the address Alloy listens on) and
 * checks that `/-/ready` answers 200.
 */
export function alloyHealthcheck(settings: Settings, listenAddress = alloyListenAddress(settings)): string[] {
  const [address, port] = listenAddress.split(":");
  const request = `exec 3<>/dev/tcp/${address}/${port} && printf 'GET /-/ready HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '`;
  return ["CMD", "bash", "-c", request];
}

export { FURTHER_HOST_ALLOY_LISTEN } from "../logs/flags";

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
      image: IMAGES.alloy,
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
