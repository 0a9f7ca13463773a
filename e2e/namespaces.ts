/**
 * Hosts made as network namespaces for the e2e lanes and the benchmark: a bridge in the test's own namespace and one
 * namespace per simulated host, each with a veth on the bridge and an address of a /24 claimed for this run. Built on
 * the harness (harness/namespaces.ts): names unique per run, everything removed by `remove()` (afterAll), by the
 * cleanup registry on exit or a signal, and by the next run's sweep after a SIGKILL.
 */
import { Namespaces } from "./harness/namespaces";

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

/**
 * @param prefix short name prefix (≤ 5 characters: interface names are at most 15)
 * @param base16 the first two octets of the /16 this kind of test takes its /24 from, e.g. `10.240`: the bridge's
 *   address is in the machine's own namespace, so two runs at once each claim a /24 of their own
 */
export function createHostNetwork(prefix: string, base16: string, names: readonly string[]): HostNetwork {
  const namespaces = new Namespaces(prefix);
  try {
    const subnet = namespaces.claimSubnet(base16);
    const gateway = `${subnet}.1`;
    const bridge = namespaces.linkName("br");
    namespaces.bridge(undefined, bridge, `${gateway}/24`);
    const hosts = names.map((name, i) => {
      const host = { name, netns: namespaces.add(name), address: `${subnet}.${11 + i}` };
      const outside = namespaces.linkName(`v${i}`);
      namespaces.veth(
        { ns: undefined, name: outside },
        { ns: host.netns, name: "eth0", address: `${host.address}/24` },
      );
      namespaces.ip(undefined, "link", "set", outside, "master", bridge);
      return host;
    });
    return {
      gateway,
      hosts,
      exec: (host, command, args) => namespaces.exec(host.netns, command, args),
      remove: () => namespaces.destroy(),
    };
  } catch (error) {
    namespaces.destroy();
    throw error;
  }
}
