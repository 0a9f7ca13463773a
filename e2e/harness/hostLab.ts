/**
 * Hosts for the security tests (Suricata, fail2ban, the metrics firewall): network namespaces (namespaces.ts) and the
 * processes run in them (processes.ts: a process group each, a parent-death signal, the cleanup registry), with a
 * temp folder for their logs, all named from one run tag and all removed by `destroy()` (afterAll), also after a
 * failure, and by the cleanup registry if the test process ends first.
 *
 *   const lab = new HostLab("kf2b");             // in the describe
 *   const vps = lab.addNamespace("vps");          // beforeAll: <prefix><tag>-vps
 *   lab.veth({ ns: vps, name: "eth0", address: "10.0.0.1/24" }, { ns: other, name: "eth0" });
 *   const server = await lab.start(vps, "node", ["-e", program], /listening/);
 *   afterAll(() => lab.destroy());
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { logTail, startProcess, type ManagedProcess } from "../processes";
import { Namespaces, type VethEnd } from "./namespaces";
import { GiveUp, waitFor } from "./waitFor";

export class HostLab {
  readonly namespaces: Namespaces;
  private folder: string | undefined;
  private readonly processes: ManagedProcess[] = [];
  private started = 0;

  /** Creates nothing yet (a lab built while jest collects a skipped suite costs nothing): see `addNamespace`. */
  constructor(prefix: string) {
    this.namespaces = new Namespaces(prefix);
  }

  /** The lab's folder, made on first use: the processes' logs, and whatever the test writes there. */
  get dir(): string {
    this.folder ??= fs.mkdtempSync(path.join(os.tmpdir(), `${this.namespaces.base}-`));
    return this.folder;
  }

  ns(role: string): string {
    return this.namespaces.name(role);
  }

  addNamespace(role: string): string {
    return this.namespaces.add(role);
  }

  veth(a: VethEnd, b: VethEnd): void {
    this.namespaces.veth(a, b);
  }

  /** Runs a `sh -ec` script in `ns`; throws with its output when it fails. */
  sh(ns: string, script: string): string {
    return this.namespaces.sh(ns, script);
  }

  /**
   * Starts a long-running command in `ns` and resolves once `ready` appears in its output (stdout and stderr, in its
   * log file); fails at once, with the output, if it exits first, and after `timeoutMs` naming the command. With
   * `ready` undefined it resolves at once (the caller waits its own way, e.g. a client's ping).
   */
  async start(
    ns: string,
    command: string,
    args: readonly string[],
    ready: RegExp | undefined,
    options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
  ): Promise<ManagedProcess> {
    const proc = startProcess({
      name: `${path.basename(command)}-${++this.started}`,
      command,
      args,
      env: Object.fromEntries(
        Object.entries(options.env ?? {}).filter((entry): entry is [string, string] => entry[1] !== undefined),
      ),
      netns: ns,
      logDir: path.join(this.dir, "logs"),
    });
    this.processes.push(proc);
    if (!ready) return proc;
    let exitedWith: string | undefined;
    void proc.exited.then((code) => (exitedWith = code));
    await waitFor(
      `${command} in ${ns} to print ${ready}`,
      () => {
        const output = this.output(proc);
        if (ready.test(output)) return true;
        if (exitedWith !== undefined) throw new GiveUp(`${command} in ${ns} exited (${exitedWith}): ${output}`);
        throw new Error(`its output so far: ${logTail(proc, 5)}`);
      },
      options.timeoutMs ?? 10_000,
      50,
    );
    return proc;
  }

  /** Everything a process has printed so far. */
  output(proc: ManagedProcess): string {
    try {
      return fs.readFileSync(proc.logFile, "utf8");
    } catch {
      return "";
    }
  }

  /** Stops every process (SIGTERM, then SIGKILL), deletes the namespaces and the lab's folder. */
  async destroy(options: { keepFiles?: boolean } = {}): Promise<void> {
    await Promise.allSettled(this.processes.splice(0).map((p) => p.stop(5000)));
    this.namespaces.destroy();
    if (this.folder && !options.keepFiles) fs.rmSync(this.folder, { recursive: true, force: true });
  }
}
