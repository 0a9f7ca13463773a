/**
 * What every attempt is given: the lab, the settings and rendered files it runs, and the harness's own client
 * side — the calls the stack's real clients make (Grafana's data sources, Prometheus's scrapes, the reload
 * command), from where those clients are, with the credentials they are given.
 */
import type { DockerEngine } from "../dockerEngine";
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { containerName, type Secrets, type ServiceName, type Settings } from "../../settings";
import { curlIn, describeOutcome, type CurlOutcome, type CurlRequest } from "./curl";
import type { DeclaredStack } from "./declared";
import type { AttackLab } from "./lab";

export type Credentials = (
  server: ServiceName,
  caller: ServiceName | "operator",
) => Pick<CurlRequest, "basicAuth" | "headers">;

/**
 * Judges the harness hands the attempts for what e2e/ does not own: the host agents that read the access log (the
 * deployed fail2ban from the tool cache, Debian's CrowdSec, each with the rendered files) and the workflow files.
 */
export interface AttackJudges {
  /** The addresses the deployed fail2ban's rendered `api-abuse` filter counts in `log`, one per matched line. */
  fail2banApiAbuse(log: string): Promise<string[]>;
  /** The source addresses CrowdSec's HTTP scenarios get from `log` (Traefik type), after the rendered parsers. */
  crowdsecHttp(log: string): Promise<string[]>;
  /** What lets a pull request's code read a deploy secret (tests/helpers/workflowSecrets.ts), one line each. */
  workflowFindings(): string[];
  /** The real Traefik binary (the release the application runs), or undefined when it is not built here. */
  readonly traefik?: string;
  /** A small image with busybox's applets (its httpd, sh, wget) built in `engine`: the stand-ins on a real engine. */
  standInImage(engine: DockerEngine): Promise<string>;
}

export interface AttackContext {
  readonly judges: AttackJudges;
  readonly lab: AttackLab;
  readonly settings: Settings;
  readonly declared: DeclaredStack;
  /** The rendered files the lab runs. */
  readonly renderDir: string;
  readonly workDir: string;
  readonly secrets: Secrets<string>;
  /**
   * How `caller` signs in to `server`, with the login the stack gives that caller (`{}` when the server asks for
   * none). `operator` is the people's login (SSH tunnel), which the harness uses where no service is the caller.
   */
  readonly credentials: Credentials;
}

/** A rendered file, parsed as YAML. */
export function renderedYaml<T = Record<string, unknown>>(ctx: AttackContext, file: string): T {
  return YAML.parse(fs.readFileSync(path.join(ctx.renderDir, file), "utf8")) as T;
}

export function renderedText(ctx: AttackContext, file: string): string {
  return fs.readFileSync(path.join(ctx.renderDir, file), "utf8");
}

export const nameOf = (ctx: AttackContext, service: ServiceName) => containerName(ctx.settings, service);

/** The namespace of a declared container of the stack (the host's for the node exporter). */
export function netnsOfService(ctx: AttackContext, service: ServiceName): string {
  const declared = ctx.declared.containers.find((c) => c.name === nameOf(ctx, service));
  if (!declared) throw new Error(`the program declares no ${service} container`);
  return ctx.lab.netnsOf(declared);
}

export interface HarnessCall {
  readonly ok: boolean;
  readonly detail: string;
  readonly outcome?: CurlOutcome;
}

/**
 * The harness's call to Prometheus or Alertmanager from Grafana's namespace (Grafana is the client the data
 * sources configure), by the name Grafana uses, with the credentials the stack gives its clients.
 */
export async function harnessCall(
  ctx: AttackContext,
  service: "prometheus" | "alertmanager",
  request: Omit<CurlRequest, "url"> & { path: string; from?: ServiceName },
): Promise<HarnessCall> {
  const port = ctx.lab.service(nameOf(ctx, service)).port;
  const client = request.from ?? "grafana";
  const login = ctx.credentials(service, client);
  // The harness is a client that must get through: a loaded CI machine gets more time than the attacker's probes.
  const outcome = await curlIn(netnsOfService(ctx, client), {
    connectTimeout: 3,
    maxTime: 20,
    ...request,
    ...login,
    url: `http://${nameOf(ctx, service)}:${port}${request.path}`,
  });
  const accepted = outcome.kind === "http" && outcome.status >= 200 && outcome.status < 300;
  return {
    ok: accepted,
    detail: `${request.method ?? "GET"} ${request.path} from ${nameOf(ctx, client)}${login.basicAuth ? ` signed in as ${login.basicAuth.split(":")[0]}` : " (no login asked)"}: ${describeOutcome(outcome)}`,
    outcome,
  };
}

/** An instant query through the harness's authenticated call; the result vector. */
export async function harnessQuery(
  ctx: AttackContext,
  expr: string,
): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const call = await harnessCall(ctx, "prometheus", { path: `/api/v1/query?query=${encodeURIComponent(expr)}` });
  if (!call.ok || call.outcome?.kind !== "http") throw new Error(`query ${expr}: ${call.detail}`);
  return (
    JSON.parse(call.outcome.body) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }
  ).data.result;
}
