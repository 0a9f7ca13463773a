/** What Alloy's container is run with besides its flags (logs/flags.ts): the host paths it reads, its healthcheck. */
import type { Settings } from "../settings";
import { alloyListenAddress } from "./flags";
import { ALLOY_PATHS } from "./paths";

/** Host paths Alloy reads, all read-only. */
export function alloyHostBinds(
  settings: Pick<Settings, "alloy">,
  configRoot: string,
): { hostPath: string; path: string; readOnly: true }[] {
  return [
    { hostPath: `${configRoot}/alloy`, path: ALLOY_PATHS.configDir, readOnly: true },
    // No Docker socket: containers are listed and read through the socket proxy (components/socketProxy.ts).
    // Same path inside, so the file paths of the settings (and the persistent journal) work unchanged.
    { hostPath: ALLOY_PATHS.hostLogs, path: ALLOY_PATHS.hostLogs, readOnly: true },
    ...(settings.alloy.journal.enabled
      ? [
          { hostPath: ALLOY_PATHS.runtimeJournal, path: ALLOY_PATHS.runtimeJournal, readOnly: true as const },
          { hostPath: ALLOY_PATHS.machineId, path: ALLOY_PATHS.machineId, readOnly: true as const },
        ]
      : []),
  ];
}

/**
 * The image has no curl or wget: bash opens the TCP connection itself (to the address Alloy listens on) and
 * checks that `/-/ready` answers 200.
 */
export function alloyHealthcheck(
  settings: Pick<Settings, "docker">,
  listenAddress = alloyListenAddress(settings),
): string[] {
  const [address, port] = listenAddress.split(":");
  const request = `exec 3<>/dev/tcp/${address}/${port} && printf 'GET /-/ready HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '`;
  return ["CMD", "bash", "-c", request];
}
