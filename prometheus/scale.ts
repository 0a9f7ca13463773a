/**
 * The parts of `prometheus.yml` that grow with the stack: the node exporters of the further hosts (TLS + basic
 * auth), every Alertmanager of the cluster, `remote_write` to a long-term store, and the replica label.
 */
import { JOBS } from "../contract/jobs";
import { NODE_METRIC_RELABEL } from "../exporters/relabel";
import { basicAuthTo } from "./scrapeJobs";
import { SERVICE_PORTS, serviceAddress, type Settings } from "../settings";
import { REMOTE_NODE_EXPORTER_PORT, type RemoteWriteSettings } from "../settings/scale";
import { monitoringHostName } from "../settings/hosts";

/** Secret and CA files of these jobs, relative to prometheus.yml (as the other secret files). */
export const SCALE_PROMETHEUS_FILES = {
  hostsCa: "secrets/hosts-ca.crt",
  remoteWritePassword: "secrets/remote-write-password",
} as const;

/**
 * One job for the node exporters of every further host. Its series carry `job="node"` like the monitoring host's
 * (alerts and dashboards select that), `instance` = the host's name, `role` and the host's labels. TLS is
 * verified against the stack's CA; each host's certificate names its address.
 */
export function furtherHostsNodeJob(settings: Pick<Settings, "hosts">) {
  if (settings.hosts.length === 0) return undefined;
  return {
    job_name: `${JOBS.node}-hosts`,
    scheme: "https",
    tls_config: { ca_file: SCALE_PROMETHEUS_FILES.hostsCa, min_version: "TLS12" },
    // The node exporter's own login for Prometheus (contract/webAccess.ts), the same as on the monitoring host.
    basic_auth: basicAuthTo("nodeExporter"),
    static_configs: settings.hosts.map((host) => ({
      targets: [`${host.address}:${REMOTE_NODE_EXPORTER_PORT}`],
      labels: { instance: host.name, role: host.role, ...host.labels },
    })),
    // The contract's job name: `up{job="node"}`, DiskFull and the System Health dashboard see every host alike.
    relabel_configs: [{ target_label: "job", replacement: JOBS.node }],
    metric_relabel_configs: NODE_METRIC_RELABEL,
  };
}

/** Alertmanager addresses Prometheus sends to: every peer of the cluster (never a load balancer), or the one. */
export function alertmanagerTargets(settings: Settings): string[] {
  const cluster = settings.alertmanager.cluster;
  if (!cluster) return [serviceAddress(settings, "alertmanager")];
  return cluster.peers.map((peer) => {
    if (peer === monitoringHostName(settings)) return serviceAddress(settings, "alertmanager");
    const host = settings.hosts.find((h) => h.name === peer);
    // The settings refuse unknown peers; this is the last guard for a caller that bypassed them.
    if (!host) throw new Error(`alertmanager.cluster.peers: ${JSON.stringify(peer)} is not a host of the stack`);
    return `${host.address}:${SERVICE_PORTS.alertmanager}`;
  });
}

/** The label that tells replicas apart, per store: Mimir's HA tracker reads `__replica__`; VictoriaMetrics and Thanos deduplicate on `replica`. */
export function replicaLabelName(remoteWrite: RemoteWriteSettings | undefined): string {
  return remoteWrite?.kind === "mimir" ? "__replica__" : "replica";
}

/** External labels added to the stack's own (`environment`): the replica name, and Mimir's `cluster`. */
export function scaleExternalLabels(settings: Settings): Record<string, string> {
  const { replica, remoteWrite } = settings.prometheus;
  const labels: Record<string, string> = {};
  if (replica) labels[replicaLabelName(remoteWrite)] = replica;
  if (remoteWrite?.kind === "mimir") labels.cluster = settings.environment;
  return labels;
}

/** The path each store writes at, for the `url` check in the settings and the docs. */
export const REMOTE_WRITE_PATHS = {
  victoriametrics: "/api/v1/write",
  mimir: "/api/v1/push",
  thanos: "/api/v1/receive",
} as const;

/**
 * `remote_write`, or undefined. Queue sized for a 2-core, 2 GB host (settings `prometheus.remoteWrite.queue`);
 * retries back off up to 5 s. Behaviour relied on (Prometheus 3.5 remote write): samples are read from the WAL,
 * so while the store is down they wait in the WAL (kept at least 2 h) and are sent when it is back; a 5xx or a
 * connection error is retried, a 4xx other than 429 drops the batch.
 */
export function remoteWriteConfig(settings: Settings) {
  const rw = settings.prometheus.remoteWrite;
  if (!rw) return undefined;
  return [
    {
      name: rw.kind,
      url: rw.url,
      ...(rw.username
        ? { basic_auth: { username: rw.username, password_file: SCALE_PROMETHEUS_FILES.remoteWritePassword } }
        : {}),
      ...(rw.tenant ? { headers: { "X-Scope-OrgID": rw.tenant } } : {}),
      queue_config: {
        capacity: rw.queue.capacity,
        max_shards: rw.queue.maxShards,
        min_shards: 1,
        max_samples_per_send: rw.queue.maxSamplesPerSend,
        batch_send_deadline: "5s",
        min_backoff: "100ms",
        max_backoff: "5s",
        // Retry 429s (a store shedding load) instead of dropping those samples.
        retry_on_http_429: true,
      },
      metadata_config: { send: true, send_interval: "1m" },
    },
  ];
}
