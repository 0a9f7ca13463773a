/**
 * KoproGo's own monitoring stack, as its repository deploys it (gilmry/koprogo, snapshot of 2026-05:
 * `infrastructure/_shared/monitoring/docker-compose.monitoring.yml`, started by the Ansible role `monitoring` as
 * `{{ koprogo_dir }}/monitoring/docker-compose.yml`, so its Compose project, and the prefix of its volumes, is
 * `monitoring`). Facts of the application's repository, not settings: the preflight (host/oldMonitoring.ts) looks
 * for these containers, images, host ports and volumes before this stack starts its own.
 */

export interface OldMonitoringContainer {
  /** `container_name:` in the Compose file. */
  readonly name: string;
  /** The image without its tag, as Compose names it (Docker shows it so in `docker ps`). */
  readonly image: string;
  /** The tag the Compose file pins. */
  readonly tag: string;
  /** Host ports it publishes (`ports:` `"<host>:<container>"`, on every address: Docker's default). */
  readonly hostPorts: readonly number[];
  /** The named volume it keeps its data in (`<project>_<volume>`), if any. */
  readonly volume?: string;
  /** What it is, for messages. */
  readonly what: string;
}

export const OLD_MONITORING_CONTAINERS = [
  {
    name: "koprogo-prometheus",
    image: "prom/prometheus",
    tag: "v2.48.0",
    hostPorts: [9090],
    volume: "prometheus_data",
    what: "Prometheus 2.48",
  },
  {
    name: "koprogo-grafana",
    image: "grafana/grafana",
    tag: "10.2.2",
    hostPorts: [3001],
    volume: "grafana_data",
    what: "Grafana 10.2",
  },
  {
    name: "koprogo-loki",
    image: "grafana/loki",
    tag: "2.9.3",
    hostPorts: [3100],
    volume: "loki_data",
    what: "Loki 2.9",
  },
  { name: "koprogo-promtail", image: "grafana/promtail", tag: "2.9.3", hostPorts: [], what: "Promtail 2.9" },
  {
    name: "koprogo-alertmanager",
    image: "prom/alertmanager",
    tag: "v0.26.0",
    hostPorts: [9093],
    volume: "alertmanager_data",
    what: "Alertmanager 0.26",
  },
  {
    name: "koprogo-node-exporter",
    image: "prom/node-exporter",
    tag: "v1.7.0",
    hostPorts: [9100],
    what: "node exporter 1.7",
  },
  {
    name: "koprogo-postgres-exporter",
    image: "prometheuscommunity/postgres-exporter",
    tag: "v0.15.0",
    hostPorts: [9187],
    what: "PostgreSQL exporter 0.15",
  },
  {
    name: "koprogo-cadvisor",
    image: "gcr.io/cadvisor/cadvisor",
    tag: "v0.47.2",
    hostPorts: [8082],
    what: "cAdvisor 0.47",
  },
] as const satisfies readonly OldMonitoringContainer[];

export type OldMonitoringContainerName = (typeof OLD_MONITORING_CONTAINERS)[number]["name"];

export const OLD_MONITORING_CONTAINER_NAMES = OLD_MONITORING_CONTAINERS.map((c) => c.name) as [
  OldMonitoringContainerName,
  ...OldMonitoringContainerName[],
];

/** The Compose file the Ansible role starts, relative to the application's folder (`koprogo_dir`). */
export const OLD_MONITORING_COMPOSE_FILE = "monitoring/docker-compose.yml";
