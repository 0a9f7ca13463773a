/**
 * Running shell commands on the Docker host: locally for the `dev` stack, over SSH for the VPS. Every command
 * that touches the host (writing config files, reloading a service, managing host agents) goes through here, so
 * the choice between `command.local` and `command.remote` is made once.
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import type { Secrets, Settings } from "../settings";

/** How to reach the host: this machine, or SSH. */
export type HostAccess =
  | { readonly kind: "local" }
  | { readonly kind: "ssh"; readonly connection: pulumi.Input<command.types.input.remote.ConnectionArgs> };

/** The host behind the Docker engine of the settings: `ssh://user@host[:port]` means SSH, anything else this machine. */
export function hostAccessFor(settings: Settings, secrets: Secrets<pulumi.Output<string>>): HostAccess {
  const fromDockerHost = /^ssh:\/\/(?:([^@]+)@)?([^:/]+)(?::(\d+))?/.exec(settings.docker.host);
  if (!settings.ssh && !fromDockerHost) return { kind: "local" };
  const host = settings.ssh?.host ?? fromDockerHost![2];
  const user = settings.ssh?.user ?? fromDockerHost![1] ?? "root";
  const port = settings.ssh?.port ?? (fromDockerHost?.[3] ? Number(fromDockerHost[3]) : 22);
  const connection: command.types.input.remote.ConnectionArgs = secrets.sshPrivateKey
    ? { host, user, port, privateKey: secrets.sshPrivateKey }
    : { host, user, port, agentSocketPath: process.env.SSH_AUTH_SOCK };
  return { kind: "ssh", connection };
}

export interface HostCommandArgs {
  /** Shell script run on create (and on update, when `triggers` change). */
  readonly create: pulumi.Input<string>;
  /** Shell script run when the resource is deleted. */
  readonly delete?: pulumi.Input<string>;
  /** Standard input: how file contents and secrets reach the host without appearing in the command's text. */
  readonly stdin?: pulumi.Input<string>;
  /** Values whose change re-runs `create` (content hashes). */
  readonly triggers?: pulumi.Input<unknown[]>;
}

/**
 * A command on the host. Output is never logged: the scripts here may print file contents.
 */
export function hostCommand(name: string, access: HostAccess, args: HostCommandArgs, opts: pulumi.CustomResourceOptions): command.local.Command | command.remote.Command {
  const common = { create: args.create, delete: args.delete, stdin: args.stdin, triggers: args.triggers, logging: "none" as const };
  if (access.kind === "local") return new command.local.Command(name, { ...common, interpreter: ["/bin/sh", "-c"] }, opts);
  return new command.remote.Command(name, { ...common, connection: access.connection }, opts);
}

/**
 * A script run as root: through `sudo -n` (never prompting: a missing sudo rule fails at once) when the SSH
 * user is a deploy user. Standard input passes through to the script, so files and secrets still go by stdin.
 */
export function asRoot(script: string, sudo: boolean): string {
  return sudo ? `sudo -n sh -c ${shellQuote(script)}` : script;
}

/** Single-quotes a value for a POSIX shell. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
