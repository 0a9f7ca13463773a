/** Loki: stores the logs Alloy ships for 7 days on a retained volume, reachable only inside the Docker network. */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { LOKI_PATHS } from "../logs/paths";
import { containerName, IMAGES, memoryToBytes, SERVICE_PORTS, type Settings } from "../settings";
import { ConfigFiles, type HostFile, reloadOnChange, restartContainerScript } from "./configFiles";
import { dataVolume, serviceContainerArgs } from "./container";
import type { DockerHost } from "./dockerHost";

export interface LokiArgs {
  /** The stack settings (`loki`, `docker`, `namePrefix`). */
  readonly settings: Settings;
  /** Engine, network and host access. */
  readonly host: DockerHost;
  /** `loki.yaml`, relative to the stack's config root (`loki/...`). */
  readonly files: readonly HostFile[];
}

/** Command-line flags: the generated configuration, nothing else (every setting is in the file, with its reason). */
export function lokiFlags(): string[] {
  return [`-config.file=${LOKI_PATHS.config}`];
}

/**
 * `GOMEMLIMIT` below the container limit: the Go runtime collects harder as it nears the limit instead of being
 * killed by the kernel, which would lose the chunks not yet flushed.
 */
export function goMemoryLimit(memory: string): string {
  return `GOMEMLIMIT=${Math.floor((memoryToBytes(memory) / 1024 ** 2) * 0.85)}MiB`;
}

export class Loki extends pulumi.ComponentResource {
  readonly container: docker.Container;
  readonly dataVolume: docker.Volume;
  /** `http://host:port` inside the Docker network (Grafana's data source, Alloy's push endpoint). */
  readonly internalUrl: string;

  constructor(name: string, args: LokiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("koprogo:observability:Loki", name, {}, opts);
    const { settings, host } = args;
    const provider = host.provider;
    const container = containerName(settings, "loki");
    this.dataVolume = dataVolume(`${name}-data`, `${container}-data`, provider, this);
    const config = new ConfigFiles(`${name}-config`, { host: host.access, root: host.configRoot, files: args.files }, { parent: this });
    this.container = new docker.Container(
      name,
      serviceContainerArgs({
        name: container,
        image: IMAGES.loki,
        memory: settings.loki.memory,
        command: lokiFlags(),
        envs: [goMemoryLimit(settings.loki.memory)],
        ports: [{ internal: SERVICE_PORTS.loki, hostPort: settings.loki.hostPort }],
        bindAddress: settings.docker.bindAddress,
        network: host.networkName,
        // The image runs as uid 10001 and owns /loki; a new named volume takes that ownership from the image.
        volumes: [{ volume: this.dataVolume.name, path: LOKI_PATHS.data }],
        binds: [{ hostPath: `${host.configRoot}/loki`, path: LOKI_PATHS.configDir, readOnly: true }],
        // Loki 3.5's image still carries busybox's wget (3.6 removed it: revisit the check when upgrading).
        healthcheck: ["CMD", "wget", "-q", "--spider", `http://127.0.0.1:${SERVICE_PORTS.loki}/ready`],
      }),
      { parent: this, provider, dependsOn: config.writes },
    );
    // Loki cannot reload its configuration: a change restarts it (its WAL replays what was not flushed).
    reloadOnChange(`${name}-restart`, host.access, config.hashes, restartContainerScript(container), { parent: this, dependsOn: [this.container] });
    this.internalUrl = `http://${container}:${SERVICE_PORTS.loki}`;
    this.registerOutputs({ internalUrl: this.internalUrl });
  }
}
