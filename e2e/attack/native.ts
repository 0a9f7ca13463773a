/**
 * A declared container as a process on this machine: the image's entrypoint replaced by the same tool at the
 * deployed version from the tool cache (toolchain/), the container's own arguments and environment, and its
 * mounts given back to it:
 * - mounts under `/etc` (the configuration directories) are bind-mounted at the same path in a mount namespace of
 *   the process's own, over an overlay of `/etc` (so nothing is created in the machine's `/etc`): the rendered
 *   files keep every absolute path they hold (`/etc/alertmanager/secrets/...`), unpatched;
 * - other mounts (data volumes, the host's root for the node exporter) are translated in the arguments and the
 *   environment only, because their paths appear nowhere else.
 */
import * as path from "path";
import { IMAGES } from "../../settings";
import { toolPath, type BinaryName } from "../../toolchain/cache";
import { translatePaths, type PathMount } from "../serverFlags";
import type { DeclaredContainer } from "./declared";

/** The images the lab can run natively, and the cached binary that is each image's entrypoint. */
const IMAGE_BINARIES: Readonly<Record<string, BinaryName>> = {
  [IMAGES.prometheus]: "prometheus",
  [IMAGES.alertmanager]: "alertmanager",
  [IMAGES.nodeExporter]: "nodeExporter",
  [IMAGES.postgresExporter]: "postgresExporter",
};

export function runnableBinary(image: string): BinaryName | undefined {
  return IMAGE_BINARIES[image];
}

export interface NativeRun {
  readonly binary: string;
  readonly args: string[];
  readonly env: Record<string, string>;
  /** `source` bind-mounted at `target` (under `/etc`) in the process's mount namespace. */
  readonly etcBinds: { readonly source: string; readonly target: string }[];
}

export interface NativeRunOptions {
  /** The host directory the program writes configuration under (`<docker.configRoot>/<namePrefix>`). */
  readonly configRoot: string;
  /** Where the rendered files of that root were written. */
  readonly renderDir: string;
  /** Where named volumes live (one directory each). */
  readonly dataDir: string;
}

export function nativeRun(container: DeclaredContainer, options: NativeRunOptions): NativeRun {
  const binary = runnableBinary(container.image);
  if (!binary) throw new Error(`no native binary for image ${container.image} (${container.name})`);
  const root = options.configRoot.replace(/\/$/, "");
  const etcBinds: { source: string; target: string }[] = [];
  const rewrites: PathMount[] = [];
  for (const mount of container.mounts) {
    const source =
      mount.kind === "volume"
        ? path.join(options.dataDir, mount.source)
        : mount.source === root || mount.source.startsWith(`${root}/`)
          ? path.join(options.renderDir, mount.source.slice(root.length))
          : mount.source;
    if (mount.target.startsWith("/etc/")) etcBinds.push({ source, target: mount.target });
    else rewrites.push({ from: mount.target, to: source });
  }
  const env = Object.fromEntries(
    container.env.map((entry) => {
      const at = entry.indexOf("=");
      return [entry.slice(0, at), translatePaths([entry.slice(at + 1)], rewrites)[0]];
    }),
  );
  return { binary: toolPath(binary), args: translatePaths(container.command, rewrites), env, etcBinds };
}

/**
 * The command line that gives a process its `/etc` mounts: a private mount namespace (`unshare --mount`), an
 * overlay over `/etc` whose upper layer is `scratchDir` (mount points are created there, not in the machine's
 * `/etc`), the binds, then `exec` of the rest. The network namespace is entered after (`ip netns exec` inside),
 * so its hosts file is mounted over the overlay's `/etc/hosts`.
 */
export function withEtcMounts(
  run: NativeRun,
  scratchDir: string,
  then: readonly string[],
): { command: string; args: string[] } {
  const script = [
    "set -eu",
    'mount -t overlay overlay -o "lowerdir=/etc,upperdir=$1/upper,workdir=$1/work" /etc',
    "shift",
    'while [ "$1" != "--" ]; do mkdir -p "$2"; mount --bind "$1" "$2"; shift 2; done',
    "shift",
    'exec "$@"',
  ].join("\n");
  return {
    command: "unshare",
    args: [
      "--mount",
      "--propagation",
      "private",
      "sh",
      "-c",
      script,
      "sh",
      scratchDir,
      ...run.etcBinds.flatMap((b) => [b.source, b.target]),
      "--",
      ...then,
    ],
  };
}
