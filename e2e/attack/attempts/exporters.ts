/** The exporters and CrowdSec's metrics: what the host and the database say about themselves. */
import { nameOf, netnsOfService } from "../context";
import { probe, url } from "../probe";
import { type Attempt } from "./types";
import { applicationAttempt, crowdsecAddress, reachableFrom, scrapedUp } from "./common";

export const EXPORTERS_ATTEMPTS: readonly Attempt[] = [
  applicationAttempt({
    id: "pg-exporter-metrics",
    title: "read the database's metrics from the PostgreSQL exporter (GET /metrics)",
    service: "postgresExporter",
    request: (base) => ({ url: `${base}/metrics` }),
    harness: (ctx) => scrapedUp(ctx, "postgresql"),
  }),
  applicationAttempt({
    id: "pg-exporter-probe",
    title: "make the PostgreSQL exporter connect where the attacker says (GET /probe?target=, multi-target)",
    service: "postgresExporter",
    request: (base, ctx) => ({
      url: `${base}/probe?target=${encodeURIComponent(ctx.settings.targets.postgres.address)}`,
    }),
    harness: (ctx) => scrapedUp(ctx, "postgresql"),
  }),
  applicationAttempt({
    id: "node-exporter",
    title: "read the host's metrics from the node exporter (GET /metrics on its listen address)",
    service: "nodeExporter",
    request: (base) => ({ url: `${base}/metrics` }),
    harness: (ctx) => scrapedUp(ctx, "node"),
  }),
  {
    id: "crowdsec-metrics",
    title: "read CrowdSec's metrics (decisions, parsed lines) on its listen address",
    from: "the application's network",
    mode: "network",
    phase: 1,
    async run(ctx) {
      const address = crowdsecAddress(ctx);
      const result = await probe(ctx.lab.applicationNetns, [address.host], (host) => ({
        url: url(host, address.port, "/metrics"),
      }));
      return {
        succeeded: result.succeeded,
        detail: `${address.host}:${address.port}/metrics: ${result.detail.replace(/^[^:]+: /, "")} (a listener on CrowdSec's rendered address stands in for it: CrowdSec runs on the host, not here)`,
        harness: await reachableFrom(
          netnsOfService(ctx, "prometheus"),
          nameOf(ctx, "prometheus"),
          address.host,
          address.port,
        ),
      };
    },
  },
];
