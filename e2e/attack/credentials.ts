/**
 * The logins the stack gives the callers of its HTTP servers (Grafana's data sources, Prometheus's alerting and
 * scrapes, the operators through an SSH tunnel), which the harness signs in with for its own calls.
 */
import type { SecretName, Settings } from "../../settings";
import type { Credentials } from "./context";

export function harnessCredentials(_settings: Settings, _secrets: Readonly<Record<SecretName, string>>): Credentials {
  // main: no server of the stack asks for a login yet.
  return () => ({});
}
