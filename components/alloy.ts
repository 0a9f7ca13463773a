/**
 * Grafana Alloy: ships the containers' logs (Docker socket), the journal and the security agents' host files to
 * Loki. Everything from the host is mounted read-only; its read positions live on a retained volume, so a restart
 * or a replacement neither loses nor duplicates lines.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { ALLOY_PATHS } from "../logs/paths";
import { IMAGES, SERVICE_PORTS, type Settings } from "../settings";
import type { HostFile } from "./configFiles";
import { configuredService, goMemoryLimit } from "./configuredService";
import type { DockerHost } from "./dockerHost";

export interface AlloyArgs {
  /** The stack settings (`alloy`, `docker`, `namePrefix`). */
  readonly settings: Settings;
  /** Engine, network and host access. */
  readonly host: DockerHost;
  /** `config.alloy`, relative to the stack's config root (`alloy/...`). */
  readonly files: readonly HostFile[];
}

/** `alloy run` flags: listen inside the network (Prometheus scrapes it), positions on the volume, no usage reporting. */
export function alloyFlags(): string[] {
  return [
    "run",
    `--server.http.listen-addr=0.0.0.0:${SERVICE_PORTS.alloy}`,
    `--storage.path=${ALLOY_PATHS.data}`,
    "--disable-reporting",
    ALLOY_PATHS.config,
  ];
}

/** Host paths Alloy reads, all read-only. */
export function alloyHostBinds(settings: Settings, configRoot: string): { hostPath: string; path: string; readOnly: true }[] {
  return [
    { hostPath: `${configRoot}/alloy`, path: ALLOY_PATHS.configDir, readOnly: true },
    // Read-only keeps the socket file from being replaced; the API behind it is still the engine's full API, which
    // is why Alloy is the one container of the stack given it (a socket proxy would narrow it further).
    { hostPath: settings.alloy.dockerSocket, path: ALLOY_PATHS.dockerSocket, readOnly: true },
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
 * The image has no curl or wget: bash opens the TCP connection itself and checks that `/-/ready` answers 200.
 */
export function alloyHealthcheck(): string[] {
  const request = `exec 3<>/dev/tcp/127.0.0.1/${SERVICE_PORTS.alloy} && printf 'GET /-/ready HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '`;
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
      image: IMAGES.alloy,
      memory: settings.alloy.memory,
      envs: [goMemoryLimit(settings.alloy.memory)],
      hostPort: settings.alloy.hostPort,
      command: alloyFlags(),
      dataPath: ALLOY_PATHS.data,
      binds: alloyHostBinds(settings, host.configRoot),
      healthcheck: alloyHealthcheck(),
      // Alloy re-reads its configuration on SIGHUP (as on POST /-/reload): no restart, no gap in shipping.
      onChange: "reload",
    });
    this.container = service.container;
    this.dataVolume = service.dataVolume;
    this.internalUrl = service.internalUrl;
    this.registerOutputs({ internalUrl: this.internalUrl });
  }
}
