/**
 * The pure part of `npm run ci:fresh-root` (toolchain/freshRoot.ts): which Debian 12 base to build, what the
 * machine image adds to it, and the shell program that mounts a throw-away root over that base and runs `.ci/run`
 * in it. Nothing here touches the machine; the shell text is built from arrays of already-quoted words.
 *
 * Why a fresh root: CI runs on the machine a session used, so a package or file that a session left behind (a
 * system Alertmanager's templates under /usr/share, say) can make a run pass that fails on a new machine. A
 * debootstrapped Debian 12 with only what every new machine of this kind has beside it cannot.
 */
import * as path from "path";
import { shellQuote } from "../host/scripts";

/**
 * Debian packages of the base, on top of debootstrap's `minbase`: what `.ci/run` itself needs before its own
 * `apt-get install` (it installs everything else) and what every new machine of this kind has (git to clone,
 * Python 3, a C toolchain for native npm modules). Fewer than a new machine has, never more: the run is stricter.
 */
export const FRESH_ROOT_PACKAGES = [
  "ca-certificates",
  "git",
  "curl",
  "gnupg",
  "python3",
  "gcc",
  "g++",
  "make",
  "xz-utils",
  "procps",
  "iproute2",
  "openssl",
] as const;

/**
 * What a new machine of this kind has outside Debian's archive, copied from this machine into the root: Node.js
 * 20 (Nodesource's `nodejs` package, its files as `dpkg -L nodejs` lists them), npm 11 (a new machine upgrades the
 * package's npm 10 at start, replacing `/usr/lib/node_modules/npm` whole, so that folder is copied as it is now and
 * the package's list of npm files is not used), Go (`/usr/local/go`) and the Docker CLI (`/usr/local/bin/docker`).
 * The machine doc lists them as installed before any session starts.
 */
export const MACHINE_IMAGE_PATHS = [
  "/usr/lib/node_modules/npm",
  "/usr/bin/npm",
  "/usr/bin/npx",
  "/usr/local/go",
  "/usr/local/bin/docker",
] as const;
export const MACHINE_IMAGE_DEB = "nodejs";

/**
 * The machine's network settings that every new machine of this kind is given before a session starts: the CA
 * bundle and extra CAs that its registry endpoints are signed with, npm's, pip's, Go's and git's configuration
 * pointing at them, and apt's setting for the archive's snapshot. Copied in where they exist; without them no registry answers (npm: SELF_SIGNED_CERT_IN_CHAIN).
 */
export const MACHINE_CONFIG_PATHS = [
  "/usr/local/share/ca-certificates",
  "/etc/ssl/certs/ca-certificates.crt",
  // The archive this machine reaches is a frozen snapshot: its `sid` Release files are past their Valid-Until, and
  // the machine's apt is told not to check it (`Acquire::Check-Valid-Until "false"`).
  "/etc/apt/apt.conf.d/99artifact-registry",
  // The machine's own host name resolves (sudo looks it up and prints "unable to resolve host" otherwise).
  "/etc/hosts",
  "/etc/npmrc",
  "/usr/etc/npmrc",
  "/root/.npmrc",
  "/etc/pip.conf",
  "/etc/gitconfig",
  "/root/.config/go/env",
] as const;

/**
 * The variables of the machine's environment that CI keeps (it runs with "the machine's environment less the
 * coding client's and the model's variables"): the CA and registry settings only, so no session's own variable
 * (a token, a DOCKER_HOST, a KOPROGO_TOOLS_DIR) can reach the run.
 */
export function ciEnvironment(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const kept =
    /^(NODE_EXTRA_CA_CERTS|GIT_SSL_CAINFO|SSL_CERT_FILE|SSL_CERT_DIR|CURL_CA_BUNDLE|REQUESTS_CA_BUNDLE|PIP_[A-Z_]+|GOPROXY|GOFLAGS|GONOSUMDB|GOSUMDB|GOPRIVATE)$/;
  return Object.fromEntries(
    Object.entries(env)
      .filter((entry): entry is [string, string] => kept.test(entry[0]) && entry[1] !== undefined)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

export interface FreshRootRun {
  /** The debootstrapped base, read-only lower layer of the overlay. */
  readonly base: string;
  /** This run's folder: the overlay's upper and work layers and the merged root live in it. */
  readonly runDir: string;
  /** The repository to clone (its committed HEAD, not the work tree). */
  readonly repo: string;
  /** The `shared/` folder laid beside the clone read-only, as CI lays it. */
  readonly shared: string | undefined;
  /**
   * The per-machine tool cache bound into the root (`~/.cache/koprogo-observability/tools`), or undefined for a
   * cold run that builds every tool from the registries.
   */
  readonly toolCache: string | undefined;
  /** Files and folders of the machine image to copy in (MACHINE_IMAGE_PATHS plus the nodejs package's files). */
  readonly machineImageFiles: readonly string[];
  /** The variables passed to `.ci/run` beside CI's own (ciEnvironment of the machine's). */
  readonly environment: Readonly<Record<string, string>>;
}

/** The merged root of a run. */
export const mergedRoot = (run: Pick<FreshRootRun, "runDir">): string => path.join(run.runDir, "root");

/** Where the clone lands inside the root, with `shared/` beside it as in CI. */
export const CLONE_DIR = "/work/ci/main";
export const SHARED_DIR = "/work/ci/shared";
/** The tool cache's path inside the root: `toolCacheDir()` for root's HOME. */
export const ROOT_TOOL_CACHE = "/root/.cache/koprogo-observability/tools";

/**
 * The program run as root inside `unshare --mount --pid --fork --mount-proc --propagation private`: every mount it
 * makes dies with that namespace, and every process `.ci/run` leaves behind (a dockerd, a stand-in API) is killed
 * when the namespace's first process exits. Relies on overlayfs accepting an overlay as a lower layer (the
 * rehearsal inside the run boots systemd on an overlay of this root).
 */
export function freshRootScript(run: FreshRootRun): string {
  const root = mergedRoot(run);
  const q = shellQuote;
  const upper = path.join(run.runDir, "upper");
  const work = path.join(run.runDir, "work");
  const lines = [
    "set -eu",
    `mkdir -p ${q(upper)} ${q(work)} ${q(root)}`,
    `mount -t overlay overlay -o ${q(`lowerdir=${run.base},upperdir=${upper},workdir=${work}`)} ${q(root)}`,
    // The machine image's own tools, copied (not bound) so that nothing the run does can reach this machine's.
    ...run.machineImageFiles.map(
      (file) => `mkdir -p ${q(path.dirname(path.join(root, file)))} && cp -aT ${q(file)} ${q(path.join(root, file))}`,
    ),
    `cp /etc/resolv.conf ${q(path.join(root, "etc/resolv.conf"))}`,
    // The machine's apt sources (the same archive), as a new machine has them.
    `rm -f ${q(path.join(root, "etc/apt/sources.list"))}`,
    `cp -a /etc/apt/sources.list.d/debian.sources ${q(path.join(root, "etc/apt/sources.list.d/debian.sources"))}`,
    `mount -t proc proc ${q(path.join(root, "proc"))}`,
    `mount --rbind /sys ${q(path.join(root, "sys"))}`,
    `mount --rbind /dev ${q(path.join(root, "dev"))}`,
    `mount -t tmpfs -o mode=1777 tmpfs ${q(path.join(root, "tmp"))}`,
    `mount -t tmpfs -o mode=0755 tmpfs ${q(path.join(root, "run"))}`,
    `mkdir -p ${q(path.join(root, "work/ci"))}`,
    `git clone -q --no-hardlinks ${q(run.repo)} ${q(path.join(root, CLONE_DIR))}`,
    ...(run.shared
      ? [`cp -a ${q(run.shared)} ${q(path.join(root, SHARED_DIR))}`, `chmod -R a-w ${q(path.join(root, SHARED_DIR))}`]
      : []),
    ...(run.toolCache
      ? [
          `mkdir -p ${q(run.toolCache)} ${q(path.join(root, ROOT_TOOL_CACHE))}`,
          `mount --bind ${q(run.toolCache)} ${q(path.join(root, ROOT_TOOL_CACHE))}`,
        ]
      : []),
    // As CI runs it: root, no standard input, CI=true, a plain environment.
    `exec chroot ${q(root)} /usr/bin/env -i HOME=/root TERM=dumb CI=true LANG=C.UTF-8 ` +
      Object.entries(run.environment)
        .map(([name, value]) => `${name}=${q(value)} `)
        .join("") +
      `PATH=/usr/local/go/bin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin ` +
      `/bin/bash -c ${q(`cd ${CLONE_DIR} && exec bash .ci/run </dev/null`)}`,
  ];
  return lines.join("\n") + "\n";
}

/** `debootstrap` arguments for the base (minbase plus FRESH_ROOT_PACKAGES), on the machine's own archive. */
export function debootstrapArgs(target: string, mirror: string, keyring: string | undefined): string[] {
  return [
    "--variant=minbase",
    `--include=${FRESH_ROOT_PACKAGES.join(",")}`,
    ...(keyring ? [`--keyring=${keyring}`] : []),
    "bookworm",
    target,
    mirror,
  ];
}

/** The closing `N passed, N failed` line of a `.ci/run` output, or undefined when it printed none. */
export function ciCounts(output: string): { passed: number; failed: number } | undefined {
  const lines = output.trimEnd().split("\n").reverse();
  for (const line of lines) {
    const match = /^(?:\w+: )?(\d+) passed, (\d+) failed(?:, \d+ skipped)?$/.exec(line.trim());
    if (match) return { passed: Number(match[1]), failed: Number(match[2]) };
  }
  return undefined;
}
