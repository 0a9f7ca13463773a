/** The command lines of Loki and Alloy, as their components run them in their containers. */
import { SERVICE_PORTS, staticAddress, type Settings } from "../settings";
import { ALLOY_PATHS, LOKI_PATHS } from "./paths";

/** Command-line flags: the generated configuration, nothing else (every setting is in the file, with its reason). */
export function lokiFlags(): string[] {
  return [`-config.file=${LOKI_PATHS.config}`];
}

/** A further host's Alloy: its HTTP server inside its container only (nobody scrapes it there yet). */
export const FURTHER_HOST_ALLOY_LISTEN = `127.0.0.1:${SERVICE_PORTS.alloy}`;

/**
 * Where Alloy's HTTP server (UI, `/-/reload`, pprof, `/metrics`) listens: its fixed address on the monitoring
 * network, where Prometheus scrapes it; not 0.0.0.0, which would answer the socket proxy's network too.
 */
export function alloyListenAddress(settings: Pick<Settings, "docker">): string {
  const address = staticAddress(settings, "alloy");
  if (!address)
    throw new Error("Alloy has no fixed address on the monitoring network (settings/services.ts STATIC_HOSTS)");
  return `${address}:${SERVICE_PORTS.alloy}`;
}

/** `alloy run` flags: listen on the monitoring network only, positions on the volume, no usage reporting. */
export function alloyFlags(settings: Pick<Settings, "docker">, listenAddress = alloyListenAddress(settings)): string[] {
  return [
    "run",
    `--server.http.listen-addr=${listenAddress}`,
    `--storage.path=${ALLOY_PATHS.data}`,
    "--disable-reporting",
    ALLOY_PATHS.config,
  ];
}
