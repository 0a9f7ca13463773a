/**
 * Where each login's files live: the server's `web.yml` in its own config directory, each caller's password in
 * the caller's config directory, so every file sits with (and is owned by) its one reader.
 */
import { CONFIG_DIRS, type ConfigDir } from "../contract/configDirs";
import { loginFor, type WebCaller, type WebConfigServer, type WebLogin, type WebServer } from "../contract/webAccess";

export { CONFIG_DIRS, type ConfigDir } from "../contract/configDirs";

/** A file on the host (relative to the config root) and its path inside the reader's container. */
export interface LoginFile {
  readonly rendered: string;
  readonly inContainer: string;
  /** Relative to the reader's config directory (Prometheus resolves `password_file` against prometheus.yml's). */
  readonly relative: string;
}

function fileIn(dir: ConfigDir, relative: string): LoginFile {
  return { rendered: `${dir.host}/${relative}`, inContainer: `${dir.container}/${relative}`, relative };
}

/** The exporter-toolkit web config of a server (`--web.config.file`). */
export function webConfigFile(server: WebConfigServer): LoginFile {
  return fileIn(CONFIG_DIRS[server], "web.yml");
}

/**
 * The service that reads a login's password from a file, or none: `operator` is people (a stack output), and
 * Grafana keeps its data sources' passwords in its database (set through its API, never in a file).
 */
export function passwordReader(login: WebLogin): WebServer | undefined {
  if (login.user === "operator") return undefined;
  if (login.user === "grafana" && login.server !== "grafana") return undefined;
  return login.user as WebServer;
}

/** The file the caller reads its password for `server` from; throws when that caller has no such file. */
export function passwordFile(server: WebServer, caller: WebCaller): LoginFile {
  const login = loginFor(server, caller);
  const reader = passwordReader(login);
  if (!reader) throw new Error(`${caller} reads no password file for ${server}`);
  // Grafana's directory is already its secrets directory; the others keep passwords under `secrets/`.
  return fileIn(CONFIG_DIRS[reader], reader === "grafana" ? `web-${server}-password` : `secrets/web-${server}`);
}

/** The password Grafana's `/metrics` expects (`[metrics] basic_auth_password`), in Grafana's secrets directory. */
export const GRAFANA_METRICS_PASSWORD: LoginFile = fileIn(CONFIG_DIRS.grafana, "metrics-password");
