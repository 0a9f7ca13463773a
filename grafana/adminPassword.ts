/**
 * Changing Grafana's admin password on a kept database, without a second Grafana process.
 *
 * Grafana reads `GF_SECURITY_ADMIN_PASSWORD__FILE` only when it creates its database: on a retained data volume a
 * changed secret would lock the provider out. `grafana cli admin reset-admin-password` would start a second
 * Grafana (its whole server code, ~100 MiB) inside the 160 MiB container. Instead the running Grafana is asked to
 * change the password through its HTTP API (`PUT /api/user/password`, signed in with the current password),
 * with the `curl` its image ships (grafana/grafana's Dockerfile installs curl on both its Alpine and Ubuntu
 * bases). The current password is the file the container has mounted: this runs BEFORE the file is rewritten
 * (the file's write depends on it), so the file still holds the password the database has.
 */
import { shellQuote } from "../host/scripts";
import { GRAFANA_PATHS } from "./config";

/** Characters a password may have here: JSON and curl's config syntax take them without escaping. */
export const ADMIN_PASSWORD_CHARACTERS = "A-Za-z0-9._~@%+=-";

function checkPassword(variable: string, what: string): string {
  return `case "$${variable}" in ""|*[!${ADMIN_PASSWORD_CHARACTERS}]*) echo "${what} must be non-empty and use only letters, digits and ._~@%+=- (set grafanaAdminPassword again, or let the stack generate it)" >&2; exit 1 ;; esac`;
}

/** What runs inside the container: compares, then changes the password through the local API. */
export function changePasswordInContainerScript(
  port: number,
  passwordFile: string = GRAFANA_PATHS.adminPasswordFile,
): string {
  // The passwords go to curl through its config on stdin (`-K -`), never as arguments (visible in `ps`).
  const config = `printf 'user = "%s:%s"\\ndata = "{\\\\"oldPassword\\\\":\\\\"%s\\\\",\\\\"newPassword\\\\":\\\\"%s\\\\",\\\\"confirmNew\\\\":\\\\"%s\\\\"}"\\n' "$GF_SECURITY_ADMIN_USER" "$old" "$old" "$new" "$new"`;
  return [
    "set -eu",
    // Pulumi sends the secret without a trailing newline: `read` then returns 1 at end of input, with `new` set.
    'IFS= read -r new || [ -n "$new" ]',
    `old=$(cat ${shellQuote(passwordFile)})`,
    `[ "$old" = "$new" ] && exit 0`,
    checkPassword("new", "the new Grafana admin password"),
    checkPassword("old", "the current Grafana admin password (in the mounted file)"),
    `${config} | curl -fsS --max-time 20 -o /dev/null -X PUT -H 'Content-Type: application/json' -K - http://127.0.0.1:${port}/api/user/password`,
  ].join("\n");
}

/**
 * The host-side script (stdin: the new password). Fails with what to do when Grafana does not run: the
 * password cannot change then, and writing the new file anyway would lock the provider out of the kept database.
 */
export function rotateAdminPasswordScript(container: string, port: number, docker = "docker"): string {
  const quoted = shellQuote(container);
  return [
    "set -eu",
    `if [ "$(${docker} inspect -f '{{.State.Running}}' ${quoted} 2>/dev/null)" != "true" ]; then`,
    `  echo "Grafana (${container}) is not running, so its admin password cannot be changed through its API: start it (docker start ${container}) and run pulumi up again" >&2`,
    "  exit 1",
    "fi",
    `${docker} exec -i ${quoted} sh -c ${shellQuote(changePasswordInContainerScript(port))}`,
  ].join("\n");
}
