/**
 * The blackbox exporter's container side: its flags, where it reads its modules (exporters/blackbox.ts writes
 * them), and the probe targets Prometheus asks it for (`blackbox-http`, `blackbox-refused`,
 * prometheus/scrapeJobs.ts). `GET /probe?module=M&target=URL` runs module M against URL (blackbox_exporter v0.27.0).
 */
import type { FileRenderer } from "../render/types";
import { blackboxYaml } from "../exporters/blackbox";
import { SERVICE_PORTS, type Settings } from "../settings";

/** Where the container reads its configuration (the host's `blackbox/` is mounted there). */
export const BLACKBOX_CONFIG_DIR = "/etc/blackbox-exporter";
export const BLACKBOX_CONFIG_FILE = `${BLACKBOX_CONFIG_DIR}/blackbox.yml`;

/** Probes every 30 s, not at the stack's scrape interval (3 s in prod): each one is a request through Traefik. */
export const PROBE_SCRAPE = { interval: "30s", timeout: "10s" } as const;

/** The exporter's flags. It listens on its container's networks (monitoring and egress), port 9115. */
export function blackboxFlags(
  configFile = BLACKBOX_CONFIG_FILE,
  listenAddress = `:${SERVICE_PORTS.blackbox}`,
): string[] {
  return [`--config.file=${configFile}`, `--web.listen-address=${listenAddress}`];
}

/** A probe target: the URL and the `probe` label the alerts select on (alerts/rules/probes.ts). */
export interface ProbeTarget {
  readonly url: string;
  readonly probe: string;
}

/** Grafana's public health URL, when Grafana is published on a domain. */
export function grafanaHealthUrl(settings: Pick<Settings, "grafana">): string | undefined {
  return settings.grafana.domain ? `https://${settings.grafana.domain}/api/health` : undefined;
}

export const renderBlackboxFiles: FileRenderer = (settings) =>
  settings.blackbox.enabled ? [{ path: "blackbox/blackbox.yml", content: blackboxYaml() }] : [];
