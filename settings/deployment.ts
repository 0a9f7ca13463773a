/** Where the stack runs: the Docker engine, the host reached over SSH, the network shared with the application. */
import { z } from "zod";
import { absolutePath, bindAddress, hostName, loginName, memory } from "./primitives";

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

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
          .regex(/^(-[A-Za-z46]|[A-Za-z]+=[A-Za-z0-9._/:@,+-]*)$/, "must be an ssh flag like -o or an option like StrictHostKeyChecking=yes (plain characters only)")
          .refine((v) => !/^(ProxyCommand|LocalCommand|PermitLocalCommand|KnownHostsCommand|ProxyUseFdpass)=/i.test(v), "must not be an option that runs a command"),
      )
      .default([]),
    /** The Docker network the stack joins; in prod the application's existing network. */
    network: z
      .object({
        name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "must be a Docker network name (letters, digits, _ . -)").default("koprogo-observability"),
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
      .refine(isMonitoringSubnet, { message: "must be an IPv4 network in CIDR notation with a prefix from /16 to /28, like 172.31.213.0/24 (the address must be the network's first)" })
      .default("172.31.213.0/24"),
    /** Upper bound for the sum of every container memory limit of the stack (it shares 2 GB with the app). */
    memoryBudget: memory.default("900m"),
  })
  .strict();

/** SSH access to the host for the commands that write files and manage host agents (prod). */
export const sshSettings = z
  .object({
    host: hostName,
    user: loginName.default("root"),
    port: z.number().int().min(1).max(65535, "must be a port between 1 and 65535").default(22),
  })
  .strict();

export type DockerSettings = z.infer<typeof dockerSettings>;
export type SshSettings = z.infer<typeof sshSettings>;
