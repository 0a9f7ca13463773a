/**
 * A real Grafana Alloy (tool cache) running a rendered `config.alloy` unchanged.
 *
 * The config names host paths as the container sees them: the host files under `/var/log` (the settings refuse
 * anything else) and the journal at its system places (`/var/log/journal`, `/run/log/journal`, read for the
 * machine id of `/etc/machine-id`). Rather than rewrite them, Alloy runs in a mount namespace of its own
 * (`unshare --mount --propagation private`) where a temporary folder is mounted on `/var/log`, an empty one on
 * `/run/log`, and a test machine id on `/etc/machine-id`: the machine's own folders are never written and the
 * rendered file stays exactly what the stack deploys. Its HTTP server listens on 127.0.0.1 and a free port, as the
 * component's `--server.http.listen-addr` would on the container's network.
 */
import * as fs from "fs";
import * as path from "path";
import { ALLOY_PATHS } from "../logs/paths";
import { freePort, logTail, startProcess, waitFor, type ManagedProcess } from "./processes";

/** A journal machine id for the test (32 hex digits, as `/etc/machine-id` holds it). */
export const TEST_MACHINE_ID = "6b6f70726f676f0000000000000a110e";

/** The folders a test writes into: what Alloy sees as `/var/log` and its storage path. */
export interface AlloyHostDirs {
  /** Mounted on `/var/log` inside Alloy's namespace. */
  readonly varLog: string;
  /** The journal folder of the test machine id (`/var/log/journal/<id>` inside the namespace). */
  readonly journal: string;
  readonly storage: string;
}

export function alloyHostDirs(dir: string): AlloyHostDirs {
  const varLog = path.join(dir, "var-log");
  const journal = path.join(varLog, "journal", TEST_MACHINE_ID);
  const storage = path.join(dir, "storage");
  for (const d of [varLog, journal, storage, path.join(dir, "run-log")]) fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(dir, "machine-id"), `${TEST_MACHINE_ID}\n`);
  return { varLog, journal, storage };
}

/** Where a host path of the config (`/var/log/...`) is on this machine, for the test to write into. */
export function hostLogPath(dirs: AlloyHostDirs, configPath: string): string {
  if (!configPath.startsWith(`${ALLOY_PATHS.hostLogs}/`))
    throw new Error(`${configPath} is not under ${ALLOY_PATHS.hostLogs}, the only host folder Alloy reads`);
  return path.join(dirs.varLog, configPath.slice(ALLOY_PATHS.hostLogs.length + 1));
}

export interface RealAlloy {
  readonly url: string;
  readonly process: ManagedProcess;
  readonly dirs: AlloyHostDirs;
  log(): string[];
  stop(): Promise<void>;
}

export interface StartAlloyOptions {
  readonly binary: string;
  /** The rendered `config.alloy`. */
  readonly rendered: string;
  /** Folder for the config, the mounted folders, the storage and the log; the caller removes it. */
  readonly dir: string;
  /** Runs before Alloy starts (for example to write host files that must exist first). */
  readonly prepare?: (dirs: AlloyHostDirs) => void;
  readonly name?: string;
  readonly readyTimeoutMs?: number;
}

/** Starts Alloy (see the file comment) and resolves once `/-/ready` answers 200; fails with its log if it exits. */
export async function startAlloy({
  binary,
  rendered,
  dir,
  prepare,
  name = "alloy",
  readyTimeoutMs = 60_000,
}: StartAlloyOptions): Promise<RealAlloy> {
  const dirs = alloyHostDirs(dir);
  prepare?.(dirs);
  const configFile = path.join(dir, "config.alloy");
  fs.writeFileSync(configFile, rendered);
  const port = await freePort();
  // sh only mounts and then execs Alloy with the arguments it was given ("$@"): nothing is interpolated.
  const mountThenRun = [
    "set -e",
    'mount --bind "$1" /var/log',
    'mount --bind "$2" /run/log',
    'mount --bind "$3" /etc/machine-id',
    "shift 3",
    'exec "$@"',
  ].join("; ");
  const proc = startProcess({
    name,
    command: "unshare",
    args: [
      "--mount",
      "--propagation",
      "private",
      "sh",
      "-c",
      mountThenRun,
      "sh",
      dirs.varLog,
      path.join(dir, "run-log"),
      path.join(dir, "machine-id"),
      binary,
      "run",
      `--server.http.listen-addr=127.0.0.1:${port}`,
      `--storage.path=${dirs.storage}`,
      "--disable-reporting",
      configFile,
    ],
    logDir: dir,
  });
  const url = `http://127.0.0.1:${port}`;
  let exitedWith: string | undefined;
  void proc.exited.then((code) => (exitedWith = code));
  try {
    await waitFor(
      `${name} /-/ready`,
      async () => {
        if (exitedWith !== undefined) throw new Error(`exited (${exitedWith})`);
        const response = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2000) });
        return response.ok ? true : undefined;
      },
      readyTimeoutMs,
      500,
    );
  } catch (error) {
    await proc.stop();
    throw new Error(`${name} did not get ready: ${(error as Error).message}\n${logTail(proc, 40)}`, {
      cause: error,
    });
  }
  return {
    url,
    process: proc,
    dirs,
    log: () => fs.readFileSync(proc.logFile, "utf8").split("\n").filter(Boolean),
    stop: () => proc.stop(10_000),
  };
}
