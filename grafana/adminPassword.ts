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
import { requireRunningLines } from "./runningCheck";
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
    // A rotation interrupted after Grafana took the new password but before the file was rewritten: the new one
    // signs in already, and the file's old one no longer does. Nothing to change then.
    `printf 'user = "%s:%s"\\n' "$GF_SECURITY_ADMIN_USER" "$new" | curl -fs --max-time 20 -o /dev/null -K - http://127.0.0.1:${port}/api/user && exit 0`,
    checkPassword("old", "the current Grafana admin password (in the mounted file)"),
    `${config} | curl -fsS --max-time 20 -o /dev/null -X PUT -H 'Content-Type: application/json' -K - http://127.0.0.1:${port}/api/user/password || { echo "Grafana accepts neither the new admin password nor the one in its mounted file: set it to the stack's grafanaAdminPassword by hand (Grafana's admin command reset-admin-password, in its container), then run pulumi up again" >&2; exit 1; }`,
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
    ...requireRunningLines(
      container,
      `Grafana (${container}) is not running, so its admin password cannot be changed through its API: start it (docker start ${container}) and run pulumi up again`,
      docker,
    ),
    `${docker} exec -i ${quoted} sh -c ${shellQuote(changePasswordInContainerScript(port))}`,
  ].join("\n");
}

export interface VolumePasswordReset {
  /** The Grafana data volume. */
  readonly volume: string;
  /** The Grafana image the stack runs (its `grafana cli`). */
  readonly image: string;
  /** `uid:gid` Grafana runs as (the database's owner). */
  readonly user: string;
  /** Memory limit of the one-shot container (Docker notation): Grafana's own, as it never runs beside it. */
  readonly memory: string;
  readonly docker?: string;
}

/**
 * Sets the admin password of a database kept on the data volume to the one on stdin, before Grafana starts: after
 * `pulumi destroy` (the volume is retained, the generated password is not) the next `up` generates a new password
 * while the database still has the old one, and the provider would get 401. Runs `grafana cli admin
 * reset-admin-password --password-from-stdin` (Grafana's own command: it opens the database with the server's
 * code, so the hash is Grafana's) in a one-shot container of the image, as Grafana's user, without network. A new
 * volume has no `grafana.db` yet: nothing to reset, the first start creates the admin from the mounted file. The
 * image's `GF_PATHS_HOME`, `GF_PATHS_CONFIG` and `GF_PATHS_DATA` (ENV of grafana/grafana's Dockerfile) say where
 * Grafana's files and the database are, as its `run.sh` passes them.
 */
export function resetAdminPasswordOnVolumeScript(reset: VolumePasswordReset): string {
  const docker = reset.docker ?? "docker";
  const inner = [
    "set -eu",
    'IFS= read -r new || [ -n "$new" ]',
    checkPassword("new", "the Grafana admin password"),
    '[ -f "$GF_PATHS_DATA/grafana.db" ] || exit 0',
    `printf '%s\\n' "$new" | grafana cli --homepath "$GF_PATHS_HOME" --config "$GF_PATHS_CONFIG" admin reset-admin-password --password-from-stdin >/dev/null`,
  ].join("\n");
  return [
    "set -eu",
    `${docker} run --rm -i --user ${shellQuote(reset.user)} --network none --memory ${shellQuote(reset.memory)} --entrypoint sh --mount ${shellQuote(`type=volume,source=${reset.volume},target=${GRAFANA_PATHS.data},volume-nocopy`)} ${shellQuote(reset.image)} -c ${shellQuote(inner)}`,
  ].join("\n");
}
