/**
 * The one network-namespace builder of the tests, the e2e hosts, the attack lab, the Suricata and fail2ban labs, the
 * benchmark's hosts and the rehearsal: named namespaces, veth pairs, bridges and addresses, all named from one
 * instance tag (names.ts: pid + random, so two runs at once never collide), all undone by `destroy()`, by the
 * cleanup registry when the process ends or is signalled (cleanup.ts), and, after a SIGKILL, by the next run's sweep
 * of the ledger every instance keeps under `<tmpdir>/koprogo-harness/` (what it created and which process owns it).
 *
 * What is relied on (iproute2, ip-netns(8)): deleting a named namespace removes every interface in it, and a veth's
 * peer with it; `ip netns exec` bind-mounts `/etc/netns/<ns>/*` over `/etc/*`; interfaces in the machine's own
 * namespace are the only names other runs can see, so those are the ones to keep unique and to delete explicitly.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { onCleanup } from "./cleanup";
import { interfaceName, uniqueTag } from "./names";

/** Where `ip netns exec` finds a namespace's own `/etc` files. */
export const NETNS_ETC = "/etc/netns";

const LEDGERS = path.join(os.tmpdir(), "koprogo-harness");

/** Runs a command and returns its stdout; the error names the command and carries its stderr. */
export function must(command: string, args: readonly string[], input?: string, timeoutMs = 30_000): string {
  const result = spawnSync(command, args, { encoding: "utf8", input, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
  if (result.status !== 0)
    throw new Error(
      `${[command, ...args].join(" ").slice(0, 200)} failed (${result.status ?? result.signal ?? result.error?.message}): ${`${result.stdout ?? ""}${result.stderr ?? ""}`.trim()}`,
    );
  return result.stdout;
}

/** The named namespaces of the machine (`ip netns list`). */
export function listNamespaces(): string[] {
  return must("ip", ["netns", "list"])
    .split("\n")
    .map((line) => line.split(" ")[0])
    .filter(Boolean);
}

function deleteNamespace(netns: string): void {
  spawnSync("ip", ["netns", "delete", netns], { stdio: "ignore", timeout: 15_000 });
  fs.rmSync(path.join(NETNS_ETC, netns), { recursive: true, force: true });
}

function deleteLink(link: string): void {
  spawnSync("ip", ["link", "del", link], { stdio: "ignore", timeout: 15_000 });
}

/** A process's start time (field 22 of /proc/<pid>/stat): with the pid, it tells a live owner from a reused pid. */
function startTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

interface Ledger {
  pid: number;
  started: string | undefined;
  namespaces: string[];
  links: string[];
  locks: string[];
}

const ownerAlive = (ledger: Pick<Ledger, "pid" | "started">) =>
  startTime(ledger.pid) !== undefined && startTime(ledger.pid) === ledger.started;

/** Deletes what instances of processes that no longer run left behind (a SIGKILL runs no cleanup). */
export function sweepStale(): string[] {
  let files: string[];
  try {
    files = fs.readdirSync(LEDGERS).filter((f) => f.endsWith(".json"));
  } catch {
    return [];
  }
  const swept: string[] = [];
  for (const file of files) {
    const full = path.join(LEDGERS, file);
    let ledger: Ledger;
    try {
      ledger = JSON.parse(fs.readFileSync(full, "utf8")) as Ledger;
    } catch {
      continue; // Being written by its owner.
    }
    if (ownerAlive(ledger)) continue;
    for (const netns of ledger.namespaces) deleteNamespace(netns);
    for (const link of ledger.links) deleteLink(link);
    for (const lock of ledger.locks) fs.rmSync(lock, { force: true });
    fs.rmSync(full, { force: true });
    swept.push(...ledger.namespaces, ...ledger.links);
  }
  return swept;
}

export interface VethEnd {
  /** The namespace the end is created in; `undefined` for the machine's own namespace. */
  readonly ns: string | undefined;
  readonly name: string;
  /** `a.b.c.d/len` given to this end. */
  readonly address?: string;
}

export class Namespaces {
  /** `<prefix><tag>`: what every name of this instance starts with. */
  readonly base: string;
  private readonly namespaces: string[] = [];
  private readonly links: string[] = [];
  private readonly locks: string[] = [];
  private readonly ledgerFile: string;
  private unregister: (() => void) | undefined;
  private destroyed = false;

  /** @param prefix a few letters naming the suite (`kf2b`, `katk`): with the tag, at most 11 characters. */
  constructor(readonly prefix: string) {
    if (!/^[a-z][a-z0-9]{0,4}$/.test(prefix))
      throw new Error(
        `namespace prefix ${JSON.stringify(prefix)}: 1 to 5 lower-case letters or digits, a letter first`,
      );
    this.base = `${prefix}${uniqueTag()}`;
    this.ledgerFile = path.join(LEDGERS, `${this.base}.json`);
  }

  /** The first thing created: sweeps what dead runs left, then registers this instance's undo and its ledger. */
  private begin(): void {
    if (this.unregister) return;
    if (this.destroyed) throw new Error(`namespaces ${this.base}-*: used after destroy()`);
    fs.mkdirSync(LEDGERS, { recursive: true });
    sweepStale();
    this.unregister = onCleanup(`network namespaces ${this.base}-*`, () => this.destroy());
  }

  /** The namespace name of a role (`<base>-<role>`); namespace names are files, not interfaces: no length limit. */
  name(role: string): string {
    return `${this.base}-${role}`;
  }

  /** A name for an interface in the machine's own namespace (`<base><suffix>`, at most 15 characters). */
  linkName(suffix: string): string {
    return interfaceName(`${this.base}${suffix}`);
  }

  /** The namespaces this instance holds now. */
  get created(): readonly string[] {
    return [...this.namespaces];
  }

  /** Creates `<base>-<role>` with its loopback up. */
  add(role: string): string {
    const netns = this.name(role);
    if (this.namespaces.includes(netns)) throw new Error(`namespace ${netns} created twice`);
    this.namespaces.push(netns);
    this.writeLedger();
    must("ip", ["netns", "add", netns]);
    must("ip", ["-n", netns, "link", "set", "lo", "up"]);
    return netns;
  }

  /** `ip [-n ns] args…`. */
  ip(ns: string | undefined, ...args: string[]): string {
    return must("ip", [...(ns ? ["-n", ns] : []), ...args]);
  }

  /** `ip [-n ns] -batch -`: many `ip` commands in one call. */
  ipBatch(ns: string | undefined, commands: readonly string[]): void {
    must("ip", [...(ns ? ["-n", ns] : []), "-batch", "-"], `${commands.join("\n")}\n`);
  }

  /**
   * A veth pair made directly in its two namespaces (an end in a named namespace never shows in the machine's),
   * each end up and with its address when given. An end in the machine's own namespace is recorded for deletion.
   */
  veth(a: VethEnd, b: VethEnd): void {
    for (const end of [a, b]) if (end.ns === undefined) this.recordLink(interfaceName(end.name));
    must("ip", [
      "link",
      "add",
      a.name,
      ...(a.ns ? ["netns", a.ns] : []),
      "type",
      "veth",
      "peer",
      "name",
      b.name,
      ...(b.ns ? ["netns", b.ns] : []),
    ]);
    for (const end of [a, b]) {
      if (end.address) this.ip(end.ns, "addr", "add", end.address, "dev", end.name);
      this.ip(end.ns, "link", "set", end.name, "up");
    }
  }

  /** A bridge with `address` (`a.b.c.d/len`) in `ns` (or the machine's namespace), up. */
  bridge(ns: string | undefined, name: string, address?: string): void {
    if (ns === undefined) this.recordLink(interfaceName(name));
    this.ip(ns, "link", "add", name, "type", "bridge");
    if (address) this.ip(ns, "addr", "add", address, "dev", name);
    this.ip(ns, "link", "set", name, "up");
  }

  /** An interface of the machine's own namespace made elsewhere (the rehearsal's veth): deleted with the rest. */
  recordLink(name: string): void {
    this.links.push(name);
    this.writeLedger();
  }

  /** `ip netns exec <ns> command args…` as a command line (for a process started by processes.ts or spawned). */
  exec(ns: string, command: string, args: readonly string[] = []): { command: string; args: string[] } {
    return { command: "ip", args: ["netns", "exec", ns, command, ...args] };
  }

  /** Runs a command in `ns` and returns its stdout; throws with its output when it fails. */
  run(ns: string, command: string, args: readonly string[] = [], input?: string): string {
    return must("ip", ["netns", "exec", ns, command, ...args], input);
  }

  /** Runs a `sh -ec` script in `ns`. */
  sh(ns: string, script: string): string {
    return this.run(ns, "sh", ["-ec", script]);
  }

  /**
   * A /24 of `<base16>.0.0/16` (`10.240`) that no other instance holds, for addresses in the machine's own
   * namespace (two runs giving one address to two bridges would break both). Held by a lock file until `destroy()`;
   * a lock whose owner is dead is taken over. Returns the first three octets (`10.240.17`).
   */
  claimSubnet(base16: string): string {
    if (!/^\d{1,3}\.\d{1,3}$/.test(base16)) throw new Error(`claimSubnet: ${base16} is not the first two octets`);
    const start = process.pid % 250;
    for (let i = 0; i < 250; i++) {
      const third = ((start + i) % 250) + 1;
      const lock = path.join(LEDGERS, `subnet-${base16}.${third}.lock`);
      const owner = JSON.stringify({ pid: process.pid, started: startTime(process.pid), base: this.base });
      try {
        fs.writeFileSync(lock, owner, { flag: "wx" });
      } catch {
        try {
          const held = JSON.parse(fs.readFileSync(lock, "utf8")) as Ledger;
          if (ownerAlive(held)) continue;
          fs.writeFileSync(lock, owner);
        } catch {
          continue;
        }
      }
      this.locks.push(lock);
      this.writeLedger();
      return `${base16}.${third}`;
    }
    throw new Error(`no free /24 left in ${base16}.0.0/16: every one is held by a running test`);
  }

  /** Deletes every namespace (their interfaces with them), link and lock of this instance; safe to call twice. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const netns of this.namespaces.splice(0).reverse()) deleteNamespace(netns);
    for (const link of this.links.splice(0)) deleteLink(link);
    for (const lock of this.locks.splice(0)) fs.rmSync(lock, { force: true });
    fs.rmSync(this.ledgerFile, { force: true });
    this.unregister?.();
  }

  private writeLedger(): void {
    this.begin();
    const ledger: Ledger = {
      pid: process.pid,
      started: startTime(process.pid),
      namespaces: this.namespaces,
      links: this.links,
      locks: this.locks,
    };
    fs.writeFileSync(this.ledgerFile, JSON.stringify(ledger));
  }
}

/** Whether a namespace exists (for tests that count what a run leaves). */
export function namespaceExists(netns: string): boolean {
  return listNamespaces().includes(netns);
}
