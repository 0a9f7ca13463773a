/**
 * The container shape every service of the stack shares: exact image, memory limit, healthcheck, restart policy,
 * bounded logs, ports on the bind address only, the shared network. Built by a pure function so tests and the
 * policy pack can check the arguments without a Docker engine.
 *
 * What this relies on in @pulumi/docker 5.x (kreuzwerker's terraform-provider-docker, internal/provider/
 * resource_docker_container*.go, read at v4.5.0):
 * - `volumes` become `HostConfig.Binds` strings (`name:/path:rw`): on a volume's first mount Docker copies the
 *   image's directory into it and its root takes that directory's owner (65534 in the Prometheus image), undoing
 *   the chown of components/volumeOwner.ts. `mounts` of type `volume` with `volumeOptions.noCopy` become
 *   `HostConfig.Mounts` with `VolumeOptions.NoCopy`: no copy-up, the owner set before stays. `mounts` is ForceNew.
 * - Delete stops the container with `ContainerStop(timeout = destroyGraceSeconds)` and then removes it by force;
 *   unset, the timeout is 0: SIGTERM and at once SIGKILL. `destroyGraceSeconds` is not ForceNew (no replacement
 *   when it changes); `stopTimeout` (the engine's own `docker stop`/`restart` grace) is ForceNew.
 * - The healthcheck is read back with Go's `time.Duration.String()` (`60s` reads `1m0s`): a duration written any
 *   other way differs from the state after every refresh. The healthcheck is neither ForceNew nor handled by the
 *   provider's update (only restart, memory, cpu and blkio fields are), so a changed healthcheck must replace the
 *   container (`replaceOnChanges`) or it never reaches the running one.
 * - `wait` polls `State.Health.Status` once a second after start and fails the create after `waitTimeout`
 *   seconds: `up` then reports a service that never became healthy instead of success.
 * - Create looks the image up locally and pulls it only when missing; a `docker.RemoteImage` does the same in its
 *   own create, so a container that depends on one never pulls after its predecessor was deleted.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { isExactImageReference, memoryToBytes } from "../settings";
import { retentionLabel } from "./retention";

export interface PublishedPort {
  /** Port inside the container. */
  readonly internal: number;
  /** Host port, or `null` to keep the port inside the Docker network. */
  readonly hostPort: number | null;
  /** Host address instead of `bindAddress`: a private address, for what other hosts must reach (gossip). */
  readonly ip?: string;
  /** Defaults to `tcp`. */
  readonly protocol?: "tcp" | "udp";
}

export interface ContainerNetwork {
  readonly name: pulumi.Input<string>;
  /** A fixed address on that network (Alloy's, so it can listen on that network only). */
  readonly ipv4Address?: string;
}

export interface ServiceContainerSpec {
  /** Docker container name (unique per stack: built from the stack's `namePrefix`). */
  readonly name: string;
  /** Exact image reference; `latest` or a bare major tag is refused. */
  readonly image: string;
  /** Memory limit in Docker notation (`256m`). */
  readonly memory: string;
  /** Arguments after the image's entrypoint. */
  readonly command?: readonly string[];
  /** `KEY=value` environment entries (an output when it carries a secret). */
  readonly envs?: pulumi.Input<pulumi.Input<string>[]>;
  /** Ports, published on `bindAddress` when they have a host port. */
  readonly ports?: readonly PublishedPort[];
  readonly bindAddress: string;
  /** The Docker networks the container joins (none with `networkMode: "host"`), see contract/networks.ts. */
  readonly networks?: readonly ContainerNetwork[];
  /** Named volumes: data that must survive the container. */
  readonly volumes?: readonly {
    readonly volume: pulumi.Input<string>;
    readonly path: string;
    readonly readOnly?: boolean;
  }[];
  /** Host paths bind-mounted into the container (configuration, host logs, the Docker socket). */
  readonly binds?: readonly { readonly hostPath: string; readonly path: string; readonly readOnly: boolean }[];
  /** Healthcheck command in exec form (`["CMD", "wget", ...]`). */
  readonly healthcheck: readonly string[];
  /** Run as this user (`uid[:gid]`). */
  readonly user?: string;
  /** `host` for agents that must see the host's network (node exporter). */
  readonly networkMode?: "host";
  /** `host` for agents that must see the host's processes. */
  readonly pidMode?: "host";
  /** Docker labels (Traefik routing). */
  readonly labels?: Readonly<Record<string, string>>;
  /** Linux capabilities dropped (`ALL` for the socket proxy). */
  readonly capDrop?: readonly string[];
  /** A read-only root filesystem. */
  readonly readOnly?: boolean;
  /** Seconds between SIGTERM and SIGKILL when the container stops. Defaults to `STOP_GRACE_SECONDS_DEFAULT`. */
  readonly stopGraceSeconds?: number;
  /** Seconds `up` waits for the new container to be healthy. Defaults to `HEALTHY_TIMEOUT_SECONDS_DEFAULT`. */
  readonly healthyTimeoutSeconds?: number;
}

/**
 * A duration as Go's `time.Duration.String()` writes it (`30s`, `1m0s`, `1h30m0s`): the form the provider reads a
 * healthcheck back in, so the state and the program agree and a refresh shows no diff.
 */
export function goDuration(seconds: number): string {
  if (!Number.isInteger(seconds) || seconds < 0) throw new Error(`duration ${seconds}s must be whole seconds >= 0`);
  if (seconds === 0) return "0s";
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  if (hours > 0) return `${hours}h${minutes}m${rest}s`;
  if (minutes > 0) return `${minutes}m${rest}s`;
  return `${rest}s`;
}

/**
 * Healthcheck timings of every service, in seconds. During `startPeriod` the engine checks every `startInterval`
 * (Docker Engine 25+; older engines ignore the field): a new container is `healthy` within seconds instead of after
 * the first `interval`, and Traefik, which skips a container until it is healthy, routes it (Grafana's API through
 * its domain) that much sooner.
 */
export const HEALTHCHECK_SECONDS = { interval: 30, timeout: 5, startPeriod: 60, startInterval: 2 } as const;

/**
 * Seconds a stopping service gets between SIGTERM and SIGKILL, on a replacement or destroy (`destroyGraceSeconds`)
 * and on the engine's own stop or restart (`stopTimeout`). Docker's default is 10 s and the provider's 0.
 * Alertmanager writes its silences and notification log on shutdown (lost otherwise: silences vanish, pages go
 * out again); Prometheus and Loki close their TSDB/WAL cleanly, so the next start replays nothing it need not.
 * A service that exits sooner is removed sooner: the grace is an upper bound, not a wait.
 */
export const STOP_GRACE_SECONDS_DEFAULT = 30;

/**
 * Seconds `up` waits for a new container to be healthy (`waitTimeout`): above `startPeriod`, and enough for
 * Prometheus or Loki to replay a WAL on the VPS's disk after a replacement.
 */
export const HEALTHY_TIMEOUT_SECONDS_DEFAULT = 180;

/** Memory limit in MiB, the unit of the Docker provider's `memory`. */
export function memoryMegabytes(memory: string): number {
  return Math.ceil(memoryToBytes(memory) / 1024 ** 2);
}

function requireExactImage(image: string, of: string): void {
  if (!isExactImageReference(image))
    throw new Error(`image \`${image}\` of ${of} must name an exact version (no latest, no bare major tag)`);
}

/** The `docker.Container` arguments of a service. Throws on an image without an exact version. */
export function serviceContainerArgs(spec: ServiceContainerSpec): docker.ContainerArgs {
  requireExactImage(spec.image, spec.name);
  const megabytes = memoryMegabytes(spec.memory);
  const stopGrace = spec.stopGraceSeconds ?? STOP_GRACE_SECONDS_DEFAULT;
  return {
    name: spec.name,
    image: spec.image,
    command: spec.command ? [...spec.command] : undefined,
    envs: spec.envs,
    memory: megabytes,
    // No swap beyond the limit: on a 2 GB VPS a swapping monitor is worse than a restarted one.
    memorySwap: megabytes,
    restart: "unless-stopped",
    // json-file with rotation: container logs must not fill the disk they are meant to watch.
    logDriver: "json-file",
    logOpts: { "max-size": "10m", "max-file": "3" },
    healthcheck: {
      tests: [...spec.healthcheck],
      interval: goDuration(HEALTHCHECK_SECONDS.interval),
      timeout: goDuration(HEALTHCHECK_SECONDS.timeout),
      retries: 3,
      startPeriod: goDuration(HEALTHCHECK_SECONDS.startPeriod),
      startInterval: goDuration(HEALTHCHECK_SECONDS.startInterval),
    },
    destroyGraceSeconds: stopGrace,
    stopTimeout: stopGrace,
    ports: (spec.ports ?? [])
      .filter((p): p is PublishedPort & { hostPort: number } => p.hostPort !== null)
      .map((p) => ({
        internal: p.internal,
        external: p.hostPort,
        ip: p.ip ?? spec.bindAddress,
        protocol: p.protocol ?? "tcp",
      })),
    networkMode: spec.networkMode,
    pidMode: spec.pidMode,
    networksAdvanced:
      spec.networkMode === "host" || !spec.networks
        ? undefined
        : spec.networks.map((n) => (n.ipv4Address ? { name: n.name, ipv4Address: n.ipv4Address } : { name: n.name })),
    // Named volumes as mounts without copy-up: the owner components/volumeOwner.ts gave the volume stays.
    mounts: (spec.volumes ?? []).map((v) => ({
      type: "volume",
      source: v.volume,
      target: v.path,
      readOnly: v.readOnly ?? false,
      volumeOptions: { noCopy: true },
    })),
    volumes: (spec.binds ?? []).map((b) => ({ hostPath: b.hostPath, containerPath: b.path, readOnly: b.readOnly })),
    user: spec.user,
    capabilities: spec.capDrop ? { drops: [...spec.capDrop] } : undefined,
    readOnly: spec.readOnly,
    // No process of a service may gain privileges (setuid binaries) beyond its user.
    securityOpts: ["no-new-privileges:true"],
    labels: Object.entries({ "com.koprogo.observability": "true", ...spec.labels }).map(([label, value]) => ({
      label,
      value,
    })),
    // `up` fails when a new container does not become healthy (a service that cannot write its data volume loops
    // in restarts): success means every service runs.
    wait: true,
    waitTimeout: spec.healthyTimeoutSeconds ?? HEALTHY_TIMEOUT_SECONDS_DEFAULT,
  };
}

/**
 * The image of a service, pulled by its own resource before its container is created or replaced: containers
 * have fixed names, so a replacement deletes the old one first, and an image pulled inside the new container's
 * create would leave the service down for the whole pull (or for good, when the pull fails). `keepLocally`: a
 * replaced or destroyed image resource never removes the image (a rollback needs no pull).
 */
export function pulledImage(
  name: string,
  image: string,
  provider: pulumi.ProviderResource,
  parent: pulumi.Resource,
): docker.RemoteImage {
  requireExactImage(image, name);
  return new docker.RemoteImage(name, { name: image, keepLocally: true }, { parent, provider });
}

export interface ServiceContainerOptions {
  readonly parent: pulumi.Resource;
  readonly provider: pulumi.ProviderResource;
  /** What must exist before the container starts (its files, its volume's owner). */
  readonly dependsOn?: readonly pulumi.Resource[];
  /** The image resource, when the caller needs it before the container (volumeOwner); else made here. */
  readonly image?: docker.RemoteImage;
}

/**
 * A service's container, and its image pulled ahead. Replaced delete-before-replace (its name is fixed: two
 * containers of one name cannot exist) and on any healthcheck change (the provider cannot update one).
 */
export function serviceContainer(
  name: string,
  spec: ServiceContainerSpec,
  opts: ServiceContainerOptions,
): docker.Container {
  const image = opts.image ?? pulledImage(`${name}-image`, spec.image, opts.provider, opts.parent);
  return new docker.Container(name, serviceContainerArgs(spec), {
    parent: opts.parent,
    provider: opts.provider,
    dependsOn: [...(opts.dependsOn ?? []), image],
    deleteBeforeReplace: true,
    replaceOnChanges: ["healthcheck"],
  });
}

/**
 * A named volume that outlives the container and the stack: `retainOnDelete`, so neither a replacement nor a
 * `pulumi destroy` deletes metrics, logs, dashboards or silences.
 */
export function dataVolume(
  name: string,
  volumeName: string,
  provider: pulumi.ProviderResource,
  parent: pulumi.Resource,
): docker.Volume {
  const opts: pulumi.CustomResourceOptions = { parent, provider, retainOnDelete: true, protect: false };
  return new docker.Volume(
    name,
    { name: volumeName, labels: [{ label: "com.koprogo.observability", value: "data" }, retentionLabel(opts)] },
    opts,
  );
}
