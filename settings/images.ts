/**
 * Every container image the program runs, pinned to an exact version. This is the one place the versions live:
 * Renovate's regex manager reads this file, and the settings schema only lets a stack override a whole reference.
 */
export const IMAGES = {
  prometheus: "prom/prometheus:v3.5.0",
  alertmanager: "prom/alertmanager:v0.28.1",
  nodeExporter: "prom/node-exporter:v1.9.1",
  postgresExporter: "quay.io/prometheuscommunity/postgres-exporter:v0.17.1",
  loki: "grafana/loki:3.5.3",
  alloy: "grafana/alloy:v1.10.2",
  grafana: "grafana/grafana:12.1.1",
  // Probes from the VPS of what users reach (the API's health through Traefik and TLS, Grafana, certificate expiry).
  blackboxExporter: "prom/blackbox-exporter:v0.27.0",
  // Alloy's only door to the Docker API: a from-scratch Go proxy with per-method path allowlists (RE2, anchored).
  socketProxy: "wollomatic/socket-proxy:1.12.2",
  // The further hosts' log gateway (TLS, basic auth, push only, to Loki): the official image, Debian bookworm
  // based, so `auth_basic_user_file` checks bcrypt through libxcrypt's crypt(3).
  logGateway: "nginx:1.28.0",
  // The APPLICATION's Traefik, not deployed by this program (KoproGo's compose runs `traefik:latest`, v3): the lab
  // and the tests run this exact version in its place. v3.6.17 (2026-05-11) was the newest v3 when KoproGo's
  // compose was read (2026-05); 3.7's go.mod replaces a sub-module with a local folder that no module publishes,
  // so 3.7 cannot be built from the Go module proxy (toolchain/versions.ts).
  appTraefik: "traefik:v3.6.17",
} as const;

export type ImageName = keyof typeof IMAGES;

/** A tag that names an exact version: not `latest`, not a bare major like `v3`, or a sha256 digest. */
export function isExactImageReference(ref: string): boolean {
  if (/@sha256:[a-f0-9]{64}$/.test(ref)) return true;
  const tag = /:([^/:]+)$/.exec(ref)?.[1];
  if (!tag || tag === "latest" || tag === "main" || tag === "stable") return false;
  return /^v?\d+\.\d+\.\d+([.-][0-9A-Za-z.-]+)?$/.test(tag);
}
