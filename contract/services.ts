/**
 * The stack's own services and the ports they listen on. A contract, not a setting: every part that reaches a
 * service (scrape jobs, data sources, logins, networks) shares these names, and the settings' lookups
 * (settings/services.ts: container names, addresses) are built on them, so the names sit below the settings.
 */
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

export const SERVICE_NAMES = Object.keys(SERVICE_PORTS) as ServiceName[];
