/** Where the stack runs: the Docker engine, the host reached over SSH, the network shared with the application. */
import { z } from "zod";
import { DEFAULT_MEMORY_BUDGET_MIB, VPS_MEMORY } from "../contract/hostAgents";
import { DEPLOYED_IMAGES, hasImageDigest, isExactImageReference, type DeployedImageName } from "./images";
import { absolutePath, bindAddress, hostName, IPV4_PATTERN as IPV4, loginName, memory } from "./primitives";

/** An IPv4 address as a number. */
export function ipv4ToInt(address: string): number {
  return address.split(".").reduce((total, octet) => total * 256 + Number(octet), 0);
}

export function intToIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

function isMonitoringSubnet(value: string): boolean {
  const [address, prefix, ...rest] = value.split("/");
  if (rest.length > 0 || !IPV4.test(address ?? "") || !/^\d{2}$/.test(prefix ?? "")) return false;
  const bits = Number(prefix);
  return bits >= 16 && bits <= 28 && ipv4ToInt(address) % 2 ** (32 - bits) === 0;
}

export const dockerSettings = z
  .object({
    /** Docker engine: `unix:///var/run/docker.sock` locally, `ssh://user@host` for the VPS. */
    host: z
      .string()
      .regex(
        /^(unix:\/\/\/[A-Za-z0-9._/-]+|ssh:\/\/([a-z_][a-z0-9_-]{0,31}@)?[A-Za-z0-9.-]+(:\d{1,5})?|tcp:\/\/[A-Za-z0-9.-]+:\d{1,5})$/,
        "must be unix:///path, ssh://user@host or tcp://host:port (ssh may add :port; letters, digits, . _ - only)",
      )
      .default("unix:///var/run/docker.sock"),
    /**
     * Extra `ssh` options for an ssh:// engine (e.g. `-o StrictHostKeyChecking=yes`): `-o`-style flags and
     * `Key=value` options of plain characters. Options that run a command (`ProxyCommand`, `LocalCommand`,
     * `PermitLocalCommand`, `KnownHostsCommand`) are refused: a stack file must not run code on the deployer.
     */
    sshOpts: z
      .array(
        z
          .string()
          .regex(
            /^(-[A-Za-z46]|[A-Za-z]+=[A-Za-z0-9._/:@,+-]*)$/,
            "must be an ssh flag like -o or an option like StrictHostKeyChecking=yes (plain characters only)",
          )
          .refine(
            (v) => !/^(ProxyCommand|LocalCommand|PermitLocalCommand|KnownHostsCommand|ProxyUseFdpass)=/i.test(v),
            "must not be an option that runs a command",
          ),
      )
      .default([]),
    /** The Docker network the stack joins; in prod the application's existing network. */
    network: z
      .object({
        /** Name of the network: the application's (`koprogo-network` in prod) when `external`, else the one the stack creates. */
        name: z
          .string()
          .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "must be a Docker network name (letters, digits, _ . -)")
          .default("koprogo-observability"),
        /** `true` when the network already exists (the application's); `false` to create it. */
        external: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    /** Host address every published port binds to. Loopback by default: reach the UIs through an SSH tunnel. */
    bindAddress: bindAddress.default("127.0.0.1"),
    /** Directory on the Docker host that holds the rendered configuration files, bind-mounted read-only. */
    configRoot: absolutePath.default("/opt/koprogo-observability"),
    /**
     * Subnet of the stack's internal `monitoring` network (created by the stack). Fixed so that Alloy listens on
     * its own address there and nowhere else. Pick one that no other network or route of the host uses.
     */
    monitoringSubnet: z
      .string()
      .refine(isMonitoringSubnet, {
        message:
          "must be an IPv4 network in CIDR notation with a prefix from /16 to /28, like 172.31.213.0/24 (the address must be the network's first)",
      })
      .default("172.31.213.0/24"),
    /**
     * Upper bound for the stack's memory on the VPS: every container's limit plus the host agents' figures
     * (contract/hostAgents.ts). Defaults to `1408m`: a 2 GiB VPS less 448 MiB for the application's containers and
     * 192 MiB for the OS and Docker (docs/operator/memory-budget.md).
     */
    memoryBudget: memory.default(`${DEFAULT_MEMORY_BUDGET_MIB}m`),
    /**
     * Images to run instead of the pinned ones (settings/images.ts), by service: the same software built elsewhere
     * (the lab's images, `koprogo-lab/prometheus:v3.5.0`, or a mirror). Each must name an exact version or a
     * digest, as the pins do; a service left out runs its pinned image. Empty by default.
     */
    images: z
      .partialRecord(
        z.enum(DEPLOYED_IMAGES as [DeployedImageName, ...DeployedImageName[]]),
        z
          .string()
          .regex(
            /^[a-z0-9][a-z0-9._/:-]*(@sha256:[a-f0-9]{64})?$/,
            "must be an image reference (lower-case repository)",
          )
          .refine(
            isExactImageReference,
            "must name an exact version (`:v3.5.0`, not `latest` or `v3`) or a sha256 digest",
          ),
      )
      .default({}),
    /**
     * The services whose `docker.images` override may run without a digest in `staging` and `prod`: an explicit,
     * per-service opt-out (a mirror or a local build that has no registry digest), which those environments otherwise
     * refuse. Empty by default; a name listed here must have an override without a digest (a stale opt-out is
     * refused too). docs/operator/security.md "Image digests".
     */
    imagesWithoutDigest: z.array(z.enum(DEPLOYED_IMAGES as [DeployedImageName, ...DeployedImageName[]])).default([]),
    /**
     * The RAM of the host the stack runs on (the total of `free -m`). Defaults to `2048m`, the brief's 2 GB VPS. It bounds
     * `memoryBudget`: at most this less what the application's containers and the OS keep (448m and 192m).
     */
    hostMemory: memory.default(`${VPS_MEMORY.totalMib}m`),
  })
  .strict();

/** Key types OpenSSH servers offer as host keys, in the form `ssh-keyscan` prints them. */
const HOST_KEY_TYPES = [
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "ssh-rsa",
] as const;

const HOST_KEY_HELP =
  "must be the host's public key as `ssh-keyscan -t ed25519 <host> | cut -d' ' -f2-` prints it, e.g. `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA...` (key type, then base64; no host name)";

/**
 * Whether `line` is an OpenSSH public key line (`<type> <base64> [comment]`) whose base64 decodes to a key blob
 * of that same type: the wire format starts with the length-prefixed type name, so a truncated paste, a key of
 * another type or a host name left in front are refused here rather than at the first connection.
 */
export function isOpenSshPublicKey(line: string): boolean {
  const match = /^(\S+) ([A-Za-z0-9+/]+={0,2})(?: [^\n]*)?$/.exec(line.trim());
  if (!match || !(HOST_KEY_TYPES as readonly string[]).includes(match[1])) return false;
  const blob = Buffer.from(match[2], "base64");
  if (blob.length < 4 + match[1].length || blob.toString("base64").replace(/=+$/, "") !== match[2].replace(/=+$/, ""))
    return false;
  const length = blob.readUInt32BE(0);
  if (length !== match[1].length || blob.subarray(4, 4 + length).toString("latin1") !== match[1]) return false;
  // ed25519: type string, then a 32-byte key; the others are longer and checked by type only.
  return match[1] !== "ssh-ed25519" || blob.length === 4 + 11 + 4 + 32;
}

/** An SSH host key, kept as `<type> <base64>` (a comment after them is dropped). */
export const sshHostKey = z
  .string()
  .refine(isOpenSshPublicKey, { message: HOST_KEY_HELP })
  .transform((line) => line.trim().split(" ").slice(0, 2).join(" "));

/**
 * SSH access to the host for the commands that write files and manage host agents (prod). Each key defaults to
 * what an `ssh://user@host:port` Docker host names; `hostKey` has no default: it is how the commands know they
 * talk to the VPS and not to whoever answers on its address (the files they send include secrets).
 */
export const sshSettings = z
  .object({
    /** Host name or address. Defaults to the host of an `ssh://` `docker.host`. */
    host: hostName.optional(),
    /** SSH user: `root`, or a deploy user with the sudo rule of docs/operator/deploying.md. Defaults to the `ssh://` user, else `root`. */
    user: loginName.optional(),
    /** SSH port. Defaults to the `ssh://` port, else 22. */
    port: z.number().int().min(1).max(65535, "must be a port between 1 and 65535").optional(),
    /** The host's public key (`ssh-keyscan -t ed25519 <host> | cut -d' ' -f2-`). Required when the host is remote. */
    hostKey: sshHostKey.optional(),
  })
  .strict();

/** How the commands reach a remote host, or `undefined` for this machine. */
export interface RemoteHost {
  readonly host: string;
  readonly user: string;
  readonly port: number;
  readonly hostKey?: string;
}

/** The remote host of the settings: `ssh` keys first, then what an `ssh://` Docker host names. */
export function remoteHostOf(settings: {
  readonly docker: { readonly host: string };
  readonly ssh?: z.infer<typeof sshSettings>;
}): RemoteHost | undefined {
  const fromDockerHost = /^ssh:\/\/(?:([^@]+)@)?([^:/]+)(?::(\d+))?/.exec(settings.docker.host);
  const ssh = settings.ssh ?? {};
  if (!fromDockerHost && ssh.host === undefined) return undefined;
  const host = ssh.host ?? fromDockerHost?.[2];
  if (host === undefined) return undefined;
  return {
    host,
    user: ssh.user ?? fromDockerHost?.[1] ?? "root",
    port: ssh.port ?? (fromDockerHost?.[3] ? Number(fromDockerHost[3]) : 22),
    hostKey: ssh.hostKey,
  };
}

/** Cross-key problems of the SSH access, reported on the key to set (`settings/schema.ts` runs it). */
export function sshSettingsIssues(settings: Parameters<typeof remoteHostOf>[0]): { path: string[]; message: string }[] {
  const issues: { path: string[]; message: string }[] = [];
  if (settings.ssh && settings.ssh.host === undefined && !settings.docker.host.startsWith("ssh://")) {
    issues.push({
      path: ["ssh", "host"],
      message: `is required: docker.host (${settings.docker.host}) does not name an SSH host`,
    });
  }
  const remote = remoteHostOf(settings);
  if (remote && !remote.hostKey) {
    issues.push({
      path: ["ssh", "hostKey"],
      message: `is required: the commands reach ${remote.user}@${remote.host}:${remote.port} over SSH and must check they talk to that host. Set it with \`pulumi config set --path ssh.hostKey "$(ssh-keyscan -t ed25519 -p ${remote.port} ${remote.host} | cut -d' ' -f2-)"\` after checking the fingerprint on the VPS (\`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub\`)`,
    });
  }
  return issues;
}

export type DockerSettings = z.infer<typeof dockerSettings>;
export type SshSettings = z.infer<typeof sshSettings>;

/**
 * `docker.images` overrides without a digest where the stack deploys for real (`staging`, `prod`): refused unless
 * listed in `docker.imagesWithoutDigest`. A tag is moved by whoever can push to its repository, and the next `pulumi
 * up` (or a container re-created by Docker) then runs other code with the stack's mounts, networks and secrets; the
 * socket proxy's image is root on the host. `dev` and the lab run local builds, which have no registry digest.
 */
export function imageDigestIssues(settings: {
  readonly environment: string;
  readonly docker: {
    readonly images: Partial<Record<DeployedImageName, string>>;
    readonly imagesWithoutDigest: readonly DeployedImageName[];
  };
}): { path: string[]; message: string }[] {
  if (settings.environment !== "prod" && settings.environment !== "staging") return [];
  const { images, imagesWithoutDigest } = settings.docker;
  const issues: { path: string[]; message: string }[] = [];
  for (const [name, ref] of Object.entries(images) as [DeployedImageName, string][]) {
    if (hasImageDigest(ref) || imagesWithoutDigest.includes(name)) continue;
    issues.push({
      path: ["docker", "images", name],
      message: `must be pinned by digest in ${settings.environment} ("${ref}@sha256:<digest>"): a tag can be moved to other content by whoever can push to its repository, and the container runs with the stack's mounts, networks and secrets. Read the digest with \`docker buildx imagetools inspect ${ref}\` (or \`docker pull ${ref}\` then \`docker inspect --format '{{index .RepoDigests 0}}' ${ref}\`) and write it after the tag; for an image that has no registry digest (a local build), list ${name} in docker.imagesWithoutDigest (docs/operator/security.md "Image digests") (got "${ref}")`,
    });
  }
  for (const [index, name] of imagesWithoutDigest.entries()) {
    const ref = images[name];
    if (ref !== undefined && !hasImageDigest(ref)) continue;
    issues.push({
      path: ["docker", "imagesWithoutDigest", String(index)],
      message: `lists ${name}, but ${ref === undefined ? `docker.images has no ${name} override (the pinned image runs)` : `docker.images.${name} has a digest`}: remove ${name} from docker.imagesWithoutDigest, so that the opt-out does not outlive its reason`,
    });
  }
  return issues;
}
