/**
 * The login files: each server's `web.yml` (exporter-toolkit: bcrypt hashes of its callers' passwords, checked on
 * every endpoint) and each caller's password file. All are secret files: written 0400 for their one reader.
 *
 * exporter-toolkit 0.14 (Prometheus 3.5, Alertmanager 0.28, node exporter 1.9, postgres exporter 0.17) reads
 * `basic_auth_users: {user: bcrypt}` and answers 401 to a request without a matching login, on every path; it
 * re-reads the file on each request, so a new hash needs no restart.
 */
import {
  loginsOf,
  WEB_CONFIG_SERVERS,
  WEB_LOGINS,
  webHashName,
  webPasswordName,
  type WebConfigServer,
} from "../contract/webAccess";
import type { FileRenderer, RenderedFile } from "../render/types";
import { toYaml } from "../render/yaml";
import type { Secrets } from "../settings";
import { GRAFANA_METRICS_PASSWORD, passwordFile, passwordReader, webConfigFile } from "./paths";

/** A bcrypt hash as Go's bcrypt reads it (`$2a$`, `$2b$` or `$2y$`, cost, 53 characters of salt and hash). */
export const BCRYPT = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;

/** The `web.yml` of a server: one user per caller of contract/webAccess.ts. Throws on a value that is no bcrypt hash. */
export function webConfig(
  server: WebConfigServer,
  secrets: Secrets<string>,
): { basic_auth_users: Record<string, string> } {
  const users: Record<string, string> = {};
  for (const login of loginsOf(server)) {
    const name = webHashName(server, login.user);
    const hash = secrets[name] ?? "";
    if (!BCRYPT.test(hash))
      throw new Error(
        `secret ${name} must be a bcrypt hash ($2b$...), got ${hash === "" ? "nothing" : "another value"}`,
      );
    users[login.user] = hash;
  }
  return { basic_auth_users: users };
}

export const renderWebAuthFiles: FileRenderer = (_settings, secrets) => {
  const webConfigs: RenderedFile[] = WEB_CONFIG_SERVERS.map((server) => ({
    path: webConfigFile(server).rendered,
    content: toYaml(webConfig(server, secrets)),
    secret: true,
  }));
  const passwords: RenderedFile[] = WEB_LOGINS.filter((login) => passwordReader(login) !== undefined).map((login) => ({
    path: passwordFile(login.server, login.user).rendered,
    content: secrets[webPasswordName(login.server, login.user)] ?? "",
    secret: true,
  }));
  // Grafana compares its `/metrics` password itself: it reads the plain password (GF_METRICS_BASIC_AUTH_PASSWORD__FILE).
  const grafanaMetrics: RenderedFile = {
    path: GRAFANA_METRICS_PASSWORD.rendered,
    content: secrets[webPasswordName("grafana", "prometheus")] ?? "",
    secret: true,
  };
  return [...webConfigs, ...passwords, grafanaMetrics];
};
