/** What the attempts share: requests from the application's side and the harness's proofs. */
import { SERVICE_PORTS, type ServiceName } from "../../../settings";
import type { CurlRequest } from "../curl";
import { harnessCall, harnessQuery, nameOf, netnsOfService, type AttackContext, type HarnessCall } from "../context";
import { declaredContainer, type DeclaredContainer } from "../declared";
import { hostsOf, probe, url } from "../probe";
import { notOk, ok, type Attempt } from "./types";

/**
 * The common shape: one request from the application's side to a service (every name and address), and the
 * harness's proof on the same endpoint.
 */
export function applicationAttempt(spec: {
  readonly id: string;
  readonly title: string;
  readonly phase?: Attempt["phase"];
  readonly service: ServiceName;
  readonly request: (base: string, ctx: AttackContext) => CurlRequest;
  readonly harness: (ctx: AttackContext) => Promise<HarnessCall>;
}): Attempt {
  return {
    id: spec.id,
    title: spec.title,
    from: "the application's network",
    mode: "network",
    phase: spec.phase ?? 1,
    async run(ctx) {
      const attempt = await fromApplication(ctx, spec.service, (base) => spec.request(base, ctx));
      return { ...attempt, harness: await spec.harness(ctx) };
    },
  };
}

/** A request from the application's namespace to every name and address of a stack service. */
export async function fromApplication(
  ctx: AttackContext,
  service: ServiceName,
  request: (base: string) => CurlRequest,
): Promise<{ succeeded: boolean; detail: string }> {
  const container = declaredContainer(ctx.declared, nameOf(ctx, service));
  const port = ctx.lab.service(container.name).port;
  const hosts =
    container.networkMode === "host"
      ? [listenHostOf(container) ?? ctx.lab.net.docker0Gateway]
      : hostsOf(ctx.lab, container.name);
  const result = await probe(ctx.lab.applicationNetns, hosts, (host) => request(`http://${host}:${port}`));
  return { succeeded: result.succeeded, detail: result.detail };
}

export function listenHostOf(container: DeclaredContainer): string | undefined {
  const flag = container.command.find((a) => /^--web\.listen-address=/.test(a));
  const value = flag?.slice(flag.indexOf("=") + 1);
  return value ? value.slice(0, value.lastIndexOf(":")) || undefined : undefined;
}

export const json = (body: unknown): Pick<CurlRequest, "headers" | "body"> => ({
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify(body),
});

/** Whether Prometheus still answers and still has data: the harness's check after an attempt at stopping or erasing it. */
export async function prometheusStillServes(ctx: AttackContext): Promise<HarnessCall> {
  try {
    const up = await harnessQuery(ctx, "count(up == 1)");
    const series = await harnessQuery(ctx, 'count({__name__=~".+"})');
    const [targets, total] = [Number(up[0]?.value[1] ?? 0), Number(series[0]?.value[1] ?? 0)];
    return targets > 0 && total > 0
      ? ok(`Prometheus still answers the harness's query: ${targets} targets up, ${total} series`)
      : notOk(`Prometheus answers but has ${targets} targets up, ${total} series`);
  } catch (error) {
    return notOk(`Prometheus no longer answers the harness: ${(error as Error).message}`);
  }
}

/** SIGHUP to the process, as the program's reload command (`docker kill --signal=HUP`) does; the reload time moves. */
export async function reloadBySignal(ctx: AttackContext, service: "prometheus" | "alertmanager"): Promise<HarnessCall> {
  const metric =
    service === "prometheus"
      ? "prometheus_config_last_reload_success_timestamp_seconds"
      : "alertmanager_config_last_reload_success_timestamp_seconds";
  const read = async () => {
    const call = await harnessCall(ctx, service, { path: "/metrics" });
    const line =
      call.outcome?.kind === "http" ? call.outcome.body.split("\n").find((l) => l.startsWith(`${metric} `)) : undefined;
    return line ? Number(line.split(" ")[1]) : undefined;
  };
  const before = await read();
  await new Promise((resolve) => setTimeout(resolve, 1100));
  process.kill(ctx.lab.service(nameOf(ctx, service)).process.pid, "SIGHUP");
  for (let i = 0; i < 50; i++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const after = await read();
    if (before !== undefined && after !== undefined && after > before)
      return ok(
        `SIGHUP (the program's reload command) reloaded ${service}: ${metric} ${before} → ${after}, read by the harness`,
      );
  }
  return notOk(`SIGHUP did not move ${metric} (before: ${before})`);
}

/** The `up` of a scrape job through the harness: Prometheus (the scraper) reaches and authenticates to the target. */
export async function scrapedUp(ctx: AttackContext, job: string): Promise<HarnessCall> {
  const result = await harnessQuery(ctx, `up{job="${job}"}`);
  const value = result[0]?.value[1];
  return value === "1"
    ? ok(`Prometheus scrapes job ${job}: up == 1 (read by the harness)`)
    : notOk(`job ${job}: up is ${value ?? "absent"}`);
}

/** From a namespace, a plain connection to a stand-in's port: whether a legitimate client can reach the service. */
export async function reachableFrom(
  clientNetns: string,
  clientName: string,
  target: string,
  port: number,
): Promise<HarnessCall> {
  const result = await probe(clientNetns, [target], (host) => ({ url: url(host, port, "/") }));
  return result.succeeded
    ? ok(`${clientName} reaches ${target}:${port} (${result.detail})`)
    : notOk(`${clientName} cannot reach ${target}:${port}: ${result.detail}`);
}

/** The attempts at the network level against a service the lab stands in for (no binary): who can connect. */
export function standInReach(
  id: string,
  service: "loki" | "alloy" | "grafana",
  title: string,
  legitClient: ServiceName,
): Attempt {
  return {
    id,
    title,
    from: "the application's network",
    mode: "network",
    phase: 1,
    async run(ctx) {
      const attempt = await fromApplication(ctx, service, (base) => ({ url: `${base}/` }));
      const name = nameOf(ctx, service);
      const networks = declaredContainer(ctx.declared, name)
        .networks.map((n) => n.name)
        .join(", ");
      return {
        succeeded: attempt.succeeded,
        detail: `${attempt.detail} (a listener on ${name}'s port stands in for it: no binary here; ${name} is on ${networks})`,
        harness: await reachableFrom(
          netnsOfService(ctx, legitClient),
          nameOf(ctx, legitClient),
          name,
          SERVICE_PORTS[service],
        ),
      };
    },
  };
}

/** The containers that bind-mount the engine's socket. */
export function socketHolders(ctx: AttackContext): DeclaredContainer[] {
  const sockets = new Set([ctx.settings.alloy.dockerSocket, "/var/run/docker.sock", "/run/docker.sock"]);
  return ctx.declared.containers.filter((c) => c.mounts.some((m) => m.kind === "bind" && sockets.has(m.source)));
}

export function crowdsecAddress(ctx: AttackContext): { host: string; port: number } {
  const { listenAddress, port } = ctx.settings.security.crowdsec.metrics;
  return { host: listenAddress, port };
}
