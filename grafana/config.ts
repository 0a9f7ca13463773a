/**
 * Grafana's own configuration as pure functions of the settings: the URLs it is known by, its environment
 * (`GF_*` variables: no grafana.ini to template), and the Traefik labels that publish it on a domain.
 */
import { containerName, SERVICE_PORTS, type Settings } from "../settings";

/** Where the admin password file is mounted inside the container (read through `GF_..._PASSWORD__FILE`). */
export const GRAFANA_PATHS = {
  data: "/var/lib/grafana",
  secretsDir: "/etc/grafana/secrets",
  adminPasswordFile: "/etc/grafana/secrets/admin-password",
} as const;

/** The uid the official image runs as: it must read the password file. */
export const GRAFANA_UID = 472;

type GrafanaLocator = Pick<Settings, "grafana" | "alerts" | "docker">;

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

function hostOf(url: string): string {
  return new URL(url).hostname;
}

/**
 * The URL Grafana builds its own links with (`root_url`): `grafana.rootUrl`, else `https://<domain>/`, else
 * `alerts.grafanaUrl`. Alert notifications link with `alerts.grafanaUrl`, so with a domain both must name it:
 * otherwise a page from Slack would open a host Grafana does not answer on.
 */
export function grafanaRootUrl(settings: GrafanaLocator): string {
  const { rootUrl, domain } = settings.grafana;
  if (domain && hostOf(settings.alerts.grafanaUrl) !== domain) {
    throw new Error(`koprogo-observability:alerts.grafanaUrl: must be on grafana.domain \`${domain}\` so alert links open this Grafana (got "${settings.alerts.grafanaUrl}")`);
  }
  if (rootUrl && domain && hostOf(rootUrl) !== domain) {
    throw new Error(`koprogo-observability:grafana.rootUrl: must be on grafana.domain \`${domain}\` (got "${rootUrl}")`);
  }
  const alertLink = new URL(settings.alerts.grafanaUrl);
  const loopbackLink = ["127.0.0.1", "localhost", "[::1]"].includes(alertLink.hostname);
  if (!domain && !rootUrl && loopbackLink && settings.grafana.hostPort !== null && Number(alertLink.port || 80) !== settings.grafana.hostPort) {
    throw new Error(`koprogo-observability:alerts.grafanaUrl: points at port ${alertLink.port || 80} on loopback, but grafana.hostPort is ${settings.grafana.hostPort} (got "${settings.alerts.grafanaUrl}")`);
  }
  const url = rootUrl ?? (domain ? `https://${domain}` : settings.alerts.grafanaUrl);
  return `${withoutTrailingSlash(url)}/`;
}

/**
 * The URL at which the machine running `pulumi up` reaches Grafana's API (the Grafana provider's `url`):
 * `grafana.apiUrl`, else the domain through Traefik, else the loopback port of a local engine. A remote engine
 * without a domain has no address this machine can know: the stack must say (an SSH tunnel, a VPN address).
 */
export function grafanaApiUrl(settings: GrafanaLocator): string {
  const { apiUrl, domain, hostPort } = settings.grafana;
  if (apiUrl) return withoutTrailingSlash(apiUrl);
  if (domain) return `https://${domain}`;
  if (!settings.docker.host.startsWith("unix://")) {
    throw new Error(
      `koprogo-observability:grafana.apiUrl: is required when the Docker engine is remote (${settings.docker.host}) and grafana.domain is not set: ` +
        "give the address this machine reaches Grafana at, e.g. http://127.0.0.1:3001 through `ssh -L 3001:127.0.0.1:3001 ...`",
    );
  }
  if (hostPort === null) {
    throw new Error("koprogo-observability:grafana.apiUrl: is required when grafana.hostPort is null: `pulumi up` has no other way to reach Grafana's API");
  }
  const host = settings.docker.bindAddress.includes(":") ? `[${settings.docker.bindAddress}]` : settings.docker.bindAddress;
  return `http://${host}:${hostPort}`;
}

/** Loopback or a private (RFC 1918 / ULA) address: a port there is not on the internet. */
export function isPrivateAddress(address: string): boolean {
  if (address === "::1" || /^127\./.test(address)) return true;
  if (/^10\./.test(address) || /^192\.168\./.test(address)) return true;
  const second = /^172\.(\d+)\./.exec(address);
  if (second && Number(second[1]) >= 16 && Number(second[1]) <= 31) return true;
  return /^f[cd][0-9a-f]{2}:/i.test(address);
}

/** Refuses a Grafana port on a public address: the login page would be served without TLS. */
export function assertGrafanaNotPublic(settings: Pick<Settings, "grafana" | "docker">): void {
  const { hostPort } = settings.grafana;
  if (hostPort !== null && !isPrivateAddress(settings.docker.bindAddress)) {
    throw new Error(
      `koprogo-observability:grafana.hostPort: would publish Grafana on the public address ${settings.docker.bindAddress} without TLS: ` +
        "set grafana.domain to publish it through Traefik, or docker.bindAddress to a loopback or private address",
    );
  }
}

/** The `GF_*` environment: no anonymous access, no sign-up, no phoning home, the admin password from a file. */
export function grafanaEnvironment(settings: Settings): string[] {
  const rootUrl = grafanaRootUrl(settings);
  const env: Record<string, string> = {
    GF_SERVER_HTTP_PORT: String(SERVICE_PORTS.grafana),
    GF_SERVER_ROOT_URL: rootUrl,
    GF_SECURITY_ADMIN_USER: settings.grafana.adminUser,
    // Read from a 0640 file, so the password is in neither `docker inspect` nor the container's arguments.
    GF_SECURITY_ADMIN_PASSWORD__FILE: GRAFANA_PATHS.adminPasswordFile,
    GF_AUTH_ANONYMOUS_ENABLED: "false",
    GF_USERS_ALLOW_SIGN_UP: "false",
    GF_USERS_ALLOW_ORG_CREATE: "false",
    // Basic auth stays on: the Grafana provider signs in with the admin login.
    GF_AUTH_BASIC_ENABLED: "true",
    GF_SECURITY_COOKIE_SECURE: String(rootUrl.startsWith("https://")),
    GF_SECURITY_COOKIE_SAMESITE: "lax",
    GF_SECURITY_DISABLE_GRAVATAR: "true",
    GF_ANALYTICS_REPORTING_ENABLED: "false",
    GF_ANALYTICS_CHECK_FOR_UPDATES: "false",
    GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES: "false",
    GF_NEWS_NEWS_FEED_ENABLED: "false",
    GF_LOG_MODE: "console",
    // `/metrics` for the `grafana` scrape job; the port is not published, Prometheus reaches it on the network.
    GF_METRICS_ENABLED: "true",
  };
  return Object.entries(env).map(([key, value]) => `${key}=${value}`);
}

/**
 * Docker labels that let the application's Traefik route `https://<domain>` to Grafana, or none without a
 * domain. The router is named after the container, so two stacks on one Traefik do not collide.
 */
export function grafanaTraefikLabels(settings: Pick<Settings, "grafana" | "docker" | "namePrefix">): Record<string, string> {
  const { domain, traefik } = settings.grafana;
  if (!domain) return {};
  const router = containerName(settings, "grafana");
  return {
    "traefik.enable": "true",
    "traefik.docker.network": traefik.network ?? settings.docker.network.name,
    [`traefik.http.routers.${router}.rule`]: `Host(\`${domain}\`)`,
    [`traefik.http.routers.${router}.entrypoints`]: traefik.entrypoint,
    [`traefik.http.routers.${router}.tls`]: "true",
    [`traefik.http.routers.${router}.tls.certresolver`]: traefik.certResolver,
    [`traefik.http.routers.${router}.service`]: router,
    [`traefik.http.services.${router}.loadbalancer.server.port`]: String(SERVICE_PORTS.grafana),
  };
}
