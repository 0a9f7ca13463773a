/**
 * Who may call which HTTP server of the stack, and with which login. Every server below refuses a request
 * without one of its logins (exporter-toolkit's `--web.config.file` for Prometheus, Alertmanager and the
 * exporters; Grafana's `[metrics] basic_auth_*` for its `/metrics`), on every endpoint (`/-/healthy`, `/-/ready`,
 * `/metrics`, the APIs).
 *
 * One login per (server, caller), each with its own generated password: a password file is then owned by its one
 * reader (contract/serviceUsers.ts), and a leaked login says who leaked it. The caller is a service of the stack
 * (a scrape, a data source, a healthcheck from inside the server's own container) or `operator`: the people who
 * open Prometheus or Alertmanager through an SSH tunnel, the e2e harness and the attack suite; its password is a
 * stack output (`pulumi stack output --show-secrets`).
 */
import type { ServiceName } from "./services";

/** Servers with an exporter-toolkit web config (bcrypt hashes in `web.yml`). */
export const WEB_CONFIG_SERVERS = ["prometheus", "alertmanager", "nodeExporter", "postgresExporter"] as const;
export type WebConfigServer = (typeof WEB_CONFIG_SERVERS)[number];
/** Every server with a login; Grafana's `/metrics` takes a plain password (Grafana compares it itself). */
export type WebServer = WebConfigServer | "grafana";
export type WebCaller = ServiceName | "operator";

export interface WebLogin {
  readonly server: WebServer;
  /** The caller, also the login's user name. */
  readonly user: WebCaller;
  /** What the caller does with it: the "who may call it" column of docs/security.md. */
  readonly purpose: string;
}

export const WEB_LOGINS: readonly WebLogin[] = [
  { server: "prometheus", user: "operator", purpose: "people (SSH tunnel), the e2e harness" },
  { server: "prometheus", user: "grafana", purpose: "Grafana's Prometheus data source" },
  { server: "prometheus", user: "prometheus", purpose: "its own scrape (job prometheus) and its healthcheck" },
  { server: "alertmanager", user: "operator", purpose: "people (silences, SSH tunnel), the e2e harness" },
  { server: "alertmanager", user: "grafana", purpose: "Grafana's Alertmanager data source" },
  { server: "alertmanager", user: "prometheus", purpose: "Prometheus sending alerts and scraping job alertmanager" },
  { server: "alertmanager", user: "alertmanager", purpose: "its healthcheck" },
  { server: "nodeExporter", user: "prometheus", purpose: "scrape (job node)" },
  { server: "nodeExporter", user: "nodeExporter", purpose: "its healthcheck" },
  { server: "postgresExporter", user: "prometheus", purpose: "scrape (job postgresql)" },
  { server: "postgresExporter", user: "postgresExporter", purpose: "its healthcheck" },
  { server: "grafana", user: "prometheus", purpose: "scrape of Grafana's /metrics (job grafana)" },
];

/** Name of a login's generated password among the stack's secrets. */
export type WebPasswordName = `web.${WebServer}.${WebCaller}`;
/** Name of its bcrypt hash (what the server's `web.yml` holds). */
export type WebHashName = `${WebPasswordName}.bcrypt`;

export function webPasswordName(server: WebServer, user: WebCaller): WebPasswordName {
  return `web.${server}.${user}`;
}

export function webHashName(server: WebServer, user: WebCaller): WebHashName {
  return `${webPasswordName(server, user)}.bcrypt`;
}

export function loginsOf(server: WebServer): WebLogin[] {
  return WEB_LOGINS.filter((login) => login.server === server);
}

/** The login `caller` uses to call `server`; throws when the table gives it none (the caller may not call it). */
export function loginFor(server: WebServer, caller: WebCaller): WebLogin {
  const login = WEB_LOGINS.find((l) => l.server === server && l.user === caller);
  if (!login) throw new Error(`${caller} has no login on ${server} (contract/webAccess.ts WEB_LOGINS)`);
  return login;
}

/** Every generated password and hash name, for the secrets map. */
export const WEB_SECRET_NAMES: readonly (WebPasswordName | WebHashName)[] = WEB_LOGINS.flatMap((l) =>
  l.server === "grafana"
    ? [webPasswordName(l.server, l.user)]
    : [webPasswordName(l.server, l.user), webHashName(l.server, l.user)],
);
