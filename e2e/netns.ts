/**
 * Docker's networking, rebuilt from Linux network namespaces so that real servers can be reached (or not) the way
 * containers reach each other on the VPS:
 * - a "host" namespace stands for the VPS's own network namespace; each Docker network is a bridge in it with
 *   the gateway address on the host, as Docker does (`docker0` included, which the stack's containers do not join
 *   but the node exporter and CrowdSec listen on);
 * - each container is a namespace of its own with one veth per network it joins (`eth0`, `eth1`, ...), a default
 *   route through the gateway of its first non-internal network (Docker gives none on an `internal` network),
 *   and a hosts file that resolves the names of the containers it shares a network with, and only those
 *   (Docker's embedded DNS answers per network; `ip netns exec` bind-mounts `/etc/netns/<ns>/hosts` over
 *   `/etc/hosts`, and `resolv.conf` points at a closed loopback port so no name ever leaves the test);
 * - an "outside" namespace stands for a machine on the internet, linked to the host's public interface.
 * The host forwards nothing between its interfaces (`ip_forward` is 0 in a new namespace): that is Docker's
 * isolation between networks (DOCKER-ISOLATION chains, internal networks DROP traffic to other subnets), and no
 * route from the internet into a bridge. What is left reachable is what a real VPS leaves reachable: the host's
 * own addresses on every interface (Linux accepts a packet for any local address whatever interface it came in
 * on), and each container's address from the containers on the same network.
 *
 * Everything is created under one name prefix and one /16 given by the caller; `destroy()` (and a synchronous
 * sweep on process exit) deletes the namespaces, which removes their interfaces, bridges and routes with them.
 */
import * as fs from "fs";
import * as path from "path";
import { must as sh, Namespaces, NETNS_ETC } from "./harness/namespaces";

export interface LabNetworkSpec {
  /** Docker network name (`koprogo-network`). */
  readonly name: string;
  /** Docker's `internal: true`: members get no default route through it. */
  readonly internal: boolean;
  /** A fixed `<subnet16>.N.0/24` (Docker's `ipamConfigs`); the next free /24 of the lab otherwise. */
  readonly subnet?: string;
}

export interface LabNetwork extends LabNetworkSpec {
  /** Bridge interface in the host namespace. */
  readonly bridge: string;
  /** `a.b.c.0/24`. */
  readonly subnet: string;
  /** The host's address on the bridge (Docker's gateway). */
  readonly gateway: string;
}

export interface LabContainerSpec {
  /** Container name, resolvable by the members of its networks. */
  readonly name: string;
  /** Docker network names, in the order Docker attaches them (the first non-internal one gives the default route). */
  readonly networks: readonly string[];
  /** Further names on every network it joins (Docker network aliases). */
  readonly aliases?: readonly string[];
  /** Fixed addresses by network (Docker's `ipv4Address`); the others are given in order from `.11`. */
  readonly staticAddresses?: Readonly<Record<string, string>>;
}

export interface LabContainer extends LabContainerSpec {
  readonly netns: string;
  /** Its address on each network it joins. */
  readonly addresses: Readonly<Record<string, string>>;
}

export interface NetworkLabOptions {
  /** Namespace name prefix owned by the caller (`katk`); the harness adds a tag unique to the run (pid + random). */
  readonly prefix: string;
  /** The first two octets of the caller's /16 (`10.230`). */
  readonly subnet16: string;
}

export class NetworkLab {
  readonly host: string;
  readonly outside: string;
  /** The host's public address (its interface to the outside) and the outside machine's. */
  readonly publicAddress: string;
  readonly outsideAddress: string;
  private readonly networks = new Map<string, LabNetwork>();
  private readonly containers = new Map<string, LabContainer>();
  private veths = 0;
  private readonly reserved = new Set<string>();

  /** The kernel settings of the host namespace the verdicts depend on, as set (see `pinKernelPreconditions`). */
  kernel: readonly string[] = [];

  private constructor(
    private readonly options: NetworkLabOptions,
    private readonly namespaces: Namespaces,
  ) {
    this.host = namespaces.name("host");
    this.outside = namespaces.name("outside");
    this.publicAddress = `${options.subnet16}.250.1`;
    this.outsideAddress = `${options.subnet16}.250.2`;
  }

  /**
   * Creates the host namespace with `docker0` (`<subnet16>.0.0/24`, as Docker's default bridge) and the outside
   * machine. What a killed earlier run left is swept by the harness (its ledger names the dead owner).
   */
  static create(options: NetworkLabOptions): NetworkLab {
    const lab = new NetworkLab(options, new Namespaces(options.prefix.replace(/-$/, "")));
    try {
      lab.addNamespace("host");
      lab.kernel = pinKernelPreconditions(lab.host);
      lab.createBridge("docker0", `${options.subnet16}.0.1`);
      lab.addNamespace("outside");
      lab.link(lab.host, "eth0", lab.publicAddress, lab.outside, "eth0", lab.outsideAddress);
      // The outside machine is a neighbour on the host's link (the provider's LAN): nothing stops it from routing
      // the Docker subnets through the host's public address, whatever the internet's routers would do.
      lab.namespaces.ip(lab.outside, "route", "add", `${options.subnet16}.0.0/16`, "via", lab.publicAddress);
    } catch (error) {
      lab.destroySync();
      throw error;
    }
    return lab;
  }

  /** The gateway address of `docker0` (Docker's 172.17.0.1). */
  get docker0Gateway(): string {
    return `${this.options.subnet16}.0.1`;
  }

  /** A Docker network: a bridge in the host namespace, the next /24 of the lab's /16, the gateway on the host. */
  addNetwork(spec: LabNetworkSpec): LabNetwork {
    if (this.networks.has(spec.name)) throw new Error(`network ${spec.name} declared twice`);
    const used = new Set([0, 250, ...[...this.networks.values()].map((n) => Number(n.subnet.split(".")[2]))]);
    let index: number;
    if (spec.subnet) {
      const match = new RegExp(`^${this.options.subnet16.replace(/\./g, "\\.")}\\.(\\d{1,3})\\.0/24$`).exec(
        spec.subnet,
      );
      if (!match)
        throw new Error(
          `network ${spec.name}: subnet ${spec.subnet} is not a /24 of the lab's ${this.options.subnet16}.0.0/16`,
        );
      index = Number(match[1]);
      if (used.has(index)) throw new Error(`network ${spec.name}: subnet ${spec.subnet} is taken`);
    } else {
      index = 1;
      while (used.has(index)) index++;
      if (index > 249) throw new Error("more than 248 networks");
    }
    const network: LabNetwork = {
      ...spec,
      bridge: `br${index}`,
      subnet: `${this.options.subnet16}.${index}.0/24`,
      gateway: `${this.options.subnet16}.${index}.1`,
    };
    this.createBridge(network.bridge, network.gateway);
    this.networks.set(spec.name, network);
    return network;
  }

  network(name: string): LabNetwork {
    const found = this.networks.get(name);
    if (!found) throw new Error(`no network ${name} in the lab (networks: ${[...this.networks.keys()].join(", ")})`);
    return found;
  }

  /** A container: a namespace with one veth per network. Call `writeHostsFiles()` once every container is added. */
  addContainer(spec: LabContainerSpec): LabContainer {
    if (this.containers.has(spec.name)) throw new Error(`container ${spec.name} declared twice`);
    if (!/^[a-z0-9][a-z0-9_.-]*$/i.test(spec.name))
      throw new Error(`container name ${JSON.stringify(spec.name)} is not a Docker name`);
    const netns = this.addNamespace(spec.name);
    const addresses: Record<string, string> = {};
    spec.networks.forEach((networkName, i) => {
      const network = this.network(networkName);
      const address = spec.staticAddresses?.[networkName] ?? this.nextAddress(network);
      if (!address.startsWith(`${network.subnet.split(".").slice(0, 3).join(".")}.`))
        throw new Error(`${spec.name}: address ${address} is not in ${networkName}'s ${network.subnet}`);
      const hostSide = `v${++this.veths}`;
      this.namespaces.veth({ ns: this.host, name: hostSide }, { ns: netns, name: `eth${i}`, address: `${address}/24` });
      this.namespaces.ip(this.host, "link", "set", hostSide, "master", network.bridge);
      addresses[networkName] = address;
    });
    const routed = spec.networks.map((name) => this.network(name)).find((network) => !network.internal);
    if (routed) this.namespaces.ip(netns, "route", "add", "default", "via", routed.gateway);
    const container: LabContainer = { ...spec, netns, addresses };
    this.containers.set(spec.name, container);
    return container;
  }

  /** The next address Docker would give on a network: from `.11` up, past every address taken (fixed ones too). */
  private nextAddress(network: LabNetwork): string {
    const base = network.subnet.split(".").slice(0, 3).join(".");
    const taken = new Set([...this.containers.values()].map((c) => c.addresses[network.name]));
    for (let host = 11; host < 250; host++)
      if (!taken.has(`${base}.${host}`) && !this.reserved.has(`${base}.${host}`)) return `${base}.${host}`;
    throw new Error(`no address left on ${network.name}`);
  }

  /** Fixed addresses of containers still to be added: never given to another container first. */
  reserve(addresses: readonly string[]): void {
    for (const address of addresses) this.reserved.add(address);
  }

  container(name: string): LabContainer {
    const found = this.containers.get(name);
    if (!found) throw new Error(`no container ${name} in the lab`);
    return found;
  }

  /**
   * Each container's `/etc/hosts`: itself and every container it shares a network with (names and aliases, the
   * address on the shared network), nothing else; the host and the outside machine resolve none.
   */
  writeHostsFiles(): void {
    const all = [...this.containers.values()];
    for (const netns of this.namespaces.created) {
      const self = all.find((c) => c.netns === netns);
      const lines = ["127.0.0.1 localhost"];
      for (const other of all) {
        const shared = self ? other.networks.find((n) => self.networks.includes(n)) : undefined;
        if (shared) lines.push(`${other.addresses[shared]} ${[other.name, ...(other.aliases ?? [])].join(" ")}`);
      }
      const dir = path.join(NETNS_ETC, netns);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, "hosts"), `${lines.join("\n")}\n`);
      // A resolver that answers nothing (loopback, no server): names outside the hosts file fail at once, locally.
      fs.writeFileSync(path.join(dir, "resolv.conf"), "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n");
    }
  }

  /** Stops nothing: call after every process in the namespaces has been stopped. */
  async destroy(): Promise<void> {
    this.destroySync();
  }

  /** Deletes the namespaces (their interfaces, bridges and `/etc/netns` files with them). */
  destroySync(): void {
    this.namespaces.destroy();
  }

  private addNamespace(role: string): string {
    return this.namespaces.add(role);
  }

  private createBridge(bridge: string, gateway: string): void {
    this.namespaces.bridge(this.host, bridge, `${gateway}/24`);
  }

  private link(nsA: string, ifA: string, addressA: string, nsB: string, ifB: string, addressB: string): void {
    this.namespaces.veth(
      { ns: nsA, name: ifA, address: `${addressA}/24` },
      { ns: nsB, name: ifB, address: `${addressB}/24` },
    );
  }
}

/**
 * Sets, in the lab's host namespace, the kernel settings that decide whether it forwards between its interfaces,
 * instead of inheriting them: a new namespace takes the machine's `net.ipv4.ip_forward` (kernel default
 * `net.core.devconf_inherit_init_net=0`), which is 1 on any machine where a Docker engine has run, and with
 * `br_netfilter` loaded bridged frames go through the namespace's iptables. Measured: on this kind of machine a new
 * namespace had `ip_forward=1` and `bridge-nf-call-iptables=1`, and the LAN neighbour then reached container ports
 * through the host (the attack suite's verdict depended on the machine). Pinned to what the lab models (no
 * forwarding: Docker's isolation), and reported with every run.
 */
export function pinKernelPreconditions(netns: string): string[] {
  sh("ip", ["netns", "exec", netns, "sysctl", "-qw", "net.ipv4.ip_forward=0"]);
  // /proc/sys/net/bridge exists only with br_netfilter loaded (the namespace sees the machine's modules).
  if (fs.existsSync("/proc/sys/net/bridge/bridge-nf-call-iptables")) {
    sh("ip", ["netns", "exec", netns, "sysctl", "-qw", "net.bridge.bridge-nf-call-iptables=0"]);
    return ["net.ipv4.ip_forward=0", "br_netfilter loaded, net.bridge.bridge-nf-call-iptables=0"];
  }
  return ["net.ipv4.ip_forward=0", "br_netfilter not loaded (bridged frames never reach iptables)"];
}
