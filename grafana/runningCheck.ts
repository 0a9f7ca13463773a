/** The first lines of a host script that acts on a running container through `docker`. */
import { shellQuote } from "../host/scripts";

/**
 * Stops the script with `message` on stderr (what to start, and that `pulumi up` must run again) when `container` is
 * not running: `docker inspect -f '{{.State.Running}}'` prints `true` only for a running container, and nothing
 * (an error, hidden) for one that does not exist.
 */
export function requireRunningLines(container: string, message: string, docker = "docker"): string[] {
  return [
    `if [ "$(${docker} inspect -f '{{.State.Running}}' ${shellQuote(container)} 2>/dev/null)" != "true" ]; then`,
    `  echo ${shellQuote(message)} >&2`,
    "  exit 1",
    "fi",
  ];
}
