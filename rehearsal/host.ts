/**
 * The rehearsal host: a real systemd booted in namespaces on an overlay of this machine's root (boot.sh says
 * what that relies on), reached over a veth pair in 10.220.0.0/16, with sshd, a `deploy` user with passwordless
 * sudo, and apt going out through the proxy of aptProxy.ts. Everything it changes lives in the overlay's tmpfs
 * upper layer and in its namespaces, and vanishes at `shutdown()`: this machine's packages, /etc and services
 * (used by other test suites in parallel) are never touched.
 *
 * Why a separate network namespace although apt must reach Debian's archive: fail2ban and CrowdSec's bouncer
 * rewrite the firewall (`INPUT`, `DOCKER-USER`) and CrowdSec listens on 127.0.0.1:8080; in this machine's
 * namespace they would ban on, and collide with, this machine. The proxy gives apt its only way out.
 */
import { spawn, spawnSync, execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { onCleanup } from "../e2e/harness/cleanup";
import { waitFor } from "../e2e/harness/waitFor";

/** The apt proxy child process (aptProxy.ts): its URL, and the requests it refused (read from its stderr). */
export interface AptProxy {
  readonly url: string;
  readonly refused: string[];
  close(): Promise<void>;
}

function startProxyProcess(address: string, hosts: readonly string[]): Promise<AptProxy> {
  const child = spawn(
    process.execPath,
    [require.resolve("ts-node/dist/bin"), "--transpile-only", path.join(__dirname, "aptProxy.ts"), address, ...hosts],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const unregister = onCleanup(`the rehearsal's apt proxy (pid ${child.pid})`, () => child.kill("SIGKILL"));
  child.once("exit", unregister);
  const refused: string[] = [];
  child.stderr.setEncoding("utf8").on("data", (chunk: string) =>
    refused.push(
      ...chunk
        .split("\n")
        .filter((l) => l.startsWith("refused "))
        .map((l) => l.slice(8)),
    ),
  );
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the apt proxy exited (${code}) before listening`)));
    child.stdout.setEncoding("utf8").once("data", (url: string) =>
      resolve({
        url: url.trim(),
        refused,
        close: () =>
          new Promise((done) => {
            child.removeAllListeners("exit");
            child.once("exit", () => done());
            child.kill("SIGTERM");
          }),
      }),
    );
  });
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface SshTarget {
  readonly user: string;
  readonly privateKey: string;
  /** Host key line (`ssh-ed25519 AAAA...`) the connection pins. */
  readonly hostKey: string;
  /** The name the connection uses (known_hosts entry). */
  readonly hostName: string;
}

const CGROUP_ROOT = "/sys/fs/cgroup/unified";

function run(command: string, args: readonly string[], input?: string, timeoutMs = 600_000): RunResult {
  const result = spawnSync(command, args, { input, encoding: "utf8", timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  return {
    code: result.status ?? (result.signal ? 128 : 1),
    stdout: result.stdout ?? "",
    stderr: `${result.stderr ?? ""}${result.error ? String(result.error) : ""}`,
  };
}

function must(command: string, args: readonly string[], input?: string): string {
  const result = run(command, args, input);
  if (result.code !== 0)
    throw new Error(
      `rehearsal host: \`${command} ${args.join(" ")}\` failed (${result.code}): ${result.stderr.trim()}`,
    );
  return result.stdout;
}

/**
 * Claims a free /30 of 10.220.0.0/16 by creating its veth pair (the host side `kreh-<n>h`, moved into the host and
 * renamed `eth0` later): `ip link add` fails when another run holds the name, so the claim is atomic, and the name
 * carries the subnet's number, the one resource two runs at once could otherwise both take.
 */
function claimNetwork(): { hostLink: string; nsLink: string; hostAddress: string; address: string } {
  const start = process.pid % 250;
  for (let i = 0; i < 250; i++) {
    const index = ((start + i) % 250) + 1;
    const hostLink = `kreh-${index}h`;
    const nsLink = `kreh-${index}n`;
    if (run("ip", ["link", "add", hostLink, "type", "veth", "peer", "name", nsLink]).code === 0)
      return { hostLink, nsLink, hostAddress: `10.220.${index}.1`, address: `10.220.${index}.2` };
  }
  throw new Error(
    "rehearsal host: no free kreh-* network in 10.220.0.0/16 (250 runs at once, or leftovers: ip -o link)",
  );
}

export class RehearsalHost {
  private constructor(
    readonly pid: number,
    readonly address: string,
    readonly work: string,
    private readonly cgroup: string,
    private readonly hostLink: string,
    readonly proxy: AptProxy,
    private readonly keysDir: string,
    private readonly unregisterCleanup: () => void,
  ) {}

  /** Boots the host; `archives` is a directory kept across runs as apt's package cache. */
  static async boot(archives: string): Promise<RehearsalHost> {
    fs.mkdirSync(path.join(archives, "partial"), { recursive: true });
    const net = claimNetwork();
    const id = `${net.hostLink.slice(0, -1)}-${process.pid}`;
    const work = fs.mkdtempSync(path.join(os.tmpdir(), `${id}-`));
    const cgroup = path.join(CGROUP_ROOT, id);
    fs.mkdirSync(cgroup);
    const bootLog = `${work}.boot.log`;
    const boot = spawn(path.join(__dirname, "boot.sh"), [work, cgroup, archives], {
      detached: true,
      stdio: ["ignore", "ignore", fs.openSync(bootLog, "w")],
    });
    boot.unref();
    const unsharePid = boot.pid!;
    // Until shutdown() runs: a test killed or failing half-way still kills the host's cgroup and deletes its link.
    let systemdPid = 0;
    const unregister = onCleanup(`the rehearsal host ${id}`, () =>
      RehearsalHost.kill(systemdPid || unsharePid, cgroup, work, net.hostLink),
    );
    const pid = await waitFor(
      "systemd to start in the rehearsal host",
      () => {
        const child = run("pgrep", ["-P", String(unsharePid)])
          .stdout.trim()
          .split("\n")[0];
        return child && fs.existsSync(`/proc/${child}/root/run/systemd/system`) ? Number(child) : undefined;
      },
      60_000,
      250,
    ).catch((error: unknown) => {
      // Not booted: what boot.sh started (the cgroup's processes), the veth pair and the folders go now.
      RehearsalHost.kill(unsharePid, cgroup, work, net.hostLink);
      unregister();
      throw error;
    });
    systemdPid = pid;
    let host: RehearsalHost | undefined;
    try {
      must("ip", ["link", "set", net.nsLink, "netns", String(pid)]);
      must("ip", ["addr", "add", `${net.hostAddress}/30`, "dev", net.hostLink]);
      must("ip", ["link", "set", net.hostLink, "up"]);
      const proxy = await startProxyProcess(net.hostAddress, debianArchiveHosts());
      host = new RehearsalHost(
        pid,
        net.address,
        work,
        cgroup,
        net.hostLink,
        proxy,
        fs.mkdtempSync(path.join(os.tmpdir(), `${id}-keys-`)),
        unregister,
      );
      // The namespace's side is the host's `eth0`, as on the VPS (Suricata's `publicInterface`).
      host.mustRoot(
        [
          `ip link set ${net.nsLink} name eth0`,
          `ip addr add ${net.address}/30 dev eth0`,
          "ip link set eth0 up",
          "ip link set lo up",
          `ip route add default via ${net.hostAddress}`,
        ].join(" && "),
      );
      await waitFor(
        "the rehearsal host to finish booting",
        () => {
          const state = host!.root("systemctl is-system-running").stdout.trim();
          if (["running", "degraded"].includes(state)) return true;
          throw new Error(`systemctl is-system-running: ${state}`);
        },
        60_000,
        250,
      );
      return host;
    } catch (error) {
      if (host) await host.shutdown();
      else {
        RehearsalHost.kill(pid, cgroup, work, net.hostLink);
        unregister();
      }
      throw error;
    }
  }

  /** Runs a script as root inside the host (preparation and checks; the program's commands go over SSH). */
  root(script: string, input?: string, timeoutMs?: number): RunResult {
    return run("nsenter", ["-t", String(this.pid), "-a", "-r", "-w", "/bin/sh", "-c", script], input, timeoutMs);
  }

  mustRoot(script: string, input?: string): string {
    const result = this.root(script, input);
    if (result.code !== 0)
      throw new Error(`rehearsal host: \`${script}\` failed (${result.code}): ${result.stderr.trim()}`);
    return result.stdout;
  }

  /** Runs a script in the host's mount namespace with this machine's view of paths (the overlay's layers). */
  layers(script: string): RunResult {
    return run("nsenter", ["-t", String(this.pid), "-m", "/bin/sh", "-c", script]);
  }

  /** The overlay's upper layer: everything the rehearsal and the program wrote to the host's disk. */
  get upperDir(): string {
    return path.join(this.work, "upper");
  }

  /**
   * Runs a script over SSH the way @pulumi/command's remote Command does: one session, the script as the
   * session's command (run by the user's login shell, `bash -c`), stdin piped, the host key pinned (a key that
   * does not match the connection's `hostKey` ends the connection before anything is sent).
   */
  ssh(target: SshTarget, script: string, stdin: string | undefined, timeoutMs = 600_000): RunResult {
    const keyFile = path.join(this.keysDir, "client");
    const knownHosts = path.join(this.keysDir, "known_hosts");
    fs.writeFileSync(keyFile, target.privateKey.endsWith("\n") ? target.privateKey : `${target.privateKey}\n`, {
      mode: 0o600,
    });
    fs.writeFileSync(knownHosts, `${target.hostName} ${target.hostKey}\n`, { mode: 0o600 });
    return run(
      "ssh",
      [
        "-i",
        keyFile,
        "-o",
        "IdentitiesOnly=yes",
        "-o",
        "BatchMode=yes",
        "-o",
        "StrictHostKeyChecking=yes",
        "-o",
        `UserKnownHostsFile=${knownHosts}`,
        "-o",
        "GlobalKnownHostsFile=/dev/null",
        "-o",
        `HostKeyAlias=${target.hostName}`,
        "-o",
        "ConnectTimeout=10",
        "-F",
        "/dev/null",
        `${target.user}@${this.address}`,
        "--",
        script,
      ],
      stdin ?? "",
      timeoutMs,
    );
  }

  /** Powers the host off and removes its namespaces, network, cgroup and directories. */
  async shutdown(): Promise<void> {
    await this.proxy.close();
    this.root("systemctl poweroff --no-block", undefined, 20_000);
    // Powered off or not after 30 s, the kill below ends it: the wait only lets systemd stop its units cleanly.
    await waitFor(
      "the rehearsal host to power off",
      () => (fs.existsSync(`/proc/${this.pid}`) ? undefined : true),
      30_000,
      250,
    ).catch(() => undefined);
    RehearsalHost.kill(this.pid, this.cgroup, this.work, this.hostLink);
    this.unregisterCleanup();
    fs.rmSync(this.keysDir, { recursive: true, force: true });
  }

  private static kill(pid: number, cgroup: string, work: string, hostLink: string): void {
    // Only what this run started: its cgroup's processes (the namespace's PID 1 and its children).
    if (fs.existsSync(`/proc/${pid}`)) spawnSync("kill", ["-KILL", String(pid)]);
    if (fs.existsSync(path.join(cgroup, "cgroup.kill"))) {
      try {
        fs.writeFileSync(path.join(cgroup, "cgroup.kill"), "1");
      } catch {
        /* already empty */
      }
    }
    for (let i = 0; i < 50 && fs.existsSync(cgroup); i++) {
      try {
        removeCgroup(cgroup);
      } catch {
        execFileSync("sleep", ["0.2"]);
      }
    }
    spawnSync("ip", ["link", "del", hostLink]);
    fs.rmSync(work, { recursive: true, force: true });
    fs.rmSync(`${work}.boot.log`, { force: true });
  }
}

/** cgroup directories are removed leaf first (rmdir; their files cannot be deleted). */
function removeCgroup(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }))
    if (entry.isDirectory()) removeCgroup(path.join(dir, entry.name));
  fs.rmdirSync(dir);
}

/** Hosts of this machine's own apt sources (deb822 `URIs:`), the only ones the proxy forwards to. */
export function debianArchiveHosts(dir = "/etc/apt/sources.list.d"): string[] {
  const hosts = new Set<string>();
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".sources"))) {
    for (const match of fs.readFileSync(path.join(dir, file), "utf8").matchAll(/^URIs:\s*(.+)$/gim)) {
      for (const uri of match[1].trim().split(/\s+/)) if (uri.startsWith("http://")) hosts.add(new URL(uri).hostname);
    }
  }
  if (hosts.size === 0)
    throw new Error(`no http:// apt source in ${dir}/*.sources: the rehearsal host cannot reach Debian's archive`);
  return [...hosts];
}
