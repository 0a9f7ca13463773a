/**
 * The log gateway: how a further host's Alloy reaches Loki, which listens on the internal monitoring network only
 * and has no authentication of its own (`auth_enabled: false`, docs/security.md). nginx (the official image,
 * settings/images.ts) on the monitoring host's private address terminates TLS with the hosts' certificate (the
 * gateway address is one of its SANs), checks one basic-auth login per further host, accepts `POST
 * /loki/api/v1/push` and nothing else, bounds the body, and forwards to Loki on the monitoring network.
 *
 * Behaviour relied on (nginx 1.19+, ngx_http_auth_basic_module, ngx_http_proxy_module):
 * - `auth_basic_user_file` lines are `user:hash`; a hash that is not `{PLAIN}`, `{SHA}`, `{SSHA}` or `$apr1$` goes to
 *   crypt(3): Debian's libcrypt1 (libxcrypt) verifies bcrypt `$2a$`/`$2b$`/`$2y$`. A missing or wrong login is 401.
 * - `limit_except POST { deny all; }` answers 403 to any other method (GET implies HEAD, so HEAD is refused too).
 * - A body above `client_max_body_size` is answered 413 before anything is forwarded.
 * - A plain-HTTP request on an `ssl` listener is answered 400 ("The plain HTTP request was sent to HTTPS port").
 * - `proxy_pass $variable` with no URI part passes the request URI unchanged; a host name in the variable is
 *   resolved at request time through `resolver` (Docker's embedded DNS, 127.0.0.11), so a recreated Loki
 *   container with a new address is found without reloading the gateway.
 */
import type { Secrets, Settings } from "../settings";
import { logGatewayHashName, serviceAddress } from "../settings";
import { BCRYPT } from "../webauth/files";
import { directive, renderNginx, section } from "./nginxSyntax";

/** Loki's push path: the one path the gateway forwards. */
export const LOKI_PUSH_PATH = "/loki/api/v1/push";

/** The realm browsers would show; nothing else reads it. */
const REALM = "koprogo log gateway";

/** Where the gateway's files are: rendered under `log-gateway/`, mounted at `dir` in its container. */
export const LOG_GATEWAY_FILES = {
  rendered: "log-gateway",
  config: "nginx.conf",
  users: "users",
  cert: "tls.crt",
  key: "tls.key",
} as const;

export interface LogGatewayPaths {
  /** Directory of the config, the user file and the TLS files. */
  readonly dir: string;
  /** A writable directory for the pid file and request bodies larger than the in-memory buffer. */
  readonly temp: string;
}

/** In the container: the files read-only at `/etc/nginx/gateway`; `/tmp` is the image's writable temp directory. */
export const LOG_GATEWAY_CONTAINER_PATHS: LogGatewayPaths = { dir: "/etc/nginx/gateway", temp: "/tmp" };

/** `<namePrefix>-log-gateway`, its container. */
export function logGatewayName(settings: Pick<Settings, "namePrefix">): string {
  return `${settings.namePrefix}-log-gateway`;
}

/** The monitoring host's private address the gateway is published on. Throws when the settings give none (the schema refuses that first). */
export function logGatewayAddress(settings: Pick<Settings, "logGateway" | "alertmanager">): string {
  const address = settings.logGateway.address ?? settings.alertmanager.cluster?.monitoringHostAddress;
  if (!address)
    throw new Error(
      "logGateway.address is not set (nor alertmanager.cluster.monitoringHostAddress): the further hosts have nowhere to push logs",
    );
  return address;
}

/** The URL a further host's Alloy pushes to. */
export function logGatewayPushUrl(settings: Pick<Settings, "logGateway" | "alertmanager">): string {
  return `https://${logGatewayAddress(settings)}:${settings.logGateway.port}${LOKI_PUSH_PATH}`;
}

export interface LogGatewayConfigOptions {
  /** `listen` address: `port` in the container (its networks only), `127.0.0.1:port` in a test. */
  readonly listen: string;
  readonly paths: LogGatewayPaths;
}

/** `nginx.conf` of the gateway. */
export function logGatewayConfig(settings: Settings, options: LogGatewayConfigOptions): string {
  const { dir, temp } = options.paths;
  return renderNginx([
    // In the foreground, as the container's process; errors to stderr (the container's log, shipped by Alloy).
    directive("daemon", "off"),
    directive("worker_processes", 1),
    directive("pid", `${temp}/nginx.pid`),
    directive("error_log", "stderr", "warn"),
    section("events", [], [directive("worker_connections", 256)]),
    section(
      "http",
      [],
      [
        directive("server_tokens", "off"),
        // No access log: nginx re-opens `/dev/stdout` for it, which an unprivileged uid may not do on the pipe it was
        // given (EACCES; ENXIO on a socket). The error log (stderr, kept open) says what matters: every refused
        // login (`user "x" was not found`, `password mismatch`, level error) and every body over the limit. The
        // pushes themselves show in Loki's own ingestion metrics.
        directive("access_log", "off"),
        // Every path nginx writes to under the one writable directory: it runs as its own uid, not root.
        ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((kind) =>
          directive(`${kind}_temp_path`, `${temp}/${kind}`),
        ),
        directive("resolver", "127.0.0.11", "valid=10s", "ipv6=off"),
        section(
          "server",
          [],
          [
            directive("listen", options.listen, "ssl"),
            directive("ssl_certificate", `${dir}/${LOG_GATEWAY_FILES.cert}`),
            directive("ssl_certificate_key", `${dir}/${LOG_GATEWAY_FILES.key}`),
            directive("ssl_protocols", "TLSv1.2", "TLSv1.3"),
            directive("client_max_body_size", settings.logGateway.maxBodySize),
            // A whole batch in memory up to the limit: no push is written to disk on the way to Loki.
            directive("client_body_buffer_size", settings.logGateway.maxBodySize),
            section(
              "location",
              ["=", LOKI_PUSH_PATH],
              [
                section("limit_except", ["POST"], [directive("deny", "all")]),
                directive("auth_basic", REALM),
                directive("auth_basic_user_file", `${dir}/${LOG_GATEWAY_FILES.users}`),
                directive("set", "$loki", `http://${serviceAddress(settings, "loki")}`),
                directive("proxy_pass", "$loki"),
                // Loki sees neither the login nor a tenant header a client chose (auth_enabled: false: one tenant).
                directive("proxy_set_header", "Authorization", ""),
                directive("proxy_set_header", "X-Scope-OrgID", ""),
                directive("proxy_http_version", "1.1"),
                directive("proxy_set_header", "Connection", ""),
              ],
            ),
            // Queries, deletes, the rules and status APIs: not through the gateway.
            section("location", ["/"], [directive("return", 404)]),
          ],
        ),
      ],
    ),
  ]);
}

/** The user file: one `host:bcrypt` line per further host. Throws on a hash that is no bcrypt hash. */
export function logGatewayUsers(settings: Pick<Settings, "hosts">, secrets: Secrets<string>): string {
  return settings.hosts
    .map((host) => {
      const name = logGatewayHashName(host.name);
      const hash = secrets[name] ?? "";
      if (!BCRYPT.test(hash))
        throw new Error(
          `secret ${name} must be a bcrypt hash ($2b$...), got ${hash === "" ? "nothing" : "another value"}`,
        );
      return `${host.name}:${hash}\n`;
    })
    .join("");
}
