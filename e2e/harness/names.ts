/**
 * Names unique to one harness instance: every namespace, interface, container, directory and lock a test creates
 * carries a tag made of its process id (two runs at once differ) and random characters (two instances in one
 * process differ, and a reused pid never meets an earlier run's leftovers). Base 36 keeps it short: Linux interface
 * names are at most 15 bytes (IFNAMSIZ 16 with the terminating NUL).
 */
import { randomInt } from "crypto";

export const MAX_INTERFACE_NAME = 15;

const issued = new Set<string>();

/** `<pid base 36><2 random base-36 characters>`, never the same twice in this process. */
export function uniqueTag(): string {
  const pid = process.pid.toString(36);
  for (;;) {
    const tag = `${pid}${randomInt(36 * 36)
      .toString(36)
      .padStart(2, "0")}`;
    if (!issued.has(tag)) {
      issued.add(tag);
      return tag;
    }
  }
}

/** An interface name, refused when Linux would refuse it (too long, or with a `/`, a space or a `:`). */
export function interfaceName(name: string): string {
  if (name.length > MAX_INTERFACE_NAME || !/^[A-Za-z0-9_.-]+$/.test(name))
    throw new Error(
      `interface name ${JSON.stringify(name)} is not a Linux interface name (at most ${MAX_INTERFACE_NAME} of A-Z a-z 0-9 _ . -): use a shorter prefix or role`,
    );
  return name;
}
