/**
 * Alertmanager's gossip cluster flags. Behaviour relied on (Alertmanager 0.28 `--cluster.*`): an empty
 * `--cluster.listen-address` disables clustering; with it, the peer gossips silences and the notification log
 * with every `--cluster.peer` over TCP and UDP, and a notification is sent by the first peer in the cluster order
 * while the others wait `position × --cluster.peer-timeout` and skip it once they see it in the shared log. So a
 * page goes out once, and still goes out when a peer is dead. Gossip is bound to the host's private address only.
 */
import type { Settings } from "../settings";
import { allHostNames, monitoringHostName } from "../settings/hosts";

/** What the cluster reads: its settings, the monitoring host's name (`alloy.hostLabel`) and the further hosts. */
export type ClusterSettings = Pick<Settings, "alertmanager" | "alloy" | "hosts">;

export interface PeerAddress {
  readonly name: string;
  /** Private address the peer's gossip listens on and is advertised at. */
  readonly address: string;
}

/** Every peer with its private address: the monitoring host's from `alertmanager.cluster.monitoringHostAddress`. */
export function clusterPeers(settings: ClusterSettings): PeerAddress[] {
  const cluster = settings.alertmanager.cluster;
  if (!cluster) return [];
  return cluster.peers.map((name) => {
    if (name === monitoringHostName(settings)) return { name, address: cluster.monitoringHostAddress };
    const host = settings.hosts.find((h) => h.name === name);
    if (!host)
      throw new Error(
        `alertmanager.cluster.peers: ${JSON.stringify(name)} is not one of ${allHostNames(settings).join(", ")}`,
      );
    return { name, address: host.address };
  });
}

/**
 * Flags for the peer on host `self`. `listen` is where the process binds: in a container that publishes the gossip
 * port on the private address, `0.0.0.0:<port>` inside; natively, the private address itself.
 */
export function clusterFlags(
  settings: ClusterSettings,
  self: string,
  listen: "container" | "native" = "container",
): string[] {
  const cluster = settings.alertmanager.cluster;
  if (!cluster) return ["--cluster.listen-address="];
  const peers = clusterPeers(settings);
  const me = peers.find((p) => p.name === self);
  if (!me) throw new Error(`alertmanager.cluster.peers does not name ${JSON.stringify(self)}`);
  return [
    `--cluster.listen-address=${listen === "container" ? "0.0.0.0" : me.address}:${cluster.port}`,
    `--cluster.advertise-address=${me.address}:${cluster.port}`,
    ...peers.filter((p) => p.name !== self).map((p) => `--cluster.peer=${p.address}:${cluster.port}`),
    // Each peer waits this long per position before sending what an earlier peer should have sent.
    "--cluster.peer-timeout=15s",
    // Gossip over a private network of a few hosts: the LAN profile's timings.
    "--cluster.settle-timeout=30s",
  ];
}

/** The gossip port published on the peer's private address (TCP and UDP), when clustered. */
export function alertmanagerGossipPorts(settings: ClusterSettings, peer = monitoringHostName(settings)) {
  const cluster = settings.alertmanager.cluster;
  if (!cluster) return [];
  const address = clusterPeers(settings).find((p) => p.name === peer)?.address;
  if (!address) throw new Error(`alertmanager.cluster.peers does not name ${JSON.stringify(peer)}`);
  return (["tcp", "udp"] as const).map((protocol) => ({
    internal: cluster.port,
    hostPort: cluster.port,
    ip: address,
    protocol,
  }));
}
