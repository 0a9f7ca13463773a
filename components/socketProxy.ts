/**
 * The Docker socket proxy: the one container of the stack that holds the engine's socket, answering Alloy alone
 * and only the read calls Alloy makes. Nothing in the stack can create, start, exec into or change a container.
 * What it lets through, and to whom: its flags (logs/socketProxy.ts).
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { dockerUser } from "../contract/serviceUsers";
import { imageOf, SOCKET_PROXY_PORT, socketProxyName, type Settings } from "../settings";
import { socketProxyFlags } from "../logs/socketProxy";
import { serviceContainer } from "./container";
import type { DockerHost } from "./dockerHost";

export interface SocketProxyArgs {
  /** The stack settings it reads: `alloy.dockerSocket`, `socketProxy`, `docker`, `namePrefix`. */
  readonly settings: Pick<Settings, "alloy" | "socketProxy" | "docker" | "namePrefix">;
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
        // The socket file read-only; what may be asked through it is the allowlist (logs/socketProxy.ts).
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
