/**
 * Running shell commands on the Docker host: locally for the `dev` stack, over SSH for the VPS. Every command
 * that touches the host (writing config files, reloading a service, managing host agents) goes through here, so
 * the choice between `command.local` and `command.remote`, how root is obtained and which `docker` engine the CLI
 * talks to are decided once, from the settings.
 *
 * What this relies on in @pulumi/command 1.2.1 (read in node_modules/@pulumi/command and the provider's source):
 * - `triggers` always REPLACE the command: the SDK adds `replaceOnChanges: ["triggers[*]"]` to every Command
 *   (remote/command.js, local/command.js), whatever the `.d.ts` says about `update` (pulumi-command#855). A
 *   replacement is create-before-delete unless `deleteBeforeReplace`, so the old resource's `delete` runs after
 *   the new `create`. Hence: a command whose `delete` undoes its `create` never has triggers here.
 * - A change of any other input (`create`, `update`, `stdin`, `connection`, ...) is an UPDATE: the provider runs
 *   `update`, or `create` when there is no `update`, and never `delete`. Commands that must run again when some
 *   values change carry them in their script text (`withRerunKey`), which makes the change an update.
 * - `create` unset: the first create runs nothing (the provider returns at once), later updates run `update`.
 * - Without `agentSocketPath`, the provider reads `SSH_AUTH_SOCK` from its own environment when it dials
 *   (connection.go `SShConfig`), so the agent is used without putting a per-run path into the inputs: a connection
 *   input that differed per CI job would be a diff on every command, re-running all of them on every deploy.
 * - `hostKey`: the server's public key in OpenSSH form (`ssh-ed25519 AAAA...`); without it the key is ignored.
 * - `addPreviousOutputInEnv` (default true) would put the previous stdout in the environment (over SSH only where
 *   sshd's AcceptEnv allows): turned off, no script reads it and output is never kept.
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { Secrets, Settings } from "../settings";
import { remoteHostOf } from "../settings/deployment";
import { dockerCli, withRerunKey, type RootAccess } from "../host/scripts";

/** How to reach the host: this machine, or SSH. */
export type HostAccess = (
  | {
      readonly kind: "local";
      /** How scripts get root: decided when they run (`id -u`), by root or by a developer. */
      readonly root: RootAccess;
      /** The `docker` CLI for the provider's engine. */
      readonly docker: string;
    }
  | {
      readonly kind: "ssh";
      readonly connection: pulumi.Input<command.types.input.remote.ConnectionArgs>;
      /** `root` when the SSH user is root, else `sudo` (a deploy user with the sudo rule of docs/operator/deploying.md). */
      readonly root: RootAccess;
      readonly docker: string;
    }
) & {
  /**
   * The random secret that keys the digests of `rerunOn` values in the scripts' text (host/scripts.ts
   * `withRerunKey`); required by every command with `rerunOn`. Created once per host (`DockerHost`, `FurtherHost`).
   */
  readonly rerunKey?: pulumi.Output<string>;
};

/**
 * A host's rerun key: 48 random letters and digits in the state (a secret, never shown), created once and kept, so a
 * digest changes only when its values do.
 */
export function rerunKey(name: string, parent: pulumi.Resource): pulumi.Output<string> {
  return new random.RandomPassword(name, { length: 48, special: false }, { parent }).result;
}

/**
 * The host behind the Docker engine of the settings: SSH when `ssh` is set or the engine is `ssh://`, this machine
 * otherwise. Every input of the connection comes from the stack config and its secrets, never from the
 * environment of the run, so two runs of the same config give the same connection.
 */
export function hostAccessFor(
  settings: Pick<Settings, "docker" | "ssh">,
  secrets: Secrets<pulumi.Output<string>>,
): HostAccess {
  const remote = remoteHostOf(settings);
  if (!remote) return { kind: "local", root: "detect", docker: dockerCli(settings.docker.host) };
  // The settings refused a remote host without `ssh.hostKey` already; this is for callers that built them by hand.
  if (!remote.hostKey)
    throw new Error(`koprogo-observability:ssh.hostKey: is required to reach ${remote.host} over SSH`);
  return sshHostAccess({ ...remote, hostKey: remote.hostKey }, secrets);
}

/** SSH access to one host with its pinned key: the monitoring host's, or a further host's (`hosts[].ssh`). */
export function sshHostAccess(
  remote: { readonly host: string; readonly user: string; readonly port: number; readonly hostKey: string },
  secrets: Secrets<pulumi.Output<string>>,
): HostAccess {
  const connection: command.types.input.remote.ConnectionArgs = {
    host: remote.host,
    user: remote.user,
    port: remote.port,
    hostKey: remote.hostKey,
    ...(secrets.sshPrivateKey ? { privateKey: secrets.sshPrivateKey } : {}),
  };
  return { kind: "ssh", connection, root: remote.user === "root" ? "root" : "sudo", docker: dockerCli(undefined) };
}

export interface HostCommandArgs {
  /** Script run when the resource is created. Unset: the first create runs nothing. */
  readonly create?: pulumi.Input<string>;
  /** Script run when an input changes. Defaults to `create` (the provider's own behaviour). */
  readonly update?: pulumi.Input<string>;
  /** Script run when the resource is deleted (destroy, or the resource leaves the program). */
  readonly delete?: pulumi.Input<string>;
  /** Standard input: how file contents and secrets reach the host without appearing in the command's text. */
  readonly stdin?: pulumi.Input<string>;
  /** Values whose change runs `update` again (an update, never a replacement: see the top of this file). */
  readonly rerunOn?: pulumi.Input<readonly pulumi.Input<string>[]>;
  /**
   * Values whose change REPLACES the command (runs `create` on a new resource). Only for commands without a
   * `delete`, or marked `deleteBeforeReplace`: the graph tests refuse any other.
   */
  readonly triggers?: pulumi.Input<unknown[]>;
}

function keyed(
  name: string,
  access: HostAccess,
  script: pulumi.Input<string> | undefined,
  rerunOn: HostCommandArgs["rerunOn"],
): pulumi.Input<string> | undefined {
  if (script === undefined || rerunOn === undefined) return script;
  if (!access.rerunKey)
    throw new Error(`${name}: a command with rerunOn needs its host's rerun key (HostAccess.rerunKey)`);
  // The keyed digest reveals nothing of the key or the values: the script stays readable in previews and diffs.
  return pulumi.unsecret(
    pulumi
      .all([script, pulumi.output(rerunOn), access.rerunKey])
      .apply(([text, values, key]) => withRerunKey(text, values as string[], key)),
  );
}

/**
 * A command on the host. Output is never logged: the scripts here may print file contents.
 */
export function hostCommand(
  name: string,
  access: HostAccess,
  args: HostCommandArgs,
  opts: pulumi.CustomResourceOptions,
): command.local.Command | command.remote.Command {
  const common = {
    create: keyed(name, access, args.create, args.rerunOn),
    update: keyed(name, access, args.update ?? args.create, args.rerunOn),
    delete: args.delete,
    stdin: args.stdin,
    triggers: args.triggers,
    logging: "none" as const,
    addPreviousOutputInEnv: false,
  };
  if (access.kind === "local")
    return new command.local.Command(name, { ...common, interpreter: ["/bin/sh", "-c"] }, opts);
  return new command.remote.Command(name, { ...common, connection: access.connection }, opts);
}

/** The access for commands that run on the machine running `pulumi up` (waits that go the provider's way). */
export const THIS_MACHINE: HostAccess = { kind: "local", root: "detect", docker: "docker" };
