/**
 * The logins of contract/webAccess.ts for the e2e harness: a password per login and its bcrypt hash, so the
 * real Prometheus, Alertmanager and exporters start with the rendered `web.yml` and refuse whoever has none.
 *
 * The hash is made by the system's libcrypt (libxcrypt: `$2b$`, cost 10) through Python's `crypt` module of
 * Debian's python3: the same bcrypt Go's x/crypto/bcrypt verifies. The program itself never hashes: it takes
 * `RandomPassword.bcryptHash` from @pulumi/random.
 */
import { execFileSync } from "child_process";
import { WEB_LOGINS, webHashName, webPasswordName, type WebCaller, type WebServer } from "../contract/webAccess";
import type { Secrets } from "../settings";

const PYTHON = "/usr/bin/python3";
const cache = new Map<string, string>();

/** bcrypt (`$2b$10$...`) of `password`, with a random salt. */
export function bcryptHash(password: string): string {
  const known = cache.get(password);
  if (known) return known;
  const script =
    "import crypt, sys; print(crypt.crypt(sys.stdin.read(), crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1024)))";
  const hash = execFileSync(PYTHON, ["-W", "ignore", "-c", script], { input: password, encoding: "utf8" }).trim();
  if (!/^\$2b\$10\$[./A-Za-z0-9]{53}$/.test(hash))
    throw new Error(`${PYTHON}'s crypt made no bcrypt hash (got "${hash}"): libcrypt without bcrypt?`);
  cache.set(password, hash);
  return hash;
}

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
