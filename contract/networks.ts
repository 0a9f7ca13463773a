/**
 * Which Docker network each container of the stack joins: networks by need (docs/operator/security.md).
 *
 * - `monitoring` (internal: no route out, no published port): every service of the stack; Grafana reaches its
 *   data sources, Prometheus its targets, Alloy Loki here. No container of the application is on it.
 * - `app`: the application's network (`docker.network`, `koprogo-network` in prod). Joined only by what must reach
 *   the application's containers: Prometheus (scrapes the backend and Traefik) and the PostgreSQL exporter
 *   (connects to koprogo-postgres). Both refuse a caller without a login. Not Grafana: every login and every
 *   `pulumi up` sends Grafana's admin `Authorization: Basic` from Traefik to Grafana in clear HTTP, and on a shared
 *   bridge any application container with `CAP_NET_RAW` can ARP-spoof that hop and read it.
 * - `grafanaIngress`: a bridge of Grafana and the application's Traefik only (Traefik is connected to it by the
 *   stack, and by the application's Compose file to keep it across restarts): the hop that carries Grafana's logins.
 *   Traefik joining the monitoring network instead would put an internet-facing proxy beside Alertmanager and Loki.
 *   Not internal: it also carries Grafana's loopback-published port (`grafana.hostPort`).
 * - `egress`: a bridge of its own for Alertmanager, the one service that must reach the internet (Slack,
 *   PagerDuty, the SMS gateway, the heartbeat URL). Docker isolates bridges from each other, so nothing of the
 *   application reaches Alertmanager through it; it also carries Alertmanager's loopback-published port.
 * - `dockerApi` (internal): Alloy and the socket proxy only, so no other container can ask the proxy anything.
 * - `probes`: a bridge of the blackbox exporter alone (created only when it runs), its way out to the public URLs
 *   it probes; a bridge of its own so it shares none with Alertmanager.
 * - `logIngress`: a bridge of the log gateway alone (created only with further hosts), which carries its port
 *   published on the monitoring host's private address; the gateway reaches Loki through `monitoring`.
 * The node exporter runs in the host's network namespace (listening on the docker0 gateway address, behind a login).
 */
import type { StackService } from "./serviceUsers";

export const STACK_NETWORKS = [
  "monitoring",
  "app",
  "egress",
  "dockerApi",
  "logIngress",
  "grafanaIngress",
  "probes",
] as const;
export type StackNetwork = (typeof STACK_NETWORKS)[number];

/** Networks created `internal: true`: no gateway to the outside, no port publishing. */
export const INTERNAL_NETWORKS: readonly StackNetwork[] = ["monitoring", "dockerApi"];

export const NETWORK_MEMBERS: Readonly<Record<StackService, readonly StackNetwork[] | "host">> = {
  prometheus: ["monitoring", "app"],
  alertmanager: ["monitoring", "egress"],
  grafana: ["monitoring", "grafanaIngress"],
  loki: ["monitoring"],
  alloy: ["monitoring", "dockerApi"],
  postgresExporter: ["monitoring", "app"],
  socketProxy: ["dockerApi"],
  // The blackbox exporter probes the public URLs from the VPS, as users reach them: a way out of its own.
  blackbox: ["monitoring", "probes"],
  logGateway: ["monitoring", "logIngress"],
  nodeExporter: "host",
};

/**
 * The networks of a service for these settings: `NETWORK_MEMBERS`, plus `egress` for Loki when its chunks go to an
 * object store (`loki.storage`): the store is outside the internal monitoring network. An S3 endpoint that is a
 * container of the application's network (`koprogo-minio`) stays out of reach on purpose: Loki, which has no login,
 * would have to join that network (docs/operator/security.md).
 */
export function networksOf(
  service: StackService,
  settings: { readonly loki: { readonly storage?: unknown } },
): readonly StackNetwork[] | "host" {
  const members = NETWORK_MEMBERS[service];
  if (service === "loki" && settings.loki.storage !== undefined && members !== "host") return [...members, "egress"];
  return members;
}

/** Services on `network`. */
export function membersOf(network: StackNetwork): StackService[] {
  return (Object.entries(NETWORK_MEMBERS) as [StackService, readonly StackNetwork[] | "host"][])
    .filter(([, nets]) => nets !== "host" && nets.includes(network))
    .map(([service]) => service);
}

/** Whether a service can publish a host port: only through a network that is not internal. */
export function canPublish(service: StackService): boolean {
  const nets = NETWORK_MEMBERS[service];
  return nets !== "host" && nets.some((n) => !INTERNAL_NETWORKS.includes(n));
}
