/**
 * The one poll-until of the tests, the e2e stack, the attack lab, the rehearsal and the benchmark: it polls a check
 * until the check gives a value, and a timeout names what was awaited, how long, and the check's last error (or the
 * last value it rejected), so a failure says what to look at.
 */

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Thrown by a check to stop waiting at once (the server it waits for has exited): its message is the failure. */
export class GiveUp extends Error {}

/**
 * Polls `check` every `everyMs` until it returns a value other than `undefined`; a check that throws is retried (its
 * error is kept for the timeout's message), except a `GiveUp`, which ends the wait with its message.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  everyMs = 200,
): Promise<T> {
  const started = Date.now();
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      if (error instanceof GiveUp) throw new Error(`${error.message} (waiting for ${what})`, { cause: error });
      lastError = error;
    }
    if (Date.now() - started > timeoutMs)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${
          lastError === undefined
            ? ""
            : `; last error: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)}`
        }`,
        { cause: lastError },
      );
    await sleep(everyMs);
  }
}

/** `waitFor` for a yes/no condition: resolves once `condition` is true; `describe` (optional) says what it saw last. */
export async function waitUntil(
  what: string,
  condition: () => Promise<boolean> | boolean,
  timeoutMs: number,
  everyMs = 200,
  describe?: () => string,
): Promise<void> {
  await waitFor(
    what,
    async () => {
      if (await condition()) return true;
      if (describe) throw new Error(describe());
      return undefined;
    },
    timeoutMs,
    everyMs,
  );
}
