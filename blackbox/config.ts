/**
 * The blackbox exporter (prometheus/blackbox_exporter, settings/images.ts): its modules, its flags, and the probe
 * targets Prometheus asks it for (`blackbox-http`, `blackbox-refused`, prometheus/scrapeJobs.ts).
 *
 * Behaviour relied on (blackbox_exporter 0.28, `prober/http.go` and `config/config.go`): `GET /probe?module=M&target=URL`
 * runs module M against URL and answers `probe_success` 0 or 1, `probe_http_status_code`, and for TLS
 * `probe_ssl_earliest_cert_expiry` (Unix seconds of the first certificate of the verified chain to expire); an empty
 * `valid_status_codes` means any 2xx; the probe's deadline is the module's `timeout`, capped by Prometheus's
 * `X-Prometheus-Scrape-Timeout-Seconds` less `--timeout-offset` (0.5 s).
 */
import type { FileRenderer } from "../render/types";
import { toYaml } from "../render/yaml";
import { SERVICE_PORTS, type Settings } from "../settings";

/** Where the container reads its configuration (the host's `blackbox/` is mounted there). */
export const BLACKBOX_CONFIG_DIR = "/etc/blackbox-exporter";
export const BLACKBOX_CONFIG_FILE = `${BLACKBOX_CONFIG_DIR}/blackbox.yml`;

/** The modules: a page that must answer 2xx, and a path that must be refused. */
export const BLACKBOX_MODULES = { ok: "http_2xx", refused: "http_refused" } as const;

/** The probe's own deadline; Prometheus scrapes the probes with a longer timeout (`PROBE_SCRAPE`). */
const PROBE_TIMEOUT = "9s";
/** Probes every 30 s, not at the stack's scrape interval (3 s in prod): each one is a request through Traefik. */
export const PROBE_SCRAPE = { interval: "30s", timeout: "10s" } as const;

export function blackboxConfig(): Record<string, unknown> {
  const http = {
    // The VPS reaches its own public name over IPv4 (Docker's bridges have no IPv6 unless configured).
    preferred_ip_protocol: "ip4",
    headers: { "User-Agent": "koprogo-observability-blackbox" },
  };
  return {
    modules: {
      [BLACKBOX_MODULES.ok]: {
        prober: "http",
        timeout: PROBE_TIMEOUT,
        http: { ...http, valid_http_versions: ["HTTP/1.1", "HTTP/2.0"] },
      },
      // `/metrics` from outside: only a refusal is a success. No redirect followed: a redirect to a login page is
      // a refusal of its own kind, and following it could land on a 2xx.
      [BLACKBOX_MODULES.refused]: {
        prober: "http",
        timeout: PROBE_TIMEOUT,
        http: { ...http, valid_status_codes: [401, 403, 404], follow_redirects: false },
      },
    },
  };
}

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
  settings.blackbox.enabled ? [{ path: "blackbox/blackbox.yml", content: toYaml(blackboxConfig()) }] : [];
