/** Where the stack runs: the Docker engine, the host reached over SSH, the network shared with the application. */
import { z } from "zod";
import { bindAddress, memory } from "./primitives";

export const dockerSettings = z
  .object({
    /** Docker engine: `unix:///var/run/docker.sock` locally, `ssh://user@host` for the VPS. */
    host: z.string().regex(/^(unix|ssh|tcp):\/\/\S+$/, "must be unix:///path, ssh://user@host or tcp://host:port").default("unix:///var/run/docker.sock"),
    /** Extra `ssh` options for an ssh:// engine (e.g. `-o StrictHostKeyChecking=yes`). */
    sshOpts: z.array(z.string()).default([]),
    /** The Docker network the stack joins; in prod the application's existing network. */
    network: z
      .object({
        /** Name of the network: the application's (`koprogo-network` in prod) when `external`, else the one the stack creates. */
        name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "must be a Docker network name").default("koprogo-observability"),
        /** `true` when the network already exists (the application's); `false` to create it. */
        external: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    /** Host address every published port binds to. Loopback by default: reach the UIs through an SSH tunnel. */
    bindAddress: bindAddress.default("127.0.0.1"),
    /** Directory on the Docker host that holds the rendered configuration files, bind-mounted read-only. */
    configRoot: z.string().regex(/^\/[^\s]*$/, "must be an absolute path").default("/opt/koprogo-observability"),
    /** Upper bound for the sum of every container memory limit of the stack (it shares 2 GB with the app). */
    memoryBudget: memory.default("900m"),
  })
  .strict();

/** SSH access to the host for the commands that write files and manage host agents (prod). */
export const sshSettings = z
  .object({
    /** Host name or address of the VPS. */
    host: z.string().min(1, "must name the host"),
    /** SSH user; needs passwordless sudo unless it is root (see `security.sudo`). */
    user: z.string().min(1, "must name the user").default("root"),
    /** SSH port. */
    port: z.number().int().min(1).max(65535, "must be a port between 1 and 65535").default(22),
  })
  .strict();

export type DockerSettings = z.infer<typeof dockerSettings>;
export type SshSettings = z.infer<typeof sshSettings>;
