/**
 * The logins of contract/webAccess.ts for the e2e harness: a password per login and its bcrypt hash, so the
 * real Prometheus, Alertmanager and exporters start with the rendered `web.yml` and refuse whoever has none.
 *
 * The hash is made by the system's libcrypt (libxcrypt: `$2b$`, cost 10) through Python's `crypt` module
 * (e2e/tlsMaterial.ts): the same bcrypt Go's x/crypto/bcrypt verifies. The program itself never hashes: it takes
 * `RandomPassword.bcryptHash` from @pulumi/random.
 */
import { WEB_LOGINS, webHashName, webPasswordName, type WebCaller, type WebServer } from "../contract/webAccess";
import type { Secrets } from "../settings";
import { bcryptHash } from "./tlsMaterial";

export { bcryptHash };

/** The e2e password of a login: fixed, so tests can sign in as any caller. */
export function e2ePassword(server: WebServer, user: WebCaller): string {
  return `e2e${server}${user}`.replace(/[^A-Za-z0-9]/g, "");
}

/** Every login's password and hash, as the secrets map the renderers read. */
export function e2eLoginSecrets(): Secrets<string> {
  const secrets: Secrets<string> = {};
  for (const login of WEB_LOGINS) {
    const password = e2ePassword(login.server, login.user);
    secrets[webPasswordName(login.server, login.user)] = password;
    if (login.server !== "grafana") secrets[webHashName(login.server, login.user)] = bcryptHash(password);
  }
  return secrets;
}

/** `Authorization: Basic ...` of a login. */
export function basicAuthorization(server: WebServer, user: WebCaller, password = e2ePassword(server, user)): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}

/** A server of the harness and the header its caller signs in with. */
export interface Endpoint {
  readonly url: string;
  readonly authorization?: string;
}
