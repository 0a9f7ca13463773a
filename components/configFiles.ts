/**
 * A service's configuration files on the host, written under `<configRoot>/<stack>/` and bind-mounted read-only
 * into its container. Each file is written through stdin (so a secret never appears in a command's text) and
 * rewritten only when its content hash changes. `reloadOnChange` then tells the running service to re-read them.
 */
import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import type { RenderedFile } from "../render";
import { asRoot, hostCommand, shellQuote, type HostAccess } from "./host";

/** A file whose content may be an output (a secret, or a generated password inside an `apply`). */
export interface HostFile {
  readonly path: string;
  readonly content: pulumi.Input<string>;
  readonly secret?: boolean;
}

export interface ConfigFilesArgs {
  /** How to reach the host. */
  readonly host: HostAccess;
  /** Absolute directory on the host the paths are relative to. */
  readonly root: string;
  /** The files. Paths are relative to `root`. */
  readonly files: readonly HostFile[];
  /** User id that must be able to read secret files (the container's user). Defaults to root only. */
  readonly secretOwner?: number;
  /** Write through `sudo -n` (files under `/etc` owned by root, written by a deploy user). Defaults to `false`. */
  readonly sudo?: boolean;
  /** More values whose change rewrites every file, e.g. a package upgrade that may have replaced them. */
  readonly rewriteOn?: readonly pulumi.Input<string>[];
}

/** Stable digest of a file's content, used as a trigger: the same content never rewrites the file. */
export function contentHash(content: string): string {
  return crypto.createHash("sha256").update(content).digest("hex");
}

/** The script that atomically writes stdin to `file` with the given mode. */
export function writeFileScript(file: string, mode: string, owner?: number): string {
  const dir = file.slice(0, file.lastIndexOf("/"));
  const tmp = `${file}.pulumi-tmp`;
  const chown = owner === undefined ? "" : ` && chown ${owner} ${shellQuote(tmp)}`;
  return `set -eu; mkdir -p ${shellQuote(dir)} && cat > ${shellQuote(tmp)} && chmod ${mode} ${shellQuote(tmp)}${chown} && mv -f ${shellQuote(tmp)} ${shellQuote(file)}`;
}

/** Converts generator output to host files. */
export function hostFiles(files: readonly RenderedFile[]): HostFile[] {
  return files.map(({ path, content, secret }) => ({ path, content, secret }));
}

export class ConfigFiles extends pulumi.ComponentResource {
  /** Hashes of every file, in order: depend on this to act after the files changed. */
  readonly hashes: pulumi.Output<string[]>;
  /** The commands that write the files: a container depends on them so it starts with its configuration. */
  readonly writes: pulumi.Resource[];

  constructor(name: string, args: ConfigFilesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("koprogo:observability:ConfigFiles", name, {}, opts);
    const writes = args.files.map((file) => {
      const target = `${args.root.replace(/\/$/, "")}/${file.path}`;
      // A digest reveals nothing usable of a high-entropy secret, and a trigger must be comparable in the state.
      const hash = pulumi.unsecret(pulumi.output(file.content).apply(contentHash));
      const mode = file.secret ? "0640" : "0644";
      return {
        hash,
        resource: hostCommand(
          `${name}-${file.path.replace(/[^A-Za-z0-9]+/g, "-")}`,
          args.host,
          {
            create: asRoot(writeFileScript(target, mode, file.secret ? args.secretOwner : undefined), args.sudo ?? false),
            delete: asRoot(`rm -f ${shellQuote(target)}`, args.sudo ?? false),
            stdin: file.secret ? pulumi.secret(file.content) : file.content,
            triggers: [hash, ...(args.rewriteOn ?? [])],
          },
          { parent: this },
        ),
      };
    });
    this.hashes = pulumi.all(writes.map((w) => w.hash));
    this.writes = writes.map((w) => w.resource);
    this.registerOutputs({ hashes: this.hashes });
  }
}

/**
 * Script that sends `signal` to a running container, and does nothing when the container does not run yet (the
 * first `up` creates the files before the container, which then reads them at start).
 */
export function signalContainerScript(container: string, signal: "HUP" | "TERM" = "HUP"): string {
  const quoted = shellQuote(container);
  return `if [ "$(docker inspect -f '{{.State.Running}}' ${quoted} 2>/dev/null)" = "true" ]; then docker kill --signal=${signal} ${quoted} >/dev/null; fi`;
}

/** Script that restarts a running container (for services that cannot reload their configuration). */
export function restartContainerScript(container: string): string {
  const quoted = shellQuote(container);
  return `if docker inspect ${quoted} >/dev/null 2>&1; then docker restart ${quoted} >/dev/null; fi`;
}

/**
 * Runs `script` on the host each time the files' hashes change, after `after` (the container) exists: a config
 * change reloads the running service instead of replacing its container, so its data and uptime are kept.
 */
export function reloadOnChange(name: string, host: HostAccess, hashes: pulumi.Input<string[]>, script: string, opts: pulumi.CustomResourceOptions): pulumi.Resource {
  return hostCommand(name, host, { create: script, triggers: [hashes] }, opts);
}

/** The files of one service: those under its directory of the config root. */
export function filesUnder<T extends { readonly path: string }>(files: readonly T[], directory: string): T[] {
  return files.filter((file) => file.path.startsWith(`${directory}/`));
}
