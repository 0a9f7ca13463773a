/**
 * The README's architecture picture: a Mermaid flowchart (GitHub renders it) drawn from what the code deploys
 * for a stack, not from a drawing: the stack's containers and their memory limits (`containerMemoryLimits`), the
 * Docker networks each one joins (`NETWORK_MEMBERS` of `contract/networks.ts`), the scrape targets and the
 * Alertmanager Prometheus talks to (`prometheusConfig`), Grafana's data sources, Alloy's Loki endpoint and log
 * sources, the host agents and the receivers that are not `disabled`. A test compares the README's block with
 * this output.
 */
import { INTERNAL_NETWORKS, NETWORK_MEMBERS, STACK_NETWORKS, type StackNetwork } from "../../contract/networks";
import type { StackService } from "../../contract/serviceUsers";
import { grafanaDataSources } from "../../grafana/datasources";
import { prometheusConfig } from "../../prometheus/config";
import { crowdsecMetricsTarget } from "../../security/crowdsec";
import { enabledAgents } from "../../security/files";
import {
  containerMemoryLimits,
  containerName,
  SERVICE_NAMES,
  SERVICE_PORTS,
  SOCKET_PROXY_PORT,
  socketProxyName,
  type Settings,
} from "../../settings";
import { serviceAddress } from "../../settings/services";
import { logGatewayName } from "../../logs/gateway";

export const ARCHITECTURE_START =
  "<!-- architecture: generated from the code by `npm run docs` (scripts/docs/architecture.ts), do not edit -->";
export const ARCHITECTURE_END = "<!-- /architecture -->";

/** How the pictures and tables of the docs name the stack's services. */
export const SERVICE_TITLES: Readonly<Record<StackService, string>> = {
  prometheus: "Prometheus",
  alertmanager: "Alertmanager",
  nodeExporter: "node exporter",
  postgresExporter: "PostgreSQL exporter",
  loki: "Loki",
  alloy: "Grafana Alloy",
  grafana: "Grafana",
  socketProxy: "Docker socket proxy",
  logGateway: "log gateway (nginx)",
};

const RECEIVER_TITLES = {
  chat: "chat (Slack #alerts)",
  pager: "pager (PagerDuty)",
  sms: "SMS gateway",
  watchdog: "dead man's switch",
} as const;

/** Mermaid node text, quoted; a quote would end it (`<br/>` is Mermaid's line break and stays). */
function label(text: string): string {
  return `"${text.replace(/"/g, "#quot;")}"`;
}

const hostOf = (address: string) =>
  address
    .replace(/^[a-z]+:\/\//, "")
    .replace(/\/.*$/, "")
    .replace(/:\d+$/, "");

function networkTitle(settings: Settings, network: StackNetwork): string {
  const internal = INTERNAL_NETWORKS.includes(network) ? ", internal" : "";
  if (network === "app") return `Docker network ${settings.docker.network.name} (the application's)`;
  return `network ${network}${internal}`;
}

/** Where a service sits in the picture: the first of its networks; the others are named in its box. */
function homeNetwork(service: StackService): StackNetwork | "host" {
  const networks = NETWORK_MEMBERS[service];
  return networks === "host" ? "host" : networks[0];
}

export function architectureDiagram(settings: Settings): string {
  const memory = new Map<string, string>(containerMemoryLimits(settings).map((l) => [l.service, l.memory]));
  const services: StackService[] = [...SERVICE_NAMES, "socketProxy"];
  const nameOf = (service: StackService) =>
    service === "socketProxy"
      ? socketProxyName(settings)
      : service === "logGateway"
        ? logGatewayName(settings)
        : containerName(settings, service);
  // Every address something is reached at → the node that answers there.
  const nodeAt = new Map<string, string>();
  for (const service of SERVICE_NAMES) nodeAt.set(serviceAddress(settings, service), service);
  nodeAt.set(`localhost:${SERVICE_PORTS.prometheus}`, "prometheus");
  const agents = enabledAgents(settings);
  if (agents.includes("crowdsec")) nodeAt.set(crowdsecMetricsTarget(settings), "crowdsec");

  const { api, postgres, traefik } = settings.targets;
  const app = [
    { id: "appApi", address: api.address, title: "KoproGo backend" },
    { id: "appPostgres", address: postgres.address, title: "PostgreSQL 15" },
    ...(traefik ? [{ id: "appTraefik", address: traefik, title: "Traefik (80/443)" }] : []),
  ];
  for (const a of app) nodeAt.set(a.address, a.id);

  const box = (service: StackService) => {
    const networks = NETWORK_MEMBERS[service];
    const others = networks === "host" ? [] : networks.slice(1);
    const where =
      service === "nodeExporter" ? `host network, ${serviceAddress(settings, "nodeExporter")}` : nameOf(service);
    const also =
      others.length > 0
        ? `<br/>also on ${others.map((n) => (n === "app" ? settings.docker.network.name : n)).join(", ")}`
        : "";
    return `${service}[${label(`${SERVICE_TITLES[service]}<br/>${where} · ${memory.get(service)}${also}`)}]`;
  };

  const lines = ["```mermaid", "flowchart LR"];
  lines.push(`  subgraph vps[${label("VPS (Docker engine, host agents)")}]`);
  for (const network of STACK_NETWORKS) {
    const members = services.filter((s) => homeNetwork(s) === network);
    const appMembers = network === "app" ? app : [];
    if (members.length === 0 && appMembers.length === 0) continue;
    lines.push(`    subgraph net_${network}[${label(networkTitle(settings, network))}]`);
    for (const a of appMembers) lines.push(`      ${a.id}[${label(`${a.title}<br/>${hostOf(a.address)}`)}]`);
    for (const service of members) lines.push(`      ${box(service)}`);
    lines.push("    end");
  }
  for (const service of services.filter((s) => homeNetwork(s) === "host")) lines.push(`    ${box(service)}`);
  const files = Object.values(settings.alloy.hostFiles).filter((f): f is string => typeof f === "string");
  lines.push(`    hostLogs[(${label(`journal, Docker logs,<br/>${files.join("<br/>")}`)})]`);
  for (const agent of agents) lines.push(`    ${agent}[${label(`${agent} (host package)`)}]`);
  lines.push("  end");

  const config = prometheusConfig(settings);
  for (const scrape of config.scrape_configs) {
    for (const target of scrape.static_configs.flatMap((c) => c.targets)) {
      const node = nodeAt.get(target);
      if (!node) throw new Error(`scrape job ${scrape.job_name}: no node of the diagram answers at ${target}`);
      if (node !== "prometheus") lines.push(`  prometheus -->|${label(`scrape ${scrape.job_name}`)}| ${node}`);
    }
  }
  for (const target of config.alerting.alertmanagers.flatMap((a) => a.static_configs.flatMap((c) => c.targets))) {
    lines.push(`  prometheus -->|alerts| ${nodeAt.get(target)}`);
  }
  for (const source of grafanaDataSources(settings)) {
    const node = nodeAt.get(source.url.replace(/^https?:\/\//, ""));
    if (!node) throw new Error(`Grafana data source ${source.name}: no node of the diagram answers at ${source.url}`);
    lines.push(`  grafana -->|${label(source.name)}| ${node}`);
  }
  lines.push(`  postgresExporter -->|${label("SQL as pg_monitor")}| ${nodeAt.get(postgres.address)}`);
  lines.push(`  alloy -->|${label(`Docker API :${SOCKET_PROXY_PORT}, read-only`)}| socketProxy`);
  lines.push(`  hostLogs -->|read| alloy`, `  alloy -->|push| ${nodeAt.get(serviceAddress(settings, "loki"))}`);
  for (const [role, receiver] of Object.entries(settings.notifications) as [string, { kind?: string }][]) {
    if (!(role in RECEIVER_TITLES) || receiver.kind === "disabled") continue;
    const title = RECEIVER_TITLES[role as keyof typeof RECEIVER_TITLES];
    lines.push(`  alertmanager --> ${role}[${label(`${title}, ${receiver.kind}`)}]`);
  }
  const operator = settings.grafana.domain ? `https://${settings.grafana.domain}` : "SSH tunnel";
  const entry = settings.grafana.domain && traefik ? "appTraefik" : "grafana";
  lines.push(`  operator((${label("operator")})) -->|${label(operator)}| ${entry}`);
  if (entry === "appTraefik") lines.push("  appTraefik --> grafana");
  lines.push("```");
  return [ARCHITECTURE_START, ...lines, ARCHITECTURE_END].join("\n");
}
