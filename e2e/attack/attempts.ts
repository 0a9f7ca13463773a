/**
 * The attempts: what an attacker on the application's network (a compromised application container, or an SSRF
 * in the API: the lab's `koprogo-backend` namespace) or on the internet (the lab's outside machine) would try
 * against the monitoring plane. Each network attempt is made for real against the running lab and is paired with
 * the harness's own call on the same endpoint (or, where the endpoint is closed to everyone, the legitimate way
 * of doing the same thing), which must succeed. Where the service cannot run here, the attempt is checked on the
 * rendered configuration and the declared network membership, and says so (`mode: "config"`).
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";
import { SERVICE_PORTS, type ServiceName } from "../../settings";
import type { CurlRequest } from "./curl";
import { harnessCall, harnessQuery, nameOf, netnsOfService, renderedText, renderedYaml, type AttackContext, type HarnessCall } from "./context";
import { containerUser, declaredContainer, declaredFileWrites, type DeclaredContainer } from "./declared";
import { commandListenAddress } from "./lab";
import { hostsOf, probe, url } from "./probe";

const run = promisify(execFile);

export interface AttemptResult {
  /** The attacker got what the attempt is after. */
  readonly succeeded: boolean;
  readonly detail: string;
  /** The harness's own call on the same endpoint (or the legitimate way to the same effect). */
  readonly harness: HarnessCall;
}

export interface Attempt {
  readonly id: string;
  readonly title: string;
  /** Where the attacker stands. */
  readonly from: "the application's network" | "the internet" | "a LAN neighbour of the host" | "a container of the stack";
  /** `network`: made against the running lab; `config`: checked on the rendered files and the declared membership. */
  readonly mode: "network" | "config";
  /** Attempts run by phase: reads (1, at once), writes (2, one by one), then what would stop a service (3). */
  readonly phase: 1 | 2 | 3;
  run(ctx: AttackContext): Promise<AttemptResult>;
}

const ok = (detail: string): HarnessCall => ({ ok: true, detail });
const notOk = (detail: string): HarnessCall => ({ ok: false, detail });

/** A request from the application's namespace to every name and address of a stack service. */
async function fromApplication(ctx: AttackContext, service: ServiceName, request: (base: string) => CurlRequest): Promise<{ succeeded: boolean; detail: string }> {
  const container = declaredContainer(ctx.declared, nameOf(ctx, service));
  const port = ctx.lab.service(container.name).port;
  const hosts = container.networkMode === "host" ? [listenHostOf(container) ?? ctx.lab.net.docker0Gateway] : hostsOf(ctx.lab, container.name);
  const result = await probe(ctx.lab.applicationNetns, hosts, (host) => request(`http://${host}:${port}`));
  return { succeeded: result.succeeded, detail: result.detail };
}

function listenHostOf(container: DeclaredContainer): string | undefined {
  const flag = container.command.find((a) => /^--web\.listen-address=/.test(a));
  const value = flag?.slice(flag.indexOf("=") + 1);
  return value ? value.slice(0, value.lastIndexOf(":")) || undefined : undefined;
}

const json = (body: unknown): Pick<CurlRequest, "headers" | "body"> => ({ headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });

function silenceBody(comment: string) {
  const now = Date.now();
  return { matchers: [{ name: "alertname", value: ".+", isRegex: true, isEqual: true }], startsAt: new Date(now).toISOString(), endsAt: new Date(now + 365 * 86_400_000).toISOString(), createdBy: "attacker", comment };
}

/** Whether Prometheus still answers and still has data: the harness's check after an attempt at stopping or erasing it. */
async function prometheusStillServes(ctx: AttackContext): Promise<HarnessCall> {
  try {
    const up = await harnessQuery(ctx, "count(up == 1)");
    const series = await harnessQuery(ctx, 'count({__name__=~".+"})');
    const [targets, total] = [Number(up[0]?.value[1] ?? 0), Number(series[0]?.value[1] ?? 0)];
    return targets > 0 && total > 0 ? ok(`Prometheus still answers the harness's query: ${targets} targets up, ${total} series`) : notOk(`Prometheus answers but has ${targets} targets up, ${total} series`);
  } catch (error) {
    return notOk(`Prometheus no longer answers the harness: ${(error as Error).message}`);
  }
}

/** SIGHUP to the process, as the program's reload command (`docker kill --signal=HUP`) does; the reload time moves. */
async function reloadBySignal(ctx: AttackContext, service: "prometheus" | "alertmanager"): Promise<HarnessCall> {
  const metric = service === "prometheus" ? "prometheus_config_last_reload_success_timestamp_seconds" : "alertmanager_config_last_reload_success_timestamp_seconds";
  const read = async () => {
    const call = await harnessCall(ctx, service, { path: "/metrics" });
    const line = call.outcome?.kind === "http" ? call.outcome.body.split("\n").find((l) => l.startsWith(`${metric} `)) : undefined;
    return line ? Number(line.split(" ")[1]) : undefined;
  };
  const before = await read();
  await new Promise((resolve) => setTimeout(resolve, 1100));
  process.kill(ctx.lab.service(nameOf(ctx, service)).process.pid, "SIGHUP");
  for (let i = 0; i < 25; i++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const after = await read();
    if (before !== undefined && after !== undefined && after > before) return ok(`SIGHUP (the program's reload command) reloaded ${service}: ${metric} ${before} → ${after}, read by the harness`);
  }
  return notOk(`SIGHUP did not move ${metric} (before: ${before})`);
}

/** The `up` of a scrape job through the harness: Prometheus (the scraper) reaches and authenticates to the target. */
async function scrapedUp(ctx: AttackContext, job: string): Promise<HarnessCall> {
  const result = await harnessQuery(ctx, `up{job="${job}"}`);
  const value = result[0]?.value[1];
  return value === "1" ? ok(`Prometheus scrapes job ${job}: up == 1 (read by the harness)`) : notOk(`job ${job}: up is ${value ?? "absent"}`);
}

/** From a namespace, a plain connection to a stand-in's port: whether a legitimate client can reach the service. */
async function reachableFrom(clientNetns: string, clientName: string, target: string, port: number): Promise<HarnessCall> {
  const result = await probe(clientNetns, [target], (host) => ({ url: url(host, port, "/") }));
  return result.succeeded ? ok(`${clientName} reaches ${target}:${port} (${result.detail})`) : notOk(`${clientName} cannot reach ${target}:${port}: ${result.detail}`);
}

/** The attempts at the network level against a service the lab stands in for (no binary): who can connect. */
function standInReach(id: string, service: "loki" | "alloy" | "grafana", title: string, legitClient: ServiceName): Attempt {
  return {
    id,
    title,
    from: "the application's network",
    mode: "network",
    phase: 1,
    async run(ctx) {
      const attempt = await fromApplication(ctx, service, (base) => ({ url: `${base}/` }));
      const name = nameOf(ctx, service);
      const networks = declaredContainer(ctx.declared, name).networks.map((n) => n.name).join(", ");
      return {
        succeeded: attempt.succeeded,
        detail: `${attempt.detail} (a listener on ${name}'s port stands in for it: no binary here; ${name} is on ${networks})`,
        harness: await reachableFrom(netnsOfService(ctx, legitClient), nameOf(ctx, legitClient), name, SERVICE_PORTS[service]),
      };
    },
  };
}

export const ATTEMPTS: readonly Attempt[] = [
  // ---- Alertmanager -------------------------------------------------------------------------------------------
  {
    id: "am-silence-all",
    title: 'silence every alert (POST /api/v2/silences, alertname=~".+")',
    from: "the application's network",
    mode: "network",
    phase: 2,
    async run(ctx) {
      const attempt = await fromApplication(ctx, "alertmanager", (base) => ({ method: "POST", url: `${base}/api/v2/silences`, ...json(silenceBody("attack suite")) }));
      const legit = await harnessCall(ctx, "alertmanager", { method: "POST", path: "/api/v2/silences", ...json(silenceBody("harness: maintenance window")) });
      let harness = legit;
      if (legit.ok && legit.outcome?.kind === "http") {
        const { silenceID } = JSON.parse(legit.outcome.body) as { silenceID: string };
        const expire = await harnessCall(ctx, "alertmanager", { method: "DELETE", path: `/api/v2/silence/${silenceID}` });
        harness = { ok: expire.ok, detail: `${legit.detail}, then DELETE of that silence: ${expire.detail.split(": ").pop()}` };
      }
      return { ...attempt, harness };
    },
  },
  {
    id: "am-fake-alert",
    title: "page the on-call with a fake critical alert (POST /api/v2/alerts)",
    from: "the application's network",
    mode: "network",
    phase: 2,
    async run(ctx) {
      const fake = [{ labels: { alertname: "ApiDown", severity: "critical", job: "koprogo-api" }, annotations: { summary: "fake" } }];
      const attempt = await fromApplication(ctx, "alertmanager", (base) => ({ method: "POST", url: `${base}/api/v2/alerts`, ...json(fake) }));
      // Prometheus is the one client that posts alerts: the same POST from its namespace, with its credentials.
      const test = [{ labels: { alertname: "AttackSuiteHarness", severity: "none" }, annotations: { summary: "the harness posts as Prometheus does" } }];
      return { ...attempt, harness: await harnessCall(ctx, "alertmanager", { method: "POST", path: "/api/v2/alerts", from: "prometheus", ...json(test) }) };
    },
  },
  {
    id: "am-read-alerts",
    title: "read the alerts and silences (GET /api/v2/alerts, /api/v2/silences)",
    from: "the application's network",
    mode: "network",
    phase: 1,
    async run(ctx) {
      const [alerts, silences] = await Promise.all([
        fromApplication(ctx, "alertmanager", (base) => ({ url: `${base}/api/v2/alerts` })),
        fromApplication(ctx, "alertmanager", (base) => ({ url: `${base}/api/v2/silences` })),
      ]);
      return { succeeded: alerts.succeeded || silences.succeeded, detail: `alerts: ${alerts.detail} | silences: ${silences.detail}`, harness: await harnessCall(ctx, "alertmanager", { path: "/api/v2/silences" }) };
    },
  },
  {
    id: "am-read-config",
    title: "read Alertmanager's configuration and receivers (GET /api/v2/status)",
    from: "the application's network",
    mode: "network",
    phase: 1,
    async run(ctx) {
      const attempt = await fromApplication(ctx, "alertmanager", (base) => ({ url: `${base}/api/v2/status` }));
      return { ...attempt, harness: await harnessCall(ctx, "alertmanager", { path: "/api/v2/status" }) };
    },
  },
  {
    id: "am-reload",
    title: "make Alertmanager reload (POST /-/reload)",
    from: "the application's network",
    mode: "network",
    phase: 2,
    async run(ctx) {
      const attempt = await fromApplication(ctx, "alertmanager", (base) => ({ method: "POST", url: `${base}/-/reload` }));
      return { ...attempt, harness: await reloadBySignal(ctx, "alertmanager") };
    },
  },
  // ---- Prometheus ---------------------------------------------------------------------------------------------
  {
    id: "prom-query",
    title: "read private metrics through Prometheus (GET /api/v1/query?query=up)",
    from: "the application's network",
    mode: "network",
    phase: 1,
    async run(ctx) {
      const attempt = await fromApplication(ctx, "prometheus", (base) => ({ url: `${base}/api/v1/query?query=up` }));
      return { ...attempt, harness: await harnessCall(ctx, "prometheus", { path: "/api/v1/query?query=up" }) };
    },
  },
  {
    id: "prom-federate",
    title: 'dump every series (GET /federate?match[]={job=~".+"})',
    from: "the application's network",
    mode: "network",
    phase: 1,
    async run(ctx) {
      const query = `/federate?${new URLSearchParams({ "match[]": '{job=~".+"}' })}`;
      const attempt = await fromApplication(ctx, "prometheus", (base) => ({ url: `${base}${query}` }));
      return { ...attempt, harness: await harnessCall(ctx, "prometheus", { path: query }) };
    },
  },
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
      return { succeeded: config.succeeded || targets.succeeded, detail: `config: ${config.detail} | targets: ${targets.detail}`, harness: await harnessCall(ctx, "prometheus", { path: "/api/v1/status/config" }) };
    },
  },
  {
    id: "prom-metrics",
    title: "read Prometheus's own metrics (GET /metrics)",
    from: "the application's network",
    mode: "network",
    phase: 1,
    async run(ctx) {
      const attempt = await fromApplication(ctx, "prometheus", (base) => ({ url: `${base}/metrics` }));
      return { ...attempt, harness: await scrapedUp(ctx, "prometheus") };
    },
  },
  {
    id: "prom-remote-write",
    title: "write fake samples into Prometheus (POST /api/v1/write)",
    from: "the application's network",
    mode: "network",
    phase: 2,
    async run(ctx) {
      const attempt = await fromApplication(ctx, "prometheus", (base) => ({ method: "POST", url: `${base}/api/v1/write`, headers: { "Content-Type": "application/x-protobuf", "Content-Encoding": "snappy", "X-Prometheus-Remote-Write-Version": "0.1.0" }, body: "" }));
      const otlp = await fromApplication(ctx, "prometheus", (base) => ({ method: "POST", url: `${base}/api/v1/otlp/v1/metrics`, headers: { "Content-Type": "application/x-protobuf" }, body: "" }));
      return { succeeded: attempt.succeeded || otlp.succeeded, detail: `remote write: ${attempt.detail} | OTLP: ${otlp.detail}`, harness: await prometheusStillServes(ctx) };
    },
  },
  {
    id: "prom-delete-series",
    title: 'erase every series (POST /api/v1/admin/tsdb/delete_series?match[]={__name__=~".+"})',
    from: "the application's network",
    mode: "network",
    phase: 2,
    async run(ctx) {
      const query = `?${new URLSearchParams({ "match[]": '{__name__=~".+"}' })}`;
      const attempt = await fromApplication(ctx, "prometheus", (base) => ({ method: "POST", url: `${base}/api/v1/admin/tsdb/delete_series${query}` }));
      const clean = await fromApplication(ctx, "prometheus", (base) => ({ method: "POST", url: `${base}/api/v1/admin/tsdb/clean_tombstones` }));
      return { succeeded: attempt.succeeded || clean.succeeded, detail: `delete_series: ${attempt.detail} | clean_tombstones: ${clean.detail}`, harness: await prometheusStillServes(ctx) };
    },
  },
  {
    id: "prom-snapshot",
    title: "fill the disk with TSDB snapshots (POST /api/v1/admin/tsdb/snapshot)",
    from: "the application's network",
    mode: "network",
    phase: 2,
    async run(ctx) {
      const attempt = await fromApplication(ctx, "prometheus", (base) => ({ method: "POST", url: `${base}/api/v1/admin/tsdb/snapshot` }));
      return { ...attempt, harness: await prometheusStillServes(ctx) };
    },
  },
  {
    id: "prom-reload",
    title: "make Prometheus reload (POST /-/reload)",
    from: "the application's network",
    mode: "network",
    phase: 2,
    async run(ctx) {
      const attempt = await fromApplication(ctx, "prometheus", (base) => ({ method: "POST", url: `${base}/-/reload` }));
      return { ...attempt, harness: await reloadBySignal(ctx, "prometheus") };
    },
  },
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
  // ---- Exporters ----------------------------------------------------------------------------------------------
  {
    id: "pg-exporter-metrics",
    title: "read the database's metrics from the PostgreSQL exporter (GET /metrics)",
    from: "the application's network",
    mode: "network",
    phase: 1,
    async run(ctx) {
      const attempt = await fromApplication(ctx, "postgresExporter", (base) => ({ url: `${base}/metrics` }));
      return { ...attempt, harness: await scrapedUp(ctx, "postgresql") };
    },
  },
  {
    id: "pg-exporter-probe",
    title: "make the PostgreSQL exporter connect where the attacker says (GET /probe?target=, multi-target)",
    from: "the application's network",
    mode: "network",
    phase: 1,
    async run(ctx) {
      const target = encodeURIComponent(ctx.settings.targets.postgres.address);
      const attempt = await fromApplication(ctx, "postgresExporter", (base) => ({ url: `${base}/probe?target=${target}` }));
      return { ...attempt, harness: await scrapedUp(ctx, "postgresql") };
    },
  },
  {
    id: "node-exporter",
    title: "read the host's metrics from the node exporter (GET /metrics on its listen address)",
    from: "the application's network",
    mode: "network",
    phase: 1,
    async run(ctx) {
      const attempt = await fromApplication(ctx, "nodeExporter", (base) => ({ url: `${base}/metrics` }));
      return { ...attempt, harness: await scrapedUp(ctx, "node") };
    },
  },
  {
    id: "crowdsec-metrics",
    title: "read CrowdSec's metrics (decisions, parsed lines) on its listen address",
    from: "the application's network",
    mode: "network",
    phase: 1,
    async run(ctx) {
      const address = crowdsecAddress(ctx);
      const result = await probe(ctx.lab.applicationNetns, [address.host], (host) => ({ url: url(host, address.port, "/metrics") }));
      return {
        succeeded: result.succeeded,
        detail: `${address.host}:${address.port}/metrics: ${result.detail.replace(/^[^:]+: /, "")} (a listener on CrowdSec's rendered address stands in for it: CrowdSec runs on the host, not here)`,
        harness: await reachableFrom(netnsOfService(ctx, "prometheus"), nameOf(ctx, "prometheus"), address.host, address.port),
      };
    },
  },
  // ---- Loki, Alloy, Grafana (no binaries here) ----------------------------------------------------------------
  standInReach("loki-port", "loki", "reach Loki's port (push, query, delete API)", "grafana"),
  {
    id: "loki-delete",
    title: 'erase logs (POST /loki/api/v1/delete?query={job="auth"})',
    from: "the application's network",
    mode: "config",
    phase: 1,
    async run(ctx) {
      const loki = renderedYaml<{ auth_enabled?: boolean; limits_config?: { deletion_mode?: string }; compactor?: { delete_request_store?: string; retention_enabled?: boolean } }>(ctx, "loki/loki.yaml");
      // Loki 3.x: deletion_mode defaults to filter-and-delete wherever the compactor has a delete request store.
      const mode = loki.limits_config?.deletion_mode ?? "filter-and-delete (default)";
      const deletes = mode !== "disabled" && loki.compactor?.delete_request_store !== undefined;
      const name = nameOf(ctx, "loki");
      const sharesApp = declaredContainer(ctx.declared, name).networks.some((n) => n.name === ctx.lab.applicationNetwork);
      return {
        succeeded: deletes && sharesApp,
        detail: `loki.yaml: limits_config.deletion_mode ${mode}, auth_enabled ${String(loki.auth_enabled ?? false)}; ${name} ${sharesApp ? "is" : "is not"} on ${ctx.lab.applicationNetwork}`,
        harness: deletes ? notOk("the delete API is on for the operators too") : ok("no client of the stack deletes logs: retention alone removes them (compactor.retention_enabled)"),
      };
    },
  },
  standInReach("alloy-port", "alloy", "reach Alloy's HTTP server (UI, pprof, POST /-/reload)", "prometheus"),
  {
    id: "alloy-bind",
    title: "Alloy's HTTP server bound where the application's containers reach it",
    from: "the application's network",
    mode: "config",
    phase: 1,
    async run(ctx) {
      const alloy = declaredContainer(ctx.declared, nameOf(ctx, "alloy"));
      const flag = alloy.command.find((a) => a.startsWith("--server.http.listen-addr=")) ?? "--server.http.listen-addr=127.0.0.1:12345 (default)";
      const bindHost = flag.slice(flag.indexOf("=") + 1).replace(/:\d+.*$/, "");
      const sharesApp = alloy.networks.some((n) => n.name === ctx.lab.applicationNetwork);
      const exposed = sharesApp && !["127.0.0.1", "localhost"].includes(bindHost);
      return { succeeded: exposed, detail: `${flag}; Alloy's networks: ${alloy.networks.map((n) => n.name).join(", ")}`, harness: await reachableFrom(netnsOfService(ctx, "prometheus"), "Prometheus (its scrape)", alloy.name, SERVICE_PORTS.alloy) };
    },
  },
  {
    id: "docker-api-reach",
    title: "reach the Docker socket proxy (docker run --privileged -v /:/host, docker inspect)",
    from: "the application's network",
    mode: "network",
    phase: 1,
    async run(ctx) {
      const proxies = socketHolders(ctx).filter((c) => ctx.lab.services.some((s) => s.container === c.name));
      if (proxies.length === 0) return { succeeded: false, detail: "no container of the stack holds the engine's socket behind a port", harness: ok("nothing to reach") };
      const results = await Promise.all(proxies.map(async (proxy) => ({ proxy, result: await probe(ctx.lab.applicationNetns, hostsOf(ctx.lab, proxy.name), (host) => ({ method: "POST", url: url(host, ctx.lab.service(proxy.name).port, "/containers/create"), ...json({ Image: "alpine", HostConfig: { Privileged: true, Binds: ["/:/host"] } }) })) })));
      const alloy = nameOf(ctx, "alloy");
      const harness = await Promise.all(proxies.map((p) => reachableFrom(netnsOfService(ctx, "alloy"), alloy, p.name, ctx.lab.service(p.name).port)));
      return {
        succeeded: results.some((r) => r.result.succeeded),
        detail: `POST /containers/create (privileged, / mounted): ${results.map((r) => (results.length > 1 ? `${r.proxy.name}: ${r.result.detail}` : r.result.detail)).join(" | ")} (a listener on the proxy's port stands in for it: no binary here)`,
        harness: harness.every((h) => h.ok) ? ok(harness.map((h) => h.detail).join("; ")) : notOk(harness.map((h) => h.detail).join("; ")),
      };
    },
  },
  {
    id: "docker-api",
    title: "use the Docker API from the stack's own containers (create, exec, archive, images) through whatever holds the socket",
    from: "a container of the stack",
    mode: "config",
    phase: 1,
    async run(ctx) {
      const problems: string[] = [];
      const notes: string[] = [];
      for (const holder of socketHolders(ctx)) {
        const env = Object.fromEntries(holder.env.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
        const flags = Object.fromEntries(holder.command.filter((a) => /^-[\w.-]+=/.test(a)).map((a) => [a.slice(a.search(/[^-]/), a.indexOf("=")), a.slice(a.indexOf("=") + 1)]));
        if (!/socket-proxy/.test(holder.image)) {
          problems.push(`${holder.name} (${holder.image}) mounts the engine's socket: the whole API`);
          continue;
        }
        // Tecnativa's and LinuxServer's proxies: sections by environment (POST=1 opens every write).
        for (const key of ["POST", "EXEC", "BUILD", "IMAGES", "SECRETS", "CONFIGS", "SWARM"]) if (env[key] === "1") problems.push(`${holder.name}: ${key}=1`);
        // wollomatic/socket-proxy: `-allow<METHOD>=<regex>`, anchored by the proxy; a method without one gets 405.
        for (const method of ["POST", "PUT", "DELETE", "PATCH"]) if (flags[`allow${method}`] !== undefined) problems.push(`${holder.name}: -allow${method}=${flags[`allow${method}`]}`);
        const get = flags.allowGET;
        if (get !== undefined) {
          const anchored = new RegExp(`^(?:${get})$`);
          const dangerous = ["/containers/abc/archive", "/containers/abc/export", "/images/json", "/info", "/events", "/secrets", "/v1.47/containers/abc/top", "/exec/abc/json"].filter((p) => anchored.test(p));
          if (dangerous.length > 0) problems.push(`${holder.name}: GET allows ${dangerous.join(", ")}`);
          const needed = ["/v1.47/containers/json", "/containers/abc/logs", "/_ping"].filter((p) => !anchored.test(p));
          if (needed.length > 0) notes.push(`GET refuses what Alloy needs: ${needed.join(", ")}`);
        }
        if (flags.allowfrom !== undefined && flags.allowfrom !== nameOf(ctx, "alloy")) problems.push(`${holder.name}: -allowfrom=${flags.allowfrom}`);
        if (holder.networks.some((n) => n.name === ctx.lab.applicationNetwork)) problems.push(`${holder.name} is on ${ctx.lab.applicationNetwork}`);
      }
      const alloyConfig = renderedText(ctx, "alloy/config.alloy");
      const dockerHost = /discovery\.docker[^{]*\{[^}]*host\s*=\s*"([^"]+)"/.exec(alloyConfig)?.[1] ?? "(none)";
      const holders = socketHolders(ctx);
      return {
        succeeded: problems.length > 0,
        detail: `${problems.length > 0 ? problems.join("; ") : `socket held only by ${holders.map((h) => `${h.name} (${h.image}): no write method, GET only ${holders.map((h) => h.command.find((a) => a.startsWith("-allowGET="))?.slice(10) ?? "(env sections)").join(", ")}, from ${nameOf(ctx, "alloy")} only`).join(", ") || "nobody"}`}`,
        harness: dockerHost !== "(none)" && notes.length === 0 ? ok(`Alloy discovers containers through ${dockerHost}, and the proxy lets its calls through (/containers/json, logs, _ping)`) : notOk(notes.join("; ") || "Alloy discovers no containers"),
      };
    },
  },
  {
    id: "grafana-anonymous",
    title: "use Grafana from the application's network without signing in",
    from: "the application's network",
    mode: "config",
    phase: 1,
    async run(ctx) {
      // Grafana must be on the application's network (the application's Traefik routes to it): what stops an
      // attacker there is its login, which only its configuration can show here.
      const reach = await fromApplication(ctx, "grafana", (base) => ({ url: `${base}/` }));
      const grafana = declaredContainer(ctx.declared, nameOf(ctx, "grafana"));
      const env = Object.fromEntries(grafana.env.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
      const open = env.GF_AUTH_ANONYMOUS_ENABLED !== "false" || env.GF_AUTH_DISABLE_LOGIN_FORM === "true" || env.GF_AUTH_PROXY_ENABLED === "true" || !env.GF_SECURITY_ADMIN_PASSWORD__FILE;
      return {
        succeeded: reach.succeeded && open,
        detail: `reach (a listener stands in for Grafana): ${reach.detail}; GF_AUTH_ANONYMOUS_ENABLED=${env.GF_AUTH_ANONYMOUS_ENABLED ?? "(default)"}, auth proxy ${env.GF_AUTH_PROXY_ENABLED ?? "off"}, admin password ${env.GF_SECURITY_ADMIN_PASSWORD__FILE ? "from a file" : "DEFAULT"}`,
        harness: await reachableFrom(netnsOfService(ctx, "prometheus"), nameOf(ctx, "prometheus"), grafana.name, SERVICE_PORTS.grafana),
      };
    },
  },
  {
    id: "grafana-metrics",
    title: "read Grafana's /metrics through the public Traefik router",
    from: "the internet",
    mode: "config",
    phase: 1,
    async run(ctx) {
      const grafana = declaredContainer(ctx.declared, nameOf(ctx, "grafana"));
      const env = Object.fromEntries(grafana.env.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
      const rules = Object.entries(grafana.labels).filter(([k]) => /^traefik\.http\.routers\.[^.]+\.rule$/.test(k)).map(([, v]) => v);
      const routed = grafana.labels["traefik.enable"] === "true" && rules.some((rule) => !/!\s*PathPrefix\(`\/metrics`\)/.test(rule));
      const metricsOn = env.GF_METRICS_ENABLED !== "false";
      const metricsAuth = Boolean(env.GF_METRICS_BASIC_AUTH_USERNAME);
      return {
        succeeded: routed && metricsOn && !metricsAuth,
        detail: `GF_METRICS_ENABLED=${env.GF_METRICS_ENABLED ?? "(default true)"}, metrics basic auth ${metricsAuth ? "set" : "unset"}; router rule${rules.length === 1 ? "" : "s"}: ${rules.join(" | ") || "(not routed)"}`,
        harness: ok("Prometheus scrapes Grafana on the internal network (job grafana), not through Traefik"),
      };
    },
  },
  // ---- Secrets and the dead man's switch ----------------------------------------------------------------------
  {
    id: "secret-uid",
    title: "read another service's secret files from a container that mounts them (the node exporter mounts the host's /)",
    from: "a container of the stack",
    mode: "network",
    phase: 1,
    async run(ctx) {
      return secretUidAttempt(ctx);
    },
  },
  {
    id: "watchdog",
    title: "silence or stop the plane and nobody notices (the dead man's switch)",
    from: "the application's network",
    mode: "config",
    phase: 1,
    async run(ctx) {
      const am = renderedYaml<{ route: { routes?: { matchers?: string[]; receiver?: string }[] }; receivers: Record<string, unknown>[] }>(ctx, "alertmanager/alertmanager.yml");
      const route = am.route.routes?.find((r) => r.matchers?.some((m) => /alertname="Watchdog"/.test(m)));
      const receiver = am.receivers.find((r) => r.name === route?.receiver);
      const delivers = receiver !== undefined && Object.keys(receiver).some((k) => k.endsWith("_configs"));
      const alerts = await harnessCall(ctx, "prometheus", { path: "/api/v1/alerts" });
      const firing = alerts.outcome?.kind === "http" && (JSON.parse(alerts.outcome.body) as { data: { alerts: { labels: Record<string, string>; state: string }[] } }).data.alerts.some((a) => a.labels.alertname === "Watchdog" && a.state === "firing");
      return {
        succeeded: !delivers,
        detail: `Watchdog route → receiver ${route?.receiver ?? "(none)"} ${delivers ? `delivers (${Object.keys(receiver!).filter((k) => k.endsWith("_configs")).join(", ")})` : "delivers nowhere"}`,
        harness: firing ? ok(`the Watchdog fires in the lab's Prometheus, whose alerting points at ${nameOf(ctx, "alertmanager")} (${alerts.detail})`) : notOk(`no firing Watchdog in Prometheus: ${alerts.detail}`),
      };
    },
  },
  // ---- From the internet --------------------------------------------------------------------------------------
  {
    id: "internet-published",
    title: "reach the published ports from the internet (host's public address)",
    from: "the internet",
    mode: "network",
    phase: 1,
    async run(ctx) {
      // Every port something of the stack listens on, and the Docker engine's own TCP port (2375) for good measure.
      const listening = ctx.declared.containers.flatMap((c) => { const bind = commandListenAddress(c.command); return bind ? [bind.port] : []; });
      const ports = [...new Set([...ctx.declared.containers.flatMap((c) => c.ports.map((p) => p.external ?? p.internal)), ...listening, ...Object.values(SERVICE_PORTS), crowdsecAddress(ctx).port, 2375])].sort((a, b) => a - b);
      const results = await Promise.all(ports.map((port) => probe(ctx.lab.net.outside, [ctx.lab.net.publicAddress], (host) => ({ url: url(host, port, "/") }))));
      const open = ports.filter((_, i) => results[i].succeeded);
      const published = ctx.declared.containers.flatMap((c) => c.ports.filter((p) => p.external !== undefined).map((p) => `${c.name} ${p.ip}:${p.external}`));
      const harness = await Promise.all(ctx.lab.published.map(async (p) => ({ p, outcome: await probe(ctx.lab.net.host, [p.ip], (host) => ({ url: url(host, p.port, "/"), ...(p.service ? ctx.credentials(p.service, "operator") : {}) })) })));
      return {
        succeeded: open.length > 0,
        detail: `${ctx.lab.net.publicAddress} ports ${ports.join(", ")}: ${open.length > 0 ? `open: ${open.join(", ")}` : "all refused"}; published: ${published.join(", ") || "none"}`,
        harness: harness.every((h) => h.outcome.succeeded)
          ? ok(`the operator's SSH tunnel end (the host's ${[...new Set(ctx.lab.published.map((p) => p.ip))].join(", ")}) reaches ${ctx.lab.published.map((p) => `${p.container.replace(/^.*?-obs-/, "")}:${p.port}`).join(", ") || "nothing"}`)
          : notOk(`published ports do not answer on the host: ${harness.map((h) => h.outcome.detail).join("; ")}`),
      };
    },
  },
  {
    id: "lan-docker-subnets",
    title: "route the Docker subnets through the host's public address and reach what listens on them",
    from: "a LAN neighbour of the host",
    mode: "network",
    phase: 1,
    async run(ctx) {
      const node = declaredContainer(ctx.declared, nameOf(ctx, "nodeExporter"));
      const targets = [
        ...ctx.lab.services.filter((s) => s.netns !== ctx.lab.net.host).flatMap((s) => Object.values(ctx.lab.labContainer(s.container).addresses).map((a) => ({ host: a, port: s.port }))),
        { host: listenHostOf(node) ?? ctx.lab.net.docker0Gateway, port: SERVICE_PORTS.nodeExporter },
        { host: crowdsecAddress(ctx).host, port: crowdsecAddress(ctx).port },
      ];
      const results = await Promise.all(targets.map((t) => probe(ctx.lab.net.outside, [t.host], (host) => ({ url: url(host, t.port, "/") }))));
      const open = targets.filter((_, i) => results[i].succeeded).map((t) => `${t.host}:${t.port}`);
      return {
        succeeded: open.length > 0,
        detail: `${targets.length} container and host-bridge addresses via ${ctx.lab.net.publicAddress}: ${open.length > 0 ? `open: ${open.join(", ")}` : "none answers"}`,
        harness: await scrapedUp(ctx, "node"),
      };
    },
  },
];

/** The containers that bind-mount the engine's socket. */
function socketHolders(ctx: AttackContext): DeclaredContainer[] {
  const sockets = new Set([ctx.settings.alloy.dockerSocket, "/var/run/docker.sock", "/run/docker.sock"]);
  return ctx.declared.containers.filter((c) => c.mounts.some((m) => m.kind === "bind" && sockets.has(m.source)));
}

function crowdsecAddress(ctx: AttackContext): { host: string; port: number } {
  const { listenAddress, port } = ctx.settings.security.crowdsec.metrics;
  return { host: listenAddress, port };
}

/**
 * The secret files as the lab holds them (the rendered files, with the owners and modes of the program's write
 * commands), each read for real, with `setpriv`, as every container that mounts it: only its owner may read it,
 * and no other container that sees it may run as the owner's uid (the node exporter mounts the host's `/`).
 */
async function secretUidAttempt(ctx: AttackContext): Promise<AttemptResult> {
  const root = `${ctx.lab.configRoot}/`;
  const writes = declaredFileWrites(ctx.declared).filter((w) => w.mode !== "0644" && w.target.startsWith(root));
  const leaks: string[] = [];
  const refusals: string[] = [];
  const ownerFails: string[] = [];
  const tried: string[] = [];
  /** Written by the program from a generated value (no rendered counterpart): checked on the others. */
  const notRendered: string[] = [];
  const readAs = (file: string, uid: number, gid: number) => run("setpriv", [`--reuid=${uid}`, `--regid=${gid}`, "--clear-groups", "cat", file]).then(() => true, () => false);
  for (const write of writes) {
    const relative = write.target.slice(root.length);
    const file = path.join(ctx.renderDir, relative);
    if (!fs.existsSync(file)) {
      notRendered.push(relative);
      continue;
    }
    const ownerUid = write.owner ?? 0;
    tried.push(relative);
    if (!(await readAs(file, ownerUid, ownerUid))) ownerFails.push(`${relative} (uid ${ownerUid})`);
    // Who can see the file at all: the containers that bind-mount its directory, the config root, or the host's `/`.
    const seeing = ctx.declared.containers.filter((c) => c.mounts.some((m) => m.kind === "bind" && (m.source === "/" || write.target === m.source || write.target.startsWith(`${m.source.replace(/\/$/, "")}/`))));
    const readers = seeing.filter((c) => containerUser(c)?.uid === ownerUid);
    if (readers.length > 1) leaks.push(`${relative}: its owner's uid ${ownerUid} is ${readers.map((c) => c.name).join(" and ")}, who all see it`);
    for (const c of seeing.filter((c) => !readers.includes(c))) {
      const user = containerUser(c);
      if (!user) {
        leaks.push(`${relative}: ${c.name} sees it and runs as its image's default user`);
        continue;
      }
      if (await readAs(file, user.uid, user.gid)) leaks.push(`${relative} (${write.mode}, uid ${ownerUid}) read by ${c.name} (uid ${user.uid}:${user.gid}), which mounts it`);
      else refusals.push(c.name);
    }
  }
  return {
    succeeded: leaks.length > 0,
    detail: `${tried.length} secret files, each read as every other container that mounts it: ${leaks.length > 0 ? `read: ${leaks.join("; ")}` : `none read (${refusals.length} refusals, from ${[...new Set(refusals)].join(", ") || "nobody else mounting them"})`}${notRendered.length > 0 ? `; not rendered, so not tried: ${notRendered.join(", ")}` : ""}`,
    harness:
      tried.length > 0 && ownerFails.length === 0
        ? ok(`each of the ${tried.length} files is read by its owner's uid (${[...new Set(writes.map((w) => w.owner ?? 0))].join(", ")}); the servers run as their containers' users on these files`)
        : notOk(ownerFails.length > 0 ? `owners cannot read ${ownerFails.join(", ")}` : "no secret file found in the program's write commands"),
  };
}
