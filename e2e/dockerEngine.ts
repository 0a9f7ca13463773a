/**
 * A real Docker engine for the tests and the lab: Debian's `dockerd` (docker.io 20.10) started on private paths
 * (data-root, exec-root, socket, pidfile under one temp folder of its own), so two runs on one machine never share
 * anything, and stopped and cleaned whatever happened (afterAll, process exit).
 *
 * What it relies on (read in moby 20.10 and checked on this machine, /work/shared/DOCKER-ENGINE.md):
 * - `dockerd` writes only under `--data-root`, `--exec-root`, the socket and the pidfile, except `/run/docker`
 *   (its plugin sockets, a fixed path) and the nsfs bind mount of `<exec-root>/netns/default`. Both would leak to
 *   the machine: so the engine runs in a mount namespace of its own (`unshare --mount --propagation private`) with
 *   a tmpfs on `/run`. Files it creates on existing mounts (the socket, the data-root) are the machine's files and
 *   visible outside; the mounts it makes (overlays, netns, the tmpfs) die with the namespace.
 * - Containers' cgroups go under `--cgroup-parent` (here `/<cgroupParent>`), at the top of each hierarchy by
 *   default: one parent per engine, so the sweep removes only this engine's cgroups.
 * - `--iptables=false` keeps the machine's firewall untouched. With `network`, the engine runs in a network
 *   namespace of its own (a veth to the host) with iptables on: Docker's own chains (NAT for published ports,
 *   DOCKER-USER, isolation between networks) are created there and nowhere else.
 * - On SIGTERM `dockerd` stops its containers (10 s each, in parallel) and its `containerd` exits with it. A shim
 *   outlives a killed `dockerd`: the sweep kills every process left in the engine's mount namespace and cgroups.
 */
import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { onCleanup } from "./harness/cleanup";
import { uniqueTag } from "./harness/names";
import { Namespaces } from "./harness/namespaces";
import { logTail, startProcess, waitFor, type ManagedProcess } from "./processes";

export interface DockerEngineOptions {
  /** Short name (`[a-z0-9-]`, at most 12 characters): the cgroup parent, network namespace and log carry it with the pid. */
  readonly name: string;
  /** Folder the engine's private folder is made in. Defaults to the system's temporary folder. */
  readonly parentDir?: string;
  /**
   * Run the engine in a network namespace of its own, iptables on, linked to the host by a veth on a /30 of
   * `subnet` (the first three octets, e.g. `10.251.7`: `.1` is the host's end, `.2` the engine's). Without it the
   * engine shares the host's network with `--iptables=false`: bridges work, but ports published through NAT do not.
   */
  readonly network?: { readonly subnet: string };
  /** How long `dockerd` may take to answer. Defaults to 60 s. */
  readonly startTimeoutMs?: number;
}

export interface DockerEngine {
  readonly name: string;
  /** The engine's private folder (data-root `data/`, exec-root `exec/`, `docker.sock`, `dockerd.log`). */
  readonly dir: string;
  /** `unix://<dir>/docker.sock`: `DOCKER_HOST` for the CLI, `docker.host` for a stack. */
  readonly host: string;
  /** The environment a `docker` CLI (or Pulumi's Docker provider) needs to reach this engine. */
  readonly env: { readonly DOCKER_HOST: string };
  /** The named network namespace the engine runs in (`ip netns exec` reaches its bridges), with `network`. */
  readonly netns?: string;
  /** The cgroup its containers go under (`koprogo-dockerd-<name>-<run tag>`, below each hierarchy's root). */
  readonly cgroupParent: string;
  /** The engine's address as the host sees it (its published ports answer there), with `network`. */
  readonly address?: string;
  /** The host's address as the engine's containers see it, with `network`. */
  readonly hostAddress?: string;
  readonly process: ManagedProcess;
  /** Runs the `docker` CLI against this engine; resolves with stdout, rejects with the command and its stderr. */
  docker(args: readonly string[], options?: DockerRunOptions): Promise<string>;
  /** Stops the engine (its containers get their stop timeout) and removes everything it made. Safe to call twice. */
  stop(): Promise<void>;
}

/** Folder of the cgroup v1 hierarchies and of the unified one beside them (`/sys/fs/cgroup/unified`), or v2's root. */
const CGROUP_ROOT = "/sys/fs/cgroup";

/** Every folder where the engine's cgroup parent may exist: one per mounted hierarchy. */
function cgroupParentDirs(parent: string): string[] {
  const roots = fs.existsSync(path.join(CGROUP_ROOT, "cgroup.controllers"))
    ? [CGROUP_ROOT]
    : fs
        .readdirSync(CGROUP_ROOT, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => path.join(CGROUP_ROOT, entry.name));
  return roots.map((root) => path.join(root, parent)).filter((dir) => fs.existsSync(dir));
}

/** Folders of a cgroup tree, deepest first (a cgroup is removed with rmdir once its children are gone). */
function cgroupTree(dir: string): string[] {
  const children = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => cgroupTree(path.join(dir, entry.name)));
  return [...children, dir];
}

function killPids(pids: Iterable<number>): void {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Gone already.
    }
  }
}

/** Pids whose mount namespace is `mountNs` (`mnt:[inode]`). */
function pidsInMountNamespace(mountNs: string): number[] {
  return fs
    .readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return fs.readlinkSync(`/proc/${entry}/ns/mnt`) === mountNs;
      } catch {
        return false;
      }
    })
    .map(Number);
}

function pidsInCgroups(dirs: readonly string[]): number[] {
  return dirs.flatMap((dir) =>
    cgroupTree(dir).flatMap((group) => {
      try {
        return fs.readFileSync(path.join(group, "cgroup.procs"), "utf8").split("\n").filter(Boolean).map(Number);
      } catch {
        return [];
      }
    }),
  );
}

/**
 * Kills what the engine left (shims and container processes, by mount namespace and cgroup), removes its cgroups,
 * its network namespace and its folder. Synchronous, so that the process-exit hook can run it too; returns what it
 * could not remove (an empty list when clean).
 */
function sweep(state: {
  readonly mountNs?: string;
  readonly cgroupParent: string;
  readonly namespaces?: Namespaces;
  readonly dir: string;
}): string[] {
  const left: string[] = [];
  for (let round = 0; round < 20; round++) {
    const pids = [
      ...(state.mountNs ? pidsInMountNamespace(state.mountNs) : []),
      ...pidsInCgroups(cgroupParentDirs(state.cgroupParent)),
    ];
    if (pids.length === 0) break;
    killPids(pids);
    execFileSync("sleep", ["0.1"]);
  }
  for (const dir of cgroupParentDirs(state.cgroupParent))
    for (const group of cgroupTree(dir)) {
      try {
        fs.rmdirSync(group);
      } catch (error) {
        left.push(`cgroup ${group}: ${(error as Error).message}`);
      }
    }
  state.namespaces?.destroy();
  try {
    fs.rmSync(state.dir, { recursive: true, force: true });
  } catch (error) {
    left.push(`${state.dir}: ${(error as Error).message}`);
  }
  return left;
}

/**
 * Engines started and not yet stopped, each with its entry in the cleanup registry (harness/cleanup.ts): a crashed,
 * interrupted or signalled run must not leave an engine behind. processes.ts kills the process groups; the sweep
 * removes what they leave (shims, cgroups, the namespace, the folder).
 */
const started = new Map<Parameters<typeof sweep>[0], () => void>();

function track(state: Parameters<typeof sweep>[0]): void {
  started.set(
    state,
    onCleanup(`docker engine in ${state.dir}`, () => void sweep(state)),
  );
}

function untrack(state: Parameters<typeof sweep>[0]): void {
  started.get(state)?.();
  started.delete(state);
}

/** The `dockerd` command line: private paths, no iptables unless the engine has a network namespace of its own. */
export function dockerdArgs(dir: string, cgroupParent: string, iptables: boolean): string[] {
  return [
    "--storage-driver=overlay2",
    `--iptables=${iptables}`,
    "--ip6tables=false",
    `--cgroup-parent=/${cgroupParent}`,
    "--data-root",
    path.join(dir, "data"),
    "--exec-root",
    path.join(dir, "exec"),
    "-H",
    `unix://${path.join(dir, "docker.sock")}`,
    "--pidfile",
    path.join(dir, "docker.pid"),
  ];
}

/** Starts a private engine and resolves once it answers `docker version`. */
export async function startDockerEngine(options: DockerEngineOptions): Promise<DockerEngine> {
  if (!/^[a-z0-9-]{1,12}$/.test(options.name))
    throw new Error(`docker engine name ${JSON.stringify(options.name)} must be 1 to 12 characters of a-z, 0-9 and -`);
  for (const tool of ["dockerd", "docker", "unshare", "nsenter"])
    if (!commandExists(tool))
      throw new Error(`${tool} is not installed: install Debian's docker.io and util-linux (.ci/run's apt-get line)`);
  const tag = `${options.name}-${uniqueTag()}`;
  const dir = fs.mkdtempSync(path.join(options.parentDir ?? os.tmpdir(), `dockerd-${options.name}-`));
  const state: { mountNs?: string; cgroupParent: string; namespaces?: Namespaces; dir: string } = {
    cgroupParent: `koprogo-dockerd-${tag}`,
    dir,
  };
  track(state);
  const host = `unix://${path.join(dir, "docker.sock")}`;
  let engineProcess: ManagedProcess | undefined;
  try {
    const network = options.network ? createEngineNetwork(options.network.subnet) : undefined;
    state.namespaces = network?.namespaces;
    // The tmpfs on /run keeps `/run/docker` (plugin sockets) and iptables' lock out of the machine's /run.
    const inner = ["sh", "-c", 'mount -t tmpfs -o mode=0755 tmpfs /run && exec dockerd "$@"', "dockerd"];
    const unshare = [
      "unshare",
      "--mount",
      "--propagation",
      "private",
      ...inner,
      ...dockerdArgs(dir, state.cgroupParent, !!network),
    ];
    const [command, ...args] = network ? ["nsenter", `--net=/run/netns/${network.netns}`, ...unshare] : unshare;
    engineProcess = startProcess({ name: "dockerd", command, args, logDir: dir });
    const proc = engineProcess;
    let exitedWith: string | undefined;
    void proc.exited.then((code) => (exitedWith = code));
    await waitFor(
      `dockerd ${options.name} to answer on ${host}`,
      async () => {
        if (exitedWith !== undefined)
          throw new Error(`dockerd exited (${exitedWith}) while starting:\n${logTail(proc)}`);
        await runDocker(host, ["version", "--format", "{{.Server.Version}}"], { timeoutMs: 5000 });
        return true;
      },
      options.startTimeoutMs ?? 60_000,
      250,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${logTail(proc)}`);
    });
    // The pid spawned is dockerd itself (sh and unshare exec it), in the engine's mount namespace.
    state.mountNs = fs.readlinkSync(`/proc/${proc.pid}/ns/mnt`);
    let stopped: Promise<void> | undefined;
    return {
      name: options.name,
      dir,
      host,
      env: { DOCKER_HOST: host },
      netns: network?.netns,
      cgroupParent: state.cgroupParent,
      address: network?.engineAddress,
      hostAddress: network?.hostAddress,
      process: proc,
      docker: (args, runOptions) => runDocker(host, args, runOptions),
      stop() {
        stopped ??= (async () => {
          // dockerd gives each container its stop timeout (10 s) in parallel, then exits.
          await proc.stop(30_000);
          const left = sweep(state);
          untrack(state);
          if (left.length > 0) throw new Error(`docker engine ${options.name} left behind:\n${left.join("\n")}`);
        })();
        return stopped;
      },
    };
  } catch (error) {
    await engineProcess?.stop(10_000);
    sweep(state);
    untrack(state);
    throw error;
  }
}

function commandExists(command: string): boolean {
  return (process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin")
    .split(":")
    .some((dir) => fs.existsSync(path.join(dir, command)));
}

/**
 * A named network namespace with a veth to the host: `<subnet>.1` on the host, `<subnet>.2` (default route) inside,
 * built by the harness (harness/namespaces.ts: names unique per run, deleted by the sweep, the registry or the next
 * run's ledger sweep).
 */
function createEngineNetwork(subnet: string) {
  if (!/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(subnet))
    throw new Error(`docker engine network.subnet ${JSON.stringify(subnet)} must be three octets, like 10.251.7`);
  const namespaces = new Namespaces("dkr");
  const hostAddress = `${subnet}.1`;
  const engineAddress = `${subnet}.2`;
  try {
    const netns = namespaces.add("engine");
    namespaces.veth(
      { ns: undefined, name: namespaces.linkName("v"), address: `${hostAddress}/30` },
      { ns: netns, name: "eth0", address: `${engineAddress}/30` },
    );
    namespaces.ip(netns, "route", "add", "default", "via", hostAddress);
    return { namespaces, netns, hostAddress, engineAddress };
  } catch (error) {
    namespaces.destroy();
    throw error;
  }
}

export interface DockerRunOptions {
  /** Defaults to 120 s. */
  readonly timeoutMs?: number;
  readonly cwd?: string;
  /** Resolve with stdout and stderr together (`nginx -v` and `docker logs` write to stderr). */
  readonly withStderr?: boolean;
}

/** `docker <args>` against `host`; resolves with stdout, rejects with the command line, exit and stderr. */
export function runDocker(host: string, args: readonly string[], options: DockerRunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "docker",
      [...args],
      {
        env: { ...process.env, DOCKER_HOST: host, DOCKER_BUILDKIT: "0" },
        cwd: options.cwd,
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 64 * 1024 * 1024,
        encoding: "utf8",
      },
      (error, stdout, stderr) => {
        if (error)
          reject(
            new Error(`docker ${args.join(" ")} failed (${error.message.split("\n")[0]}): ${stdout}${stderr.trim()}`),
          );
        else resolve(options.withStderr ? `${stdout}${stderr}` : stdout);
      },
    );
  });
}
