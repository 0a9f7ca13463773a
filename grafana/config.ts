/**
 * Grafana's own configuration as pure functions of the settings: the URLs it is known by, its environment
 * (`GF_*` variables: no grafana.ini to template), and the Traefik labels that publish it on a domain.
 */
import { containerName, networkName, SERVICE_PORTS, type Settings } from "../settings";
import { grafanaSettingsIssues } from "../settings/grafana";
import { GRAFANA_METRICS_PASSWORD } from "../webauth/paths";
import { GRAFANA_PATHS } from "./paths";

export { GRAFANA_PATHS } from "./paths";

/** What Grafana's URLs and environment read of the settings. */
export type GrafanaLocator = Pick<Settings, "grafana" | "alerts" | "docker">;

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

/** Throws the first problem `grafanaSettingsIssues` finds (the settings parse reports them all, earlier). */
function assertGrafanaSettings(settings: GrafanaLocator): void {
  const [issue] = grafanaSettingsIssues(settings);
  if (issue) throw new Error(`koprogo-observability:${issue.path.join(".")}: ${issue.message}`);
}

/**
 * The URL Grafana builds its own links with (`root_url`): `grafana.rootUrl`, else `https://<domain>/`, else
 * `alerts.grafanaUrl` (the link notifications carry, so both open the same Grafana).
 */
export function grafanaRootUrl(settings: GrafanaLocator): string {
  assertGrafanaSettings(settings);
  const { rootUrl, domain } = settings.grafana;
  return `${withoutTrailingSlash(rootUrl ?? (domain ? `https://${domain}` : settings.alerts.grafanaUrl))}/`;
}

/**
 * The URL at which the machine running `pulumi up` reaches Grafana's API (the Grafana provider's `url`):
 * `grafana.apiUrl`, else the domain through Traefik, else the loopback port of a local engine. A remote engine
 * without a domain has no address this machine can know: the settings require `grafana.apiUrl` then.
 */
export function grafanaApiUrl(settings: GrafanaLocator): string {
  assertGrafanaSettings(settings);
  const { apiUrl, domain, hostPort } = settings.grafana;
  if (apiUrl) return withoutTrailingSlash(apiUrl);
  if (domain) return `https://${domain}`;
  const host = settings.docker.bindAddress.includes(":")
    ? `[${settings.docker.bindAddress}]`
    : settings.docker.bindAddress;
  return `http://${host}:${hostPort}`;
}

/** The `GF_*` environment: no anonymous access, no sign-up, no phoning home, the admin password from a file. */
export function grafanaEnvironment(settings: GrafanaLocator): string[] {
  const rootUrl = grafanaRootUrl(settings);
  const env: Record<string, string> = {
    GF_SERVER_HTTP_PORT: String(SERVICE_PORTS.grafana),
    GF_SERVER_ROOT_URL: rootUrl,
    // The admin login; a generated one is added by the component (components/grafana.ts) when this is unset.
    ...(settings.grafana.adminUser ? { GF_SECURITY_ADMIN_USER: settings.grafana.adminUser } : {}),
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
    // `/metrics` for the `grafana` scrape job, behind basic auth: Traefik shares a network with Grafana, and its
    // metrics must not be readable from there. The Traefik router also leaves /metrics out.
    GF_METRICS_ENABLED: "true",
    GF_METRICS_BASIC_AUTH_USERNAME: "prometheus",
    GF_METRICS_BASIC_AUTH_PASSWORD__FILE: GRAFANA_METRICS_PASSWORD.inContainer,
  };
  return Object.entries(env).map(([key, value]) => `${key}=${value}`);
}

/**
 * Docker labels that let the application's Traefik route `https://<domain>` to Grafana, or none without a
 * domain. The router is named after the container, so two stacks on one Traefik do not collide.
 */
export function grafanaTraefikLabels(
  settings: Pick<Settings, "grafana" | "docker" | "namePrefix">,
): Record<string, string> {
  const { domain, traefik } = settings.grafana;
  if (!domain) return {};
  const router = containerName(settings, "grafana");
  return {
    "traefik.enable": "true",
    // The hop that carries Grafana's logins in clear: on the stack's bridge of Grafana and Traefik only.
    "traefik.docker.network": networkName(settings, "grafanaIngress"),
    // `/metrics` is not routed at all: it is for Prometheus on the monitoring network, never for the internet.
    [`traefik.http.routers.${router}.rule`]: `Host(\`${domain}\`) && !PathPrefix(\`/metrics\`)`,
    [`traefik.http.routers.${router}.entrypoints`]: traefik.entrypoint,
    [`traefik.http.routers.${router}.tls`]: "true",
    [`traefik.http.routers.${router}.tls.certresolver`]: traefik.certResolver,
    [`traefik.http.routers.${router}.service`]: router,
    [`traefik.http.services.${router}.loadbalancer.server.port`]: String(SERVICE_PORTS.grafana),
  };
}
