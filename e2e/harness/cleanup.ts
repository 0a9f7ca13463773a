/**
 * The cleanup registry: what a test starts or creates (a process group, a network namespace, a lock) registers how
 * to undo it, synchronously, and the registry runs every entry still registered when the process ends in any way a
 * process can notice: a normal exit, and SIGINT, SIGTERM or SIGHUP (Ctrl-C, CI's timeout, jest force-killing a worker
 * that did not exit on its own: Node's default for those signals exits WITHOUT the `exit` event, which is how
 * detached server groups used to survive a run). A SIGKILL cannot be caught: for that, processes are started with a
 * parent-death signal (processes.ts) and namespaces carry a ledger that the next run sweeps (namespaces.ts).
 *
 * Undo functions must be synchronous (nothing asynchronous runs during `exit`) and must not throw for "already gone".
 *
 * Why the handlers go on the process reached through `vm.runInThisContext`: under jest, `process` in a test file is
 * a copy made for its sandbox (jest-util's createProcessObject: the real one's properties and a fresh EventEmitter),
 * so `process.once("exit", …)` there registers on an emitter nobody emits: the real process exits, or is signalled,
 * and the handler never runs. That is how the e2e harness's own exit handler let stand-in APIs outlive their suite.
 * `runInThisContext` evaluates in Node's main context, whose `process` is the real one (the same object outside
 * jest). The registry itself hangs on that object too, so the test files of one jest worker (each with its own copy
 * of this module) share one set of handlers instead of adding a set per file.
 */
import * as vm from "vm";

export type Undo = () => void;

interface Registry {
  readonly entries: Map<number, { readonly what: string; readonly undo: Undo }>;
  nextId: number;
  installed: boolean;
}

/** The real process object (see above). */
const realProcess = vm.runInThisContext("process") as NodeJS.Process;
const KEY = Symbol.for("koprogo-observability.harness.cleanup");
const holder = realProcess as unknown as Record<symbol, Registry | undefined>;
const registry: Registry = (holder[KEY] ??= { entries: new Map(), nextId: 0, installed: false });
const entries = registry.entries;

/** Registers `undo`; returns the function that unregisters it (call it once the thing is undone normally). */
export function onCleanup(what: string, undo: Undo): () => void {
  install();
  const id = registry.nextId++;
  entries.set(id, { what, undo });
  return () => void entries.delete(id);
}

/** What is registered now (for tests and for a report of what a failed run left). */
export function pendingCleanups(): string[] {
  return [...entries.values()].map((entry) => entry.what);
}

/** Runs every registered undo, newest first; returns the failures as `what: message`. */
export function runCleanups(): string[] {
  const failures: string[] = [];
  for (const [id, entry] of [...entries].reverse()) {
    entries.delete(id);
    try {
      entry.undo();
    } catch (error) {
      failures.push(`${entry.what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return failures;
}

function install(): void {
  if (registry.installed) return;
  registry.installed = true;
  realProcess.once("exit", () => {
    for (const failure of runCleanups()) console.error(`cleanup: ${failure}`);
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const handler = () => {
      for (const failure of runCleanups()) console.error(`cleanup after ${signal}: ${failure}`);
      // Our listener is gone (once): with no other listener the re-raised signal ends the process as it would have.
      if (realProcess.listenerCount(signal) === 0) realProcess.kill(realProcess.pid, signal);
    };
    realProcess.once(signal, handler);
  }
}
