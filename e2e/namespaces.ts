/**
 * Hosts made as network namespaces for the e2e lanes: a bridge in the test's own namespace and one namespace per
 * simulated host, each with a veth on the bridge and an address of the test's subnet. Everything is created by
 * the test and removed by `remove()` (afterAll), also after a failure; names carry a prefix and the test's pid so
 * two runs never collide.
 */
import { execFileSync } from "child_process";

export interface NamespaceHost {
  readonly name: string;
  readonly netns: string;
  readonly address: string;
}

export interface HostNetwork {
  /** The bridge address: the monitoring host's side (Prometheus, receivers, one Alertmanager peer). */
  readonly gateway: string;
  readonly hosts: readonly NamespaceHost[];
  /** `ip netns exec <netns>` prefix for a command run on a host. */
  exec(host: NamespaceHost, command: string, args: readonly string[]): { command: string; args: string[] };
  remove(): void;
}

function ip(...args: string[]): void {
  execFileSync("ip", args, { stdio: ["ignore", "ignore", "pipe"] });
}

/**
 * @param prefix short name prefix (≤ 5 characters: interface names are at most 15)
 * @param subnet the first three octets of a /24 that only this test uses, e.g. `10.240.7`
 */
export function createHostNetwork(prefix: string, subnet: string, names: readonly string[]): HostNetwork {
  const tag = `${prefix}${process.pid % 10000}`;
  const bridge = `${tag}br`;
  const gateway = `${subnet}.1`;
  const hosts = names.map((name, i) => ({ name, netns: `${tag}-${name}`, address: `${subnet}.${11 + i}` }));
  const remove = () => {
    for (const host of hosts) {
      try {
        ip("netns", "del", host.netns);
      } catch {
        // Not created, or gone already.
      }
    }
    try {
      ip("link", "del", bridge);
    } catch {
      // Not created.
    }
  };
  try {
    ip("link", "add", bridge, "type", "bridge");
    ip("addr", "add", `${gateway}/24`, "dev", bridge);
    ip("link", "set", bridge, "up");
    hosts.forEach((host, i) => {
      const outside = `${tag}v${i}`;
      ip("netns", "add", host.netns);
      ip("link", "add", outside, "type", "veth", "peer", "name", "eth0", "netns", host.netns);
      ip("link", "set", outside, "master", bridge);
      ip("link", "set", outside, "up");
      ip("-n", host.netns, "addr", "add", `${host.address}/24`, "dev", "eth0");
      ip("-n", host.netns, "link", "set", "eth0", "up");
      ip("-n", host.netns, "link", "set", "lo", "up");
    });
  } catch (error) {
    remove();
    throw error;
  }
  return {
    gateway,
    hosts,
    exec: (host, command, args) => ({ command: "ip", args: ["netns", "exec", host.netns, command, ...args] }),
    remove,
  };
}
