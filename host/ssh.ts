import type { Settings } from "../settings";
import { remoteHostOf } from "../settings/deployment";
import type { HostSettings } from "../settings/scale";

/**
 * The `ssh` options that pin the VPS's host key for the Docker provider's `ssh://` engine. The Docker CLI code
 * inside the provider runs the system `ssh` with `docker.sshOpts`; without these it would trust whatever the
 * runner's `~/.ssh/known_hosts` holds (or refuse the host when the file lacks it, with `StrictHostKeyChecking=yes`).
 * With them the one key of the stack config (`ssh.hostKey`) decides, the same key the host commands check:
 * - `KnownHostsCommand` (OpenSSH 8.5+) prints the known_hosts line for the host being checked (`%H`);
 * - `UserKnownHostsFile`/`GlobalKnownHostsFile=/dev/null`: no other file can add or contradict a key;
 * - `StrictHostKeyChecking=yes`: any other key is refused, never added.
 * They come first: for options given twice, ssh keeps the first value, so a stack's own `sshOpts` cannot loosen
 * them. The key is `<type> <base64>` (validated by the settings): no `%` or shell character to escape.
 */
export function pinnedHostKeySshOptions(hostKey: string): string[] {
  if (!/^[a-z0-9-]+ [A-Za-z0-9+/]+=*$/.test(hostKey))
    throw new Error(`host key \`${hostKey}\` must be \`<type> <base64>\``);
  return [
    "-o",
    "StrictHostKeyChecking=yes",
    "-o",
    "UserKnownHostsFile=/dev/null",
    "-o",
    "GlobalKnownHostsFile=/dev/null",
    "-o",
    `KnownHostsCommand=/bin/echo %H ${hostKey}`,
  ];
}

/**
 * The `ssh` options of the Docker provider: for an `ssh://` engine, the stack's host key pinned first (above),
 * then `docker.sshOpts`; nothing is read from the runner's known_hosts. Other engines take `docker.sshOpts` as is.
 */
export function dockerSshOptions(settings: Pick<Settings, "docker" | "ssh">): string[] {
  const remote = remoteHostOf(settings);
  if (!settings.docker.host.startsWith("ssh://") || !remote?.hostKey) return [...settings.docker.sshOpts];
  return pinnedDockerSshOptions(remote.hostKey, settings.docker.sshOpts);
}

/** `docker.sshOpts` after the options that pin `hostKey` (the monitoring host's, or a further host's). */
export function pinnedDockerSshOptions(hostKey: string, sshOpts: readonly string[]): string[] {
  return [...pinnedHostKeySshOptions(hostKey), ...sshOpts];
}

/** The `ssh://` engine address of a further host (user, SSH host, port). */
export function furtherHostEngine(host: HostSettings): string {
  return `ssh://${host.ssh.user}@${host.ssh.host ?? host.address}:${host.ssh.port}`;
}
