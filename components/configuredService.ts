/**
 * The shape every configured service of the stack shares: configuration files written on the host and mounted
 * read-only (secrets owned by the service's own uid), the standard container under that uid, and a host command that
 * makes the running service pick up changed files (reload or restart); for Prometheus, Alertmanager, Loki and Alloy a
 * retained data volume handed to that uid first. The exporters keep no data and take none. Built for a component's
 * constructor, with the component as parent.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { containerName, memoryToBytes, SERVICE_PORTS, type ServiceName, type Settings } from "../settings";
import { restartContainerScript, signalContainerScript } from "../host/scripts";
import { dockerUser, SERVICE_USERS } from "../contract/serviceUsers";
import { ConfigFiles, type HostFile, reloadOnChange } from "./configFiles";
import { dataVolume, pulledImage, serviceContainer, type ServiceContainerSpec } from "./container";
import type { DockerHost } from "./dockerHost";
import { volumeOwner } from "./volumeOwner";

/** What a service needs of its host: engine, command access, config root, networks (a DockerHost has them). */
export type ServiceEngine = Pick<DockerHost, "provider" | "access" | "configRoot" | "networksFor">;

export interface ConfiguredServiceSpec {
  readonly service: ServiceName;
  /** The settings it reads: `namePrefix` (the container's name), `docker.bindAddress` (where ports are published). */
  readonly settings: Pick<Settings, "namePrefix" | "docker">;
  readonly host: ServiceEngine;
  /** The service's files, relative to the config root. */
  readonly files: readonly HostFile[];
  readonly image: string;
  /** Container memory limit (Docker notation). */
  readonly memory: string;
  /** Host address its port is published on. Defaults to `docker.bindAddress` (loopback). */
  readonly publishOn?: string;
  /** Host port on `publishOn`, or `null` for none. */
  readonly hostPort: number | null;
  readonly command: readonly string[];
  /** Ports besides the service's own (e.g. Alertmanager's gossip on the private address). */
  readonly extraPorts?: ServiceContainerSpec["ports"];
  /** `KEY=value` environment entries (e.g. `goMemoryLimit` for the Go services that honour it). */
  readonly envs?: readonly string[];
  /** Where the retained data volume is mounted inside the container; none for a service that keeps no data. */
  readonly dataPath?: string;
  /** Host paths mounted into the container (its config directory first). */
  readonly binds: ServiceContainerSpec["binds"];
  readonly healthcheck: readonly string[];
  /** What the running service gets when a file changes: `reload` (SIGHUP) or `restart` (it cannot reload). */
  readonly onChange: "reload" | "restart";
  /** Seconds between SIGTERM and SIGKILL when it stops (components/container.ts). Defaults to the common grace. */
  readonly stopGraceSeconds?: number;
  /** The host's network and process namespaces (the node exporter): it then joins no network of the stack. */
  readonly hostNamespaces?: boolean;
  /** Linux capabilities dropped, and a read-only root filesystem, for services that need neither. */
  readonly capDrop?: ServiceContainerSpec["capDrop"];
  readonly readOnly?: boolean;
  /** What else must exist before the container starts (e.g. the PostgreSQL exporter's monitoring role). */
  readonly after?: readonly pulumi.Resource[];
}

export interface ConfiguredService {
  readonly container: docker.Container;
  /** `http://host:port` inside the Docker network. */
  readonly internalUrl: string;
}

/** A service with a retained data volume (`dataPath`). */
export interface StatefulService extends ConfiguredService {
  readonly dataVolume: docker.Volume;
}

/**
 * `GOMEMLIMIT` below the container limit: the Go runtime collects harder as it nears the limit instead of being
 * killed by the kernel, which would lose what is still in memory.
 */
export function goMemoryLimit(memory: string): string {
  return `GOMEMLIMIT=${Math.floor((memoryToBytes(memory) / 1024 ** 2) * 0.85)}MiB`;
}

export function configuredService(
  name: string,
  parent: pulumi.Resource,
  spec: ConfiguredServiceSpec & { readonly dataPath: string },
): StatefulService;
export function configuredService(
  name: string,
  parent: pulumi.Resource,
  spec: ConfiguredServiceSpec,
): ConfiguredService;
export function configuredService(
  name: string,
  parent: pulumi.Resource,
  spec: ConfiguredServiceSpec,
): ConfiguredService | StatefulService {
  const { host, settings } = spec;
  const provider = host.provider;
  const container = containerName(settings, spec.service);
  const data =
    spec.dataPath === undefined
      ? undefined
      : {
          path: spec.dataPath,
          volume: dataVolume(`${name}-data`, `${container}-data`, provider, parent),
        };
  // The service's own uid (contract/serviceUsers.ts) owns its secret files and its data; no other container runs as it.
  const user = SERVICE_USERS[spec.service];
  const config = new ConfigFiles(
    `${name}-config`,
    { host: host.access, root: host.configRoot, files: spec.files, secretOwner: user.uid },
    { parent },
  );
  // Pulled first: the one-shot chown runs this image, and the container is never left waiting on a pull.
  const image = pulledImage(`${name}-image`, spec.image, provider, parent);
  const owned = data
    ? [
        volumeOwner(`${name}-data-owner`, host.access, data.volume.name, spec.image, user, {
          parent,
          dependsOn: [data.volume, image],
        }),
      ]
    : [];
  const resource = serviceContainer(
    name,
    {
      name: container,
      image: spec.image,
      memory: spec.memory,
      command: spec.command,
      envs: spec.envs ? [...spec.envs] : undefined,
      ports: [{ internal: SERVICE_PORTS[spec.service], hostPort: spec.hostPort }, ...(spec.extraPorts ?? [])],
      bindAddress: spec.publishOn ?? settings.docker.bindAddress,
      volumes: data ? [{ volume: data.volume.name, path: data.path }] : undefined,
      binds: spec.binds,
      healthcheck: spec.healthcheck,
      user: dockerUser(spec.service),
      // Networks by need (contract/networks.ts); none in the host's namespaces.
      ...(spec.hostNamespaces
        ? { networkMode: "host" as const, pidMode: "host" as const }
        : { networks: host.networksFor(spec.service) }),
      capDrop: spec.capDrop,
      readOnly: spec.readOnly,
      stopGraceSeconds: spec.stopGraceSeconds,
    },
    { parent, provider, dependsOn: [...config.writes, ...owned, ...(spec.after ?? [])], image },
  );
  const script =
    spec.onChange === "reload"
      ? signalContainerScript(container, "HUP", host.access.docker)
      : restartContainerScript(container, host.access.docker);
  reloadOnChange(`${name}-${spec.onChange}`, host.access, config.hashes, script, { parent, dependsOn: [resource] });
  const internalUrl = `http://${container}:${SERVICE_PORTS[spec.service]}`;
  return data ? { container: resource, dataVolume: data.volume, internalUrl } : { container: resource, internalUrl };
}
