/**
 * The container shape every service of the stack shares: exact image, memory limit, healthcheck, restart policy,
 * bounded logs, ports on the bind address only, the shared network. Built by a pure function so tests and the
 * policy pack can check the arguments without a Docker engine.
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
}

/** Memory limit in MiB, the unit of the Docker provider's `memory`. */
export function memoryMegabytes(memory: string): number {
  return Math.ceil(memoryToBytes(memory) / 1024 ** 2);
}

/** The `docker.Container` arguments of a service. Throws on an image without an exact version. */
export function serviceContainerArgs(spec: ServiceContainerSpec): docker.ContainerArgs {
  if (!isExactImageReference(spec.image))
    throw new Error(
      `image \`${spec.image}\` of ${spec.name} must name an exact version (no latest, no bare major tag)`,
    );
  const megabytes = memoryMegabytes(spec.memory);
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
    // During `startPeriod` the engine checks every `startInterval` (Docker Engine 25+; older engines ignore the
    // field): a new container is `healthy` within seconds instead of after the first 30s `interval`, and Traefik,
    // which skips a container until it is healthy, routes it (Grafana's API through its domain) that much sooner.
    healthcheck: {
      tests: [...spec.healthcheck],
      interval: "30s",
      timeout: "5s",
      retries: 3,
      startPeriod: "60s",
      startInterval: "2s",
    },
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
    volumes: [
      ...(spec.volumes ?? []).map((v) => ({
        volumeName: v.volume,
        containerPath: v.path,
        readOnly: v.readOnly ?? false,
      })),
      ...(spec.binds ?? []).map((b) => ({ hostPath: b.hostPath, containerPath: b.path, readOnly: b.readOnly })),
    ],
    user: spec.user,
    capabilities: spec.capDrop ? { drops: [...spec.capDrop] } : undefined,
    readOnly: spec.readOnly,
    // No process of a service may gain privileges (setuid binaries) beyond its user.
    securityOpts: ["no-new-privileges:true"],
    labels: Object.entries({ "com.koprogo.observability": "true", ...spec.labels }).map(([label, value]) => ({
      label,
      value,
    })),
    // The engine runs the healthcheck; `up` does not block on it (a dependent that needs a ready service, such as
    // the Grafana provider, waits on its own readiness check).
    wait: false,
  };
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
