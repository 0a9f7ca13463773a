/**
 * The logins the stack gives the callers of its HTTP servers (contract/webAccess.ts: Grafana's data sources,
 * Prometheus's alerting and scrapes, the operators through an SSH tunnel), which the harness signs in with for
 * its own calls: the same passwords the lab's `web.yml` files hold the bcrypt hashes of.
 */
import { WEB_LOGINS, webPasswordName } from "../../contract/webAccess";
import type { Secrets } from "../../settings";
import type { Credentials } from "./context";

export function harnessCredentials(secrets: Secrets<string>): Credentials {
  return (server, caller) => {
    const login = WEB_LOGINS.find((l) => l.server === server && l.user === caller);
    // No login for this caller on this server (or a server that asks for none): the call goes without one.
    if (!login) return {};
    const password = secrets[webPasswordName(login.server, login.user)];
    if (!password)
      throw new Error(`no password for the login ${caller} on ${server} among the secrets the lab rendered with`);
    return { basicAuth: `${login.user}:${password}` };
  };
}
