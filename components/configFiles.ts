/**
 * Files on the host, written as root with the owner and mode their reader needs: a service's configuration under
 * `<configRoot>/<stack>/` (bind-mounted read-only into its container), or a host agent's files under `/etc`. One
 * command per file; the content travels on stdin (so a secret never appears in a command's text) and the write
 * is atomic (`host/scripts.ts` `writeFileScript`).
 *
 * Why no `triggers`: they always replace the command, and a create-before-delete replacement would run the old
 * resource's `rm -f` after the new file is written (components/host.ts). A changed content is a changed `stdin`,
 * which is an update: it runs `update` (the same write) and never `delete`. `delete` runs only when the file
 * leaves the program or on `destroy`.
 */
import * as pulumi from "@pulumi/pulumi";
import type { RenderedFile } from "../render/types";
import { asRoot, contentHash, removeFileScript, writeFileScript } from "../host/scripts";
import { hostCommand, type HostAccess } from "./host";

/** A file whose content may be an output (a secret, or a generated password inside an `apply`). */
export interface HostFile {
  readonly path: string;
  readonly content: pulumi.Input<string>;
  /** A secret: sent as a Pulumi secret, written `0600` for its owner only unless `mode` says otherwise. */
  readonly secret?: boolean;
  /** Numeric uid of the file's reader (the container's user). Defaults to the `ConfigFiles` `secretOwner` for a secret, root otherwise. */
  readonly owner?: number;
  /** Octal mode. Defaults to `0600` for a secret, `0644` otherwise. */
  readonly mode?: string;
}

export interface ConfigFilesArgs {
  /** How to reach the host. */
  readonly host: HostAccess;
  /** Absolute directory on the host the paths are relative to. */
  readonly root: string;
  /** The files. Paths are relative to `root`. */
  readonly files: readonly HostFile[];
  /** User id that owns (and alone reads) the secret files: the container's user. Defaults to root. */
  readonly secretOwner?: number;
  /** More values whose change rewrites every file, e.g. a package upgrade that may have replaced them. */
  readonly rewriteOn?: readonly pulumi.Input<string>[];
  /** Resources every write waits for (e.g. the package that creates the directories under `/etc`). */
  readonly after?: readonly pulumi.Resource[];
}

/** Owner and mode of one file, from its own fields and the service's secret owner. */
export function ownershipOf(
  file: Pick<HostFile, "secret" | "owner" | "mode">,
  secretOwner?: number,
): { mode: string; owner?: number } {
  return {
    mode: file.mode ?? (file.secret ? "0600" : "0644"),
    owner: file.owner ?? (file.secret ? secretOwner : undefined),
  };
}

/** Converts generator output to host files. */
export function hostFiles(files: readonly RenderedFile[]): HostFile[] {
  return files.map(({ path, content, secret }) => ({ path, content, secret }));
}

export class ConfigFiles extends pulumi.ComponentResource {
  /** Hashes of every file, in order: what a reload carries, so it runs when a file changed. */
  readonly hashes: pulumi.Output<string[]>;
  /** The commands that write the files: a container depends on them so it starts with its configuration. */
  readonly writes: pulumi.Resource[];

  constructor(name: string, args: ConfigFilesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("koprogo:observability:ConfigFiles", name, {}, opts);
    const root = args.root.replace(/\/$/, "");
    const writes = args.files.map((file) => {
      const target = `${root}/${file.path}`;
      // A digest reveals nothing usable of a high-entropy secret, and a reload must be comparable in the state.
      const hash = pulumi.unsecret(pulumi.output(file.content).apply(contentHash));
      const write = asRoot(writeFileScript(target, ownershipOf(file, args.secretOwner)), args.host.root);
      return {
        hash,
        resource: hostCommand(
          `${name}-${file.path.replace(/[^A-Za-z0-9]+/g, "-")}`,
          args.host,
          {
            create: write,
            update: write,
            delete: asRoot(removeFileScript(target), args.host.root),
            stdin: file.secret ? pulumi.secret(file.content) : file.content,
            rerunOn: args.rewriteOn,
          },
          { parent: this, dependsOn: args.after ? [...args.after] : undefined },
        ),
      };
    });
    this.hashes = pulumi.all(writes.map((w) => w.hash));
    this.writes = writes.map((w) => w.resource);
    this.registerOutputs({ hashes: this.hashes });
  }
}

/**
 * Runs `script` on the host when the files' hashes change, after `opts.dependsOn` (the container): a config
 * change reloads the running service instead of replacing its container, so its data and uptime are kept. It
 * has no `create`: on the first `up` the container starts with its files and there is nothing to reload; later
 * the hashes are in the script's text, so a changed file is an update, which runs the script.
 */
export function reloadOnChange(
  name: string,
  host: HostAccess,
  hashes: pulumi.Input<string[]>,
  script: string,
  opts: pulumi.CustomResourceOptions,
): pulumi.Resource {
  return hostCommand(name, host, { update: script, rerunOn: hashes }, opts);
}

/** The files of one service: those under its directory of the config root. */
export function filesUnder<T extends { readonly path: string }>(files: readonly T[], directory: string): T[] {
  return files.filter((file) => file.path.startsWith(`${directory}/`));
}
