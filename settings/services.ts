/**
 * The stack's own services: their container names and ports. Everything that needs to reach a service (scrape
 * jobs, Grafana data sources, Alloy's Loki endpoint) asks here, so a name or port is written once.
 */
import type { Settings } from "./schema";

export const SERVICE_PORTS = {
  prometheus: 9090,
  alertmanager: 9093,
  nodeExporter: 9100,
  postgresExporter: 9187,
  loki: 3100,
  alloy: 12345,
  grafana: 3000,
} as const;

export type ServiceName = keyof typeof SERVICE_PORTS;
/** The part of the settings that says where services are. */
export type ServiceLocator = Pick<Settings, "namePrefix" | "serviceAddresses" | "nodeExporter">;

export const SERVICE_NAMES = Object.keys(SERVICE_PORTS) as ServiceName[];

/** Docker container name of a service: `<namePrefix>-<service>` in kebab case, unique per stack. */
export function containerName(settings: Pick<Settings, "namePrefix">, service: ServiceName): string {
  return `${settings.namePrefix}-${service.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** `host:port` at which the other services reach a service: its container on the shared network, unless overridden. */
export function serviceAddress(settings: ServiceLocator, service: ServiceName): string {
  const override = settings.serviceAddresses[service];
  if (override) return override;
  // The node exporter shares the host's network (to see its interfaces) and listens on the Docker bridge gateway.
  if (service === "nodeExporter") return `${settings.nodeExporter.listenAddress}:${SERVICE_PORTS.nodeExporter}`;
  return `${containerName(settings, service)}:${SERVICE_PORTS[service]}`;
}

/** `http://host:port` of a service. */
export function serviceUrl(settings: ServiceLocator, service: ServiceName): string {
  return `http://${serviceAddress(settings, service)}`;
}
