/**
 * Child processes of the harness: each server runs in its own process group, so stopping it stops whatever it
 * forked, and every process started is registered so `stopAll` (afterAll, `finally`, the watchdog) and the cleanup
 * registry (process exit, SIGINT, SIGTERM, SIGHUP: harness/cleanup.ts) stop it whatever happened. A SIGKILL of the
 * test process runs nothing, so every process is also started with a parent-death signal (`setpriv --pdeathsig
 * KILL`, prctl PR_SET_PDEATHSIG: the kernel kills it when the thread that spawned it, Node's main thread, ends).
 * Output goes to a log file per process, shown when a start fails.
 */
import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { onCleanup } from "./harness/cleanup";
import { GiveUp, waitFor } from "./harness/waitFor";

export { GiveUp, sleep, waitFor, waitUntil } from "./harness/waitFor";

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves with the exit code (or signal) once the process has exited. */
  readonly exited: Promise<string>;
  /** `signal` (SIGTERM by default) to the group, SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number, signal?: NodeJS.Signals): Promise<void>;
  /** SIGKILL to the group at once (a crash, as a fault scenario wants it). */
  kill(): Promise<void>;
}

const running = new Set<ManagedProcess>();

/** util-linux's setpriv (Debian's essential `util-linux` package), for the parent-death signal. */
const SETPRIV = "/usr/bin/setpriv";

/**
 * `command args` run under a parent-death signal: killed by the kernel when this process's main thread ends, even by
 * SIGKILL. setpriv execs the command in place (same pid, same process group); the setting is cleared by a change of
 * credentials or a set-uid exec (prctl(2)), so a command that switches users later (runuser, setpriv --reuid) is
 * covered only by the process-group kill of the cleanup registry unless it sets the signal again after the switch
 * (e2e/postgres.ts after runuser, the attack lab's `setpriv --reuid … --pdeathsig KILL`).
 */
export function withParentDeathSignal(command: string, args: readonly string[]): { command: string; args: string[] } {
  const [wrapper, ...wrapperArgs] = withParentDeathSignalArgs();
  return { command: wrapper, args: [...wrapperArgs, command, ...args] };
}

/** The words that put a command under a parent-death signal (`setpriv --pdeathsig KILL --`), to prefix a command. */
export function withParentDeathSignalArgs(): string[] {
  return [SETPRIV, "--pdeathsig", "KILL", "--"];
}

/** The processes this module started that are still running (a test checks that none outlives its suite). */
export function runningProcesses(): readonly ManagedProcess[] {
  return [...running];
}

export interface StartOptions {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Record<string, string>;
  readonly cwd?: string;
  /** Directory for the log file. */
  readonly logDir: string;
  /**
   * Network namespace to run in (`ip netns exec`, which execs the command in place: the pid and process group
   * stay the server's own, so stopping works unchanged). Defaults to the test's own namespace.
   */
  readonly netns?: string;
}

export function startProcess({
  name,
  command: program,
  args: programArgs,
  env,
  cwd,
  logDir,
  netns,
}: StartOptions): ManagedProcess {
  const { command, args } = netns
    ? withParentDeathSignal("ip", ["netns", "exec", netns, program, ...programArgs])
    : withParentDeathSignal(program, programArgs);
  fs.mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `${name}.log`);
  const log = fs.openSync(logFile, "a");
  let child: ChildProcess;
  try {
    // detached: a process group of its own, led by the child, so a signal to -pid reaches its children too.
    child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", log, log], detached: true });
  } finally {
    fs.closeSync(log);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name}: could not start ${command}`);
  const exited = new Promise<string>((resolve) => {
    child.once("exit", (code, signal) => resolve(signal ?? String(code)));
    child.once("error", (error) => resolve(`error: ${error.message}`));
  });
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is gone already.
    }
  };
  const managed: ManagedProcess = {
    name,
    pid,
    logFile,
    exited,
    async stop(graceMs = 5000, signal: NodeJS.Signals = "SIGTERM") {
      signalGroup(signal);
      const timer = setTimeout(() => signalGroup("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
      running.delete(managed);
    },
    async kill() {
      signalGroup("SIGKILL");
      await exited;
      running.delete(managed);
    },
  };
  running.add(managed);
  const unregister = onCleanup(`process ${name} (group ${pid})`, () => signalGroup("SIGKILL"));
  void exited.then(() => {
    running.delete(managed);
    unregister();
  });
  return managed;
}

/** Stops every process still running (in reverse start order). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].reverse().map((p) => p.stop(3000)));
}

/** Last lines of a process's log, for error messages. */
export function logTail(processOrFile: ManagedProcess | string, lines = 20): string {
  const file = typeof processOrFile === "string" ? processOrFile : processOrFile.logFile;
  try {
    return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/**
 * Kills everything after `ms` whatever the test runner does (a hung await would otherwise keep servers running
 * until CI's own timeout). Returns a function that cancels it.
 */
export function startWatchdog(ms: number, what: string): () => void {
  const timer = setTimeout(() => {
    console.error(`e2e watchdog: ${what} still running after ${Math.round(ms / 1000)} s; stopping every server`);
    void stopAll();
  }, ms);
  timer.unref();
  return () => clearTimeout(timer);
}

/** A TCP port free on 127.0.0.1 right now (the OS picks it). */
/**
 * Ports handed out in this process. A port is never handed out twice: a stopped server's port (a PostgreSQL stopped
 * by a fault) must not go to a server started later, or the exporter still watching the old address would find a
 * healthy database there and the fault would never show.
 */
const handedOut = new Set<number>();

function kernelFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await kernelFreePort();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free loopback port that this process has not used already (${handedOut.size} handed out)`);
}

/** Resolves once `url` answers 2xx (signed in with `authorization` when given); fails at once if `proc` exits, with its log. */
export async function waitHttpOk(
  url: string,
  proc: ManagedProcess | undefined,
  timeoutMs = 20_000,
  authorization?: string,
): Promise<void> {
  let exitedWith: string | undefined;
  void proc?.exited.then((code) => (exitedWith = code));
  try {
    await waitFor(
      `${url} to answer 2xx`,
      async () => {
        if (exitedWith !== undefined) throw new GiveUp(`${proc?.name} exited (${exitedWith}) before ${url} answered`);
        const response = await fetch(url, {
          signal: AbortSignal.timeout(2000),
          headers: authorization ? { Authorization: authorization } : {},
        });
        if (response.ok) return true;
        throw new Error(`HTTP ${response.status}`);
      },
      timeoutMs,
      150,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}${proc ? `:\n${logTail(proc)}` : ""}`, { cause: error });
  }
}
