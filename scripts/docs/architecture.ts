/**
 * The README's architecture picture: a Mermaid flowchart (GitHub renders it) drawn from what the code deploys
 * for a stack, not from a drawing: the stack's containers and their memory limits (`settings/services.ts`,
 * `containerMemoryLimits`), the Docker network, the scrape targets and the Alertmanager Prometheus talks to
 * (`prometheusConfig`), Grafana's data sources, Alloy's Loki endpoint and log sources, the host agents and the
 * receivers that are not `disabled`. A test compares the README's block with this output.
 */
import { serviceAddress } from "../../settings/services";
import {
  containerMemoryLimits,
  containerName,
  SERVICE_NAMES,
  SERVICE_PORTS,
  type ServiceName,
  type Settings,
} from "../../settings";
import { prometheusConfig } from "../../prometheus/config";
import { grafanaDataSources } from "../../grafana/datasources";
import { enabledAgents } from "../../security/files";
import { crowdsecMetricsTarget } from "../../security/crowdsec";

export const ARCHITECTURE_START =
  "<!-- architecture: generated from the code by `npm run docs` (scripts/docs/architecture.ts), do not edit -->";
export const ARCHITECTURE_END = "<!-- /architecture -->";

/** How the pictures and tables of the docs name the stack's services. */
export const SERVICE_TITLES: Readonly<Record<ServiceName, string>> = {
  prometheus: "Prometheus",
  alertmanager: "Alertmanager",
  nodeExporter: "node exporter",
  postgresExporter: "PostgreSQL exporter",
  loki: "Loki",
  alloy: "Grafana Alloy",
  grafana: "Grafana",
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

export function architectureDiagram(settings: Settings): string {
  const memory = new Map(containerMemoryLimits(settings).map((l) => [l.service, l.memory]));
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

  const lines = ["```mermaid", "flowchart LR"];
  lines.push(`  subgraph vps[${label("VPS (Docker engine, host agents)")}]`);
  lines.push(`    subgraph net[${label(`Docker network ${settings.docker.network.name}`)}]`);
  for (const a of app) lines.push(`      ${a.id}[${label(`${a.title}<br/>${hostOf(a.address)}`)}]`);
  for (const service of SERVICE_NAMES) {
    if (service === "nodeExporter") continue;
    lines.push(
      `      ${service}[${label(`${SERVICE_TITLES[service]}<br/>${containerName(settings, service)} · ${memory.get(service)}`)}]`,
    );
  }
  lines.push("    end");
  // The node exporter shares the host's network namespace (it reports the host's own interfaces).
  lines.push(
    `    nodeExporter[${label(`${SERVICE_TITLES.nodeExporter}, host network<br/>${serviceAddress(settings, "nodeExporter")} · ${memory.get("nodeExporter")}`)}]`,
  );
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
  for (const target of config.alerting.alertmanagers.flatMap((a) => a.static_configs.flatMap((c) => c.targets)))
    lines.push(`  prometheus -->|alerts| ${nodeAt.get(target)}`);
  for (const source of grafanaDataSources(settings)) {
    const node = nodeAt.get(source.url.replace(/^https?:\/\//, ""));
    if (!node) throw new Error(`Grafana data source ${source.name}: no node of the diagram answers at ${source.url}`);
    lines.push(`  grafana -->|${label(source.name)}| ${node}`);
  }
  lines.push(`  postgresExporter -->|${label("SQL as pg_monitor")}| ${nodeAt.get(postgres.address)}`);
  lines.push(`  hostLogs -->|read| alloy`, `  alloy -->|push| ${nodeAt.get(serviceAddress(settings, "loki"))}`);
  for (const [role, receiver] of Object.entries(settings.notifications) as [
    keyof typeof RECEIVER_TITLES,
    { kind?: string },
  ][]) {
    if (!(role in RECEIVER_TITLES) || receiver.kind === "disabled") continue;
    lines.push(`  alertmanager --> ${role}[${label(`${RECEIVER_TITLES[role]}, ${receiver.kind}`)}]`);
  }
  const operator = settings.grafana.domain ? `https://${settings.grafana.domain}` : "SSH tunnel";
  lines.push(
    `  operator((${label("operator")})) -->|${label(operator)}| ${settings.grafana.domain && traefik ? "appTraefik" : "grafana"}`,
  );
  if (settings.grafana.domain && traefik) lines.push("  appTraefik --> grafana");
  lines.push("```");
  return [ARCHITECTURE_START, ...lines, ARCHITECTURE_END].join("\n");
}
