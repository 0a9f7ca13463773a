/**
 * The Docker socket proxy's command line (wollomatic/socket-proxy, settings/images.ts), run by
 * components/socketProxy.ts: the one container of the stack that holds the engine's socket, answering Alloy alone
 * and only the read calls Alloy makes.
 *
 * The proxy checks, per request: the client's address against `-allowfrom` (a host name is resolved at each
 * request: Alloy's container name, on the `dockerApi` network only), then the method against its `-allow<METHOD>`
 * list (a method without one gets 405), then the URL path against that RE2 regex, anchored with `^...$` by the
 * proxy (403 otherwise). The query string is not part of the match.
 */
import { containerName, SOCKET_PROXY_PORT, type Settings } from "../settings";

/**
 * The Docker API paths Alloy 1.10 calls, as one RE2 regex (the proxy anchors it). Optional `/v1.NN` prefix: the
 * client negotiates the API version with `/_ping` first.
 * - `/_ping`: version negotiation of the Go client (HEAD, then GET);
 * - `/containers/json`: `discovery.docker` lists the containers (Prometheus's Docker SD);
 * - `/networks`: the same discovery lists networks for its `__meta_docker_network_*` labels;
 * - `/containers/<id>/json`: `loki.source.docker` inspects a container (TTY or not, log driver) before reading it.
 *   This returns the container's configuration, environment included: the proxy narrows the API to reads, and
 *   the inspection is the one read Alloy cannot do without;
 * - `/containers/<id>/logs`: the log stream itself.
 * Not allowed: `/containers/<id>/archive` and `/export` (files of a container), `/exec`, `/images`, `/info`,
 * `/events`, every POST/PUT/DELETE (create, start, kill, exec, pull...).
 */
export const SOCKET_PROXY_ALLOW_GET =
  "(/v1\\.[0-9]{1,3})?/(_ping|containers/json|networks|containers/[a-zA-Z0-9][a-zA-Z0-9_.-]*/(json|logs))";
export const SOCKET_PROXY_ALLOW_HEAD = "(/v1\\.[0-9]{1,3})?/_ping";

/** The proxy's flags: listen on its network, answer Alloy only, read-only allowlist, restart when the socket breaks. */
export function socketProxyFlags(settings: Pick<Settings, "namePrefix">): string[] {
  return [
    "-loglevel=INFO",
    // Inside its container: reachable on the dockerApi network only (internal, shared with Alloy alone).
    "-listenip=0.0.0.0",
    `-proxyport=${SOCKET_PROXY_PORT}`,
    `-allowfrom=${containerName(settings, "alloy")}`,
    `-allowGET=${SOCKET_PROXY_ALLOW_GET}`,
    `-allowHEAD=${SOCKET_PROXY_ALLOW_HEAD}`,
    // The included healthcheck binary asks 127.0.0.1:55555/health, which this flag opens (loopback only).
    "-allowhealthcheck",
    // After an engine restart the socket file is new: exit so Docker restarts the proxy on the new one.
    "-watchdoginterval=60",
    "-stoponwatchdog",
  ];
}
