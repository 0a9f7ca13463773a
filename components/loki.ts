/** Loki: stores the logs Alloy ships for 7 days on a retained volume, reachable only inside the Docker network. */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { lokiFlags } from "../logs/flags";
import { LOKI_PATHS } from "../logs/paths";
import { imageOf, SERVICE_PORTS, type Settings } from "../settings";
import type { HostFile } from "./configFiles";
import { configuredService, goMemoryLimit } from "./configuredService";
import { LOKI_S3_CREDENTIALS } from "../logs/furtherHostFiles";
// Loki runs as its image's uid (contract/serviceUsers.ts), which owns the S3 credentials file (its one secret).
import type { DockerHost } from "./dockerHost";

export interface LokiArgs {
  /** The stack settings it reads: `loki` (memory, port, storage), `docker`, `namePrefix`. */
  readonly settings: Pick<Settings, "loki" | "docker" | "namePrefix">;
  /** Engine, network and host access. */
  readonly host: DockerHost;
  /** `loki.yaml`, relative to the stack's config root (`loki/...`). */
  readonly files: readonly HostFile[];
}

export class Loki extends pulumi.ComponentResource {
  readonly container: docker.Container;
  readonly dataVolume: docker.Volume;
  /** `http://host:port` inside the Docker network (Grafana's data source, Alloy's push endpoint). */
  readonly internalUrl: string;

  constructor(name: string, args: LokiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("koprogo:observability:Loki", name, {}, opts);
    const { settings, host } = args;
    const service = configuredService(name, this, {
      service: "loki",
      settings,
      host,
      files: args.files,
      image: imageOf(settings, "loki"),
      memory: settings.loki.memory,
      // With loki.storage, the S3 client reads its keys from this file (AWS default chain), so loki.yaml holds none.
      envs: [
        goMemoryLimit(settings.loki.memory),
        ...(settings.loki.storage ? [`AWS_SHARED_CREDENTIALS_FILE=${LOKI_S3_CREDENTIALS.inContainer}`] : []),
      ],
      hostPort: settings.loki.hostPort,
      command: lokiFlags(),
      // The image runs as uid 10001 and owns /loki; the volume is handed to that uid before the first start.
      dataPath: LOKI_PATHS.data,
      binds: [{ hostPath: `${host.configRoot}/loki`, path: LOKI_PATHS.configDir, readOnly: true }],
      // Loki 3.5's image still carries busybox's wget (3.6 removed it: revisit the check when upgrading).
      healthcheck: ["CMD", "wget", "-q", "--spider", `http://127.0.0.1:${SERVICE_PORTS.loki}/ready`],
      // Loki cannot reload its configuration: a change restarts it (its WAL replays what was not flushed).
      onChange: "restart",
      // Its ingester stops its WAL and chunk writers on SIGTERM; a SIGKILL leaves more to replay within its limit.
      stopGraceSeconds: 120,
    });
    this.container = service.container;
    this.dataVolume = service.dataVolume;
    this.internalUrl = service.internalUrl;
    this.registerOutputs({ internalUrl: this.internalUrl });
  }
}
