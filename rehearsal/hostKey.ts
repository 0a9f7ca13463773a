/**
 * How the rehearsal pins its host key: the stack's `ssh.hostKey` setting (docs/operator/deploying.md "Prepare the VPS":
 * `ssh-keyscan`), which the program puts in every remote connection's `hostKey`. The rehearsal then connects with
 * that key as the only known key for the connection's host name, so a program that dropped it would fail here.
 */
import type { Override } from "./config";

export function hostKeyOverride(hostKey: string): Override[] {
  return [
    {
      key: "ssh.hostKey",
      value: hostKey,
      why: "the host key generated for this run's rehearsal host (the VPS's own key in the real stack)",
    },
  ];
}
