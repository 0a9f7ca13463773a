/**
 * The Docker socket proxy: the one container of the stack that holds the engine's socket, answering Alloy alone
 * and only the read calls Alloy makes. Nothing in the stack can create, start, exec into or change a container.
 *
 * wollomatic/socket-proxy (settings/images.ts) checks, per request: the client's address against `-allowfrom`
 * (a host name is resolved at each request: Alloy's container name, on the `dockerApi` network only), then the
 * method against its `-allow<METHOD>` list (a method without one gets 405), then the URL path against that RE2
 * regex, anchored with `^...$` by the proxy (403 otherwise). The query string is not part of the match.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { dockerUser } from "../contract/serviceUsers";
import { containerName, imageOf, SOCKET_PROXY_PORT, socketProxyName, type Settings } from "../settings";
import { serviceContainer } from "./container";
import type { DockerHost } from "./dockerHost";

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
export function socketProxyFlags(settings: Settings): string[] {
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

export interface SocketProxyArgs {
  /** The stack settings (`alloy.dockerSocket`, `socketProxy`, `namePrefix`). */
  readonly settings: Settings;
  /** Engine, networks and host access. */
  readonly host: DockerHost;
}

export class SocketProxy extends pulumi.ComponentResource {
  readonly container: docker.Container;
  /** `tcp://host:port` Alloy's Docker client uses. */
  readonly endpoint: string;

  constructor(name: string, args: SocketProxyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("koprogo:observability:SocketProxy", name, {}, opts);
    const { settings, host } = args;
    const container = socketProxyName(settings);
    this.container = serviceContainer(
      name,
      {
        name: container,
        image: imageOf(settings, "socketProxy"),
        memory: settings.socketProxy.memory,
        command: socketProxyFlags(settings),
        bindAddress: settings.docker.bindAddress,
        networks: host.networksFor("socketProxy"),
        // The socket file read-only; what may be asked through it is the allowlist above.
        binds: [{ hostPath: settings.alloy.dockerSocket, path: "/var/run/docker.sock", readOnly: true }],
        healthcheck: ["CMD", "/healthcheck"],
        // Root only to open the root:docker socket (the docker group's id differs per host); no capability at all.
        user: dockerUser("socketProxy"),
        capDrop: ["ALL"],
        readOnly: true,
      },
      { parent: this, provider: host.provider },
    );
    this.endpoint = `tcp://${container}:${SOCKET_PROXY_PORT}`;
    this.registerOutputs({ endpoint: this.endpoint });
  }
}
