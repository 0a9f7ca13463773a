/**
 * The config directory of each service that reads login files: relative to the stack's config root on the host,
 * and where its container mounts it. A contract because the logins (webauth/) and each tool's own paths
 * (prometheus/paths.ts, alertmanager/paths.ts, exporters/postgres.ts, grafana/paths.ts) must agree on it, and
 * webauth/ sits below those tools: it reads the directories here, never from the tools' folders.
 */
import type { WebServer } from "./webAccess";

/** A service's config directory: relative to the config root on the host, and where its container mounts it. */
export interface ConfigDir {
  readonly host: string;
  readonly container: string;
}

/** Services that read login files, and where. Grafana mounts only its `secrets` directory. */
export const CONFIG_DIRS = {
  prometheus: { host: "prometheus", container: "/etc/prometheus" },
  alertmanager: { host: "alertmanager", container: "/etc/alertmanager" },
  nodeExporter: { host: "node-exporter", container: "/etc/node-exporter" },
  postgresExporter: { host: "postgres-exporter", container: "/etc/postgres-exporter" },
  grafana: { host: "grafana/secrets", container: "/etc/grafana/secrets" },
} as const satisfies Readonly<Record<WebServer, ConfigDir>>;
