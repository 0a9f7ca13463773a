/**
 * The stack's own services: their container names and ports. Everything that needs to reach a service (scrape
 * jobs, Grafana data sources, Alloy's Loki endpoint) asks here, so a name or port is written once.
 */
import type { StackNetwork } from "../contract/networks";
import { SERVICE_PORTS, type ServiceName } from "../contract/services";
import type { StackService } from "../contract/serviceUsers";
import { intToIpv4, ipv4ToInt } from "./deployment";
import type { Settings } from "./schema";

// The names and ports are the contract's; re-exported so every reader of the settings finds them here too.
export { SERVICE_NAMES, SERVICE_PORTS, type ServiceName } from "../contract/services";

/** The part of the settings that says where services are. */
export type ServiceLocator = Pick<Settings, "namePrefix" | "serviceAddresses" | "nodeExporter">;

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

/** Docker name of one of the stack's networks: the application's for `app`, `<namePrefix>-<network>` otherwise. */
export function networkName(settings: Pick<Settings, "namePrefix" | "docker">, network: StackNetwork): string {
  if (network === "app") return settings.docker.network.name;
  return `${settings.namePrefix}-${network.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** Host part of the fixed addresses on the monitoring network (Docker gives the others from the start of the subnet's upper half). */
const STATIC_HOSTS: Partial<Record<StackService, number>> = { alloy: 250 };

/**
 * The fixed address of a service on the monitoring network, or none. Alloy has one so that its HTTP server
 * (UI, `/-/reload`, pprof, metrics) listens there only: not on the socket proxy's network.
 */
export function staticAddress(settings: Pick<Settings, "docker">, service: StackService): string | undefined {
  const host = STATIC_HOSTS[service];
  if (host === undefined) return undefined;
  const [network, prefix] = settings.docker.monitoringSubnet.split("/");
  // A /28 has 14 hosts: the last usable one, else the fixed host number.
  const size = 2 ** (32 - Number(prefix));
  return intToIpv4(ipv4ToInt(network) + Math.min(host, size - 2));
}

/** The Docker socket proxy Alloy reads the engine through (components/socketProxy.ts): not a scrape target, no login. */
export const SOCKET_PROXY_PORT = 2375;

/** Container name of the socket proxy, `<namePrefix>-socket-proxy`. */
export function socketProxyName(settings: Pick<Settings, "namePrefix">): string {
  return `${settings.namePrefix}-socket-proxy`;
}

/** The host's address on the monitoring network (its gateway, the subnet's first address): where host agents listen for Prometheus. */
export function monitoringGateway(settings: Pick<Settings, "docker">): string {
  const [network] = settings.docker.monitoringSubnet.split("/");
  return intToIpv4(ipv4ToInt(network) + 1);
}
