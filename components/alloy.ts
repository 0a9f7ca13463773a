/**
 * Grafana Alloy: ships the containers' logs (through the socket proxy), the journal and the security agents' host files to
 * Loki. Everything from the host is mounted read-only; its read positions live on a retained volume, so a restart
 * or a replacement neither loses nor duplicates lines.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { ALLOY_PATHS } from "../logs/paths";
import { imageOf, SERVICE_PORTS, staticAddress, type Settings } from "../settings";
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

/** A further host's Alloy: its HTTP server inside its container only (nobody scrapes it there yet). */
export const FURTHER_HOST_ALLOY_LISTEN = `127.0.0.1:${SERVICE_PORTS.alloy}`;

/**
 * Where Alloy's HTTP server (UI, `/-/reload`, pprof, `/metrics`) listens: its fixed address on the monitoring
 * network, where Prometheus scrapes it; not 0.0.0.0, which would answer the socket proxy's network too.
 */
export function alloyListenAddress(settings: Settings): string {
  const address = staticAddress(settings, "alloy");
  if (!address)
    throw new Error("Alloy has no fixed address on the monitoring network (settings/services.ts STATIC_HOSTS)");
  return `${address}:${SERVICE_PORTS.alloy}`;
}

/** `alloy run` flags: listen on the monitoring network only, positions on the volume, no usage reporting. */
export function alloyFlags(settings: Settings, listenAddress = alloyListenAddress(settings)): string[] {
  return [
    "run",
    `--server.http.listen-addr=${listenAddress}`,
    `--storage.path=${ALLOY_PATHS.data}`,
    "--disable-reporting",
    ALLOY_PATHS.config,
  ];
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
