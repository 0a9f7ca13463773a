/**
 * Checks of Docker containers and images, as pure functions of the resource inputs the engine hands a policy
 * (plain JSON: secrets already unwrapped, lists of `{label, value}` as the Docker provider declares them).
 * Each returns the violations as messages; an empty list means the resource passes.
 */
import { isExactImageReference } from "../settings/images";
import { isPrivateAddress, listenHost } from "./addresses";

/** The `docker.Container` inputs these checks read. */
export interface ContainerProps {
  readonly name?: string;
  readonly image?: string;
  readonly memory?: number;
  readonly ports?: readonly {
    readonly internal?: number;
    readonly external?: number;
    readonly ip?: string;
    readonly protocol?: string;
  }[];
  readonly networkMode?: string;
  readonly command?: readonly string[];
  readonly envs?: readonly string[];
}

/** The `docker.RemoteImage` inputs these checks read. */
export interface RemoteImageProps {
  readonly name?: string;
}

/** Flags by which the services of this stack choose their listen address (Prometheus exporters, Alloy, Loki). */
const LISTEN_FLAGS = [
  "--web.listen-address",
  "-web.listen-address",
  "--server.http.listen-addr",
  "--listen-address",
  "-server.http-listen-address",
];

function describe(props: ContainerProps): string {
  return props.name ? `container \`${props.name}\`` : "the container";
}

/** The values given to any listen flag in a command, in `--flag=value` or `--flag value` form. */
export function listenAddresses(command: readonly string[]): string[] {
  const found: string[] = [];
  command.forEach((arg, index) => {
    for (const flag of LISTEN_FLAGS) {
      if (arg.startsWith(`${flag}=`)) found.push(arg.slice(flag.length + 1));
      else if (arg === flag && command[index + 1] !== undefined) found.push(command[index + 1]);
    }
  });
  return found;
}

/**
 * Every published port must bind to loopback or a private address: what is public goes through the reverse proxy
 * (Traefik labels on the container), never a bare published port. A container in the host's network namespace
 * publishes whatever it listens on, so it must name a private listen address.
 */
export function checkContainerPorts(props: ContainerProps): string[] {
  const violations: string[] = [];
  for (const port of props.ports ?? []) {
    const ip = port.ip ?? "";
    if (!isPrivateAddress(ip)) {
      const where =
        ip === "" || ip === "0.0.0.0" || ip === "::"
          ? "every address (no `ip`, or a wildcard)"
          : `the public address ${ip}`;
      violations.push(
        `${describe(props)} publishes port ${port.internal ?? "?"} on ${where}: bind it to 127.0.0.1 or a private address, and expose it through the reverse proxy (Traefik labels) if it must be public`,
      );
    }
  }
  if (props.networkMode === "host") {
    const listens = listenAddresses(props.command ?? []);
    if (listens.length === 0) {
      violations.push(
        `${describe(props)} runs in the host network without a listen address flag, so it listens on every interface: pass e.g. \`--web.listen-address=127.0.0.1:<port>\``,
      );
    }
    for (const listen of listens) {
      if (!isPrivateAddress(listenHost(listen))) {
        violations.push(
          `${describe(props)} runs in the host network and listens on \`${listen}\`, a public or wildcard address: listen on loopback or the Docker bridge address`,
        );
      }
    }
  }
  return violations;
}

/** The image must name an exact version (or digest): `latest`, a bare major tag or no tag can change under us. */
export function checkContainerImage(props: ContainerProps): string[] {
  const image = props.image ?? "";
  // A container created from a `RemoteImage` receives its image id, a content digest: exact by construction.
  if (/^sha256:[a-f0-9]{64}$/.test(image)) return [];
  return isExactImageReference(image)
    ? []
    : [
        `${describe(props)} uses image \`${image || "(none)"}\` without an exact version: pin it in settings/images.ts (e.g. \`prom/prometheus:v3.5.0\`)`,
      ];
}

/** A pulled image must name an exact version too: the container would follow whatever it resolves to. */
export function checkRemoteImage(props: RemoteImageProps): string[] {
  const name = props.name ?? "";
  return isExactImageReference(name)
    ? []
    : [`image \`${name || "(none)"}\` is pulled without an exact version: pin it in settings/images.ts`];
}

/** Every container needs a memory limit: the stack shares a 2 GB VPS with the application. */
export function checkContainerMemory(props: ContainerProps): string[] {
  const memory = props.memory;
  if (typeof memory === "number" && memory > 0) return [];
  return [
    `${describe(props)} has no memory limit: set \`memory\` (MiB); the whole stack must fit beside the application on the VPS`,
  ];
}
