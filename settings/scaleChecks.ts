/**
 * Keys of the multi-host settings that only mean something together: peers must be hosts of the stack, a
 * further host must not reuse the monitoring host's name or address, replicas only make sense with a store.
 */
import type { Settings } from "./schema";

export interface SettingsIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

export function scaleSettingsIssues(
  settings: Pick<Settings, "hosts" | "alertmanager" | "prometheus" | "alloy" | "logGateway">,
): SettingsIssue[] {
  const issues: SettingsIssue[] = [];
  const monitoring = settings.alloy.hostLabel;
  settings.hosts.forEach((host, index) => {
    if (host.name === monitoring)
      issues.push({
        path: ["hosts", index, "name"],
        message: `must differ from the monitoring host's name ${JSON.stringify(monitoring)} (alloy.hostLabel)`,
      });
  });
  const cluster = settings.alertmanager.cluster;
  if (cluster) {
    const known = [monitoring, ...settings.hosts.map((h) => h.name)];
    cluster.peers.forEach((peer, index) => {
      if (!known.includes(peer))
        issues.push({
          path: ["alertmanager", "cluster", "peers", index],
          message: `must be the monitoring host (${monitoring}) or one of hosts[].name (got ${JSON.stringify(peer)})`,
        });
    });
    if (new Set(cluster.peers).size !== cluster.peers.length)
      issues.push({
        path: ["alertmanager", "cluster", "peers"],
        message: "must name each host once: two Alertmanagers on one host fail together",
      });
    cluster.peers.forEach((peer) => {
      const index = settings.hosts.findIndex((h) => h.name === peer);
      // The Alertmanager there binds and advertises gossip on this address: an IP, not a name.
      if (index >= 0 && !/^\d{1,3}(\.\d{1,3}){3}$/.test(settings.hosts[index].address))
        issues.push({
          path: ["hosts", index, "address"],
          message: `must be an IPv4 address: host ${peer} is an Alertmanager peer and gossips on it`,
        });
    });
    if (!cluster.peers.includes(monitoring))
      issues.push({
        path: ["alertmanager", "cluster", "peers"],
        message: `must include the monitoring host (${monitoring}): its Prometheus and Grafana reach the cluster there`,
      });
  }
  if (settings.hosts.length > 0 && !settings.logGateway.address && !cluster) {
    issues.push({
      path: ["logGateway", "address"],
      message:
        "is required with hosts (or alertmanager.cluster.monitoringHostAddress): the further hosts push their logs to the monitoring host's private address",
    });
  }
  if (settings.prometheus.replica && !settings.prometheus.remoteWrite) {
    issues.push({
      path: ["prometheus", "replica"],
      message: "needs prometheus.remoteWrite: the replica label is for a store that deduplicates",
    });
  }
  return issues;
}
