/**
 * The cleanup registry: what a test starts or creates (a process group, a network namespace, a lock) registers how
 * to undo it, synchronously, and the registry runs every entry still registered when the process ends in any way a
 * process can notice: a normal exit, and SIGINT, SIGTERM or SIGHUP (Ctrl-C, CI's timeout, jest force-killing a worker
 * that did not exit on its own: Node's default for those signals exits WITHOUT the `exit` event, which is how
 * detached server groups used to survive a run). A SIGKILL cannot be caught: for that, processes are started with a
 * parent-death signal (processes.ts) and namespaces carry a ledger that the next run sweeps (namespaces.ts).
 *
 * Undo functions must be synchronous (nothing asynchronous runs during `exit`) and must not throw for "already gone".
 */

export type Undo = () => void;

const entries = new Map<number, { readonly what: string; readonly undo: Undo }>();
let nextId = 0;
let installed = false;

/** Registers `undo`; returns the function that unregisters it (call it once the thing is undone normally). */
export function onCleanup(what: string, undo: Undo): () => void {
  install();
  const id = nextId++;
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
  if (installed) return;
  installed = true;
  process.once("exit", () => {
    for (const failure of runCleanups()) console.error(`cleanup: ${failure}`);
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const handler = () => {
      for (const failure of runCleanups()) console.error(`cleanup after ${signal}: ${failure}`);
      // Our listener is gone (once): with no other listener the re-raised signal ends the process as it would have.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.once(signal, handler);
  }
}
