/**
 * The README's memory table, from the settings: `stackMemory`, the very list the memory-budget check adds up
 * (every container's limit, and the figure of each host agent the stack installs, `contract/hostAgents.ts`), so
 * the README cannot disagree with what the budget counts.
 */
import { HOST_AGENTS, type HostAgent } from "../../contract/hostAgents";
import type { StackService } from "../../contract/serviceUsers";
import { memoryToBytes, stackMemory, type Settings } from "../../settings";
import { SERVICE_TITLES } from "./architecture";

export const FOOTPRINT_START = "<!-- memory-limits: generated from settings/ by `npm run docs`, do not edit -->";
export const FOOTPRINT_END = "<!-- /memory-limits -->";

const AGENT_TITLES: Readonly<Record<HostAgent, string>> = {
  fail2ban: "fail2ban",
  crowdsec: "CrowdSec",
  crowdsecBouncer: "CrowdSec firewall bouncer",
  suricata: "Suricata",
};

const mib = (bytes: number) => `${Math.round(bytes / 1024 ** 2)} MiB`;

function title(service: string): string {
  if ((HOST_AGENTS as readonly string[]).includes(service)) return `${AGENT_TITLES[service as HostAgent]} (host agent)`;
  return SERVICE_TITLES[service as StackService];
}

export function memoryLimitsTable(settings: Settings): string {
  const parts = stackMemory(settings);
  const total = parts.reduce((sum, part) => sum + part.bytes, 0);
  return [
    FOOTPRINT_START,
    "| part | memory counted |",
    "|---|---|",
    ...parts.map((part) => `| ${title(part.service)} | ${mib(part.bytes)} |`),
    `| **total** | **${mib(total)}** of the ${mib(memoryToBytes(settings.docker.memoryBudget))} budget |`,
    FOOTPRINT_END,
  ].join("\n");
}
