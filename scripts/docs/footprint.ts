/**
 * The README's table of container memory limits, from the settings (`containerMemoryLimits`, the list the
 * memory-budget check adds up), so the README cannot disagree with what the containers get.
 */
import { containerMemoryLimits, memoryToBytes, type Settings } from "../../settings";
import { SERVICE_TITLES } from "./architecture";

export const FOOTPRINT_START = "<!-- memory-limits: generated from settings/ by `npm run docs`, do not edit -->";
export const FOOTPRINT_END = "<!-- /memory-limits -->";

const mib = (bytes: number) => `${Math.round(bytes / 1024 ** 2)} MiB`;

export function memoryLimitsTable(settings: Settings): string {
  const limits = [...containerMemoryLimits(settings)].sort((a, b) => b.bytes - a.bytes);
  const total = limits.reduce((sum, l) => sum + l.bytes, 0);
  return [
    FOOTPRINT_START,
    "| container | memory limit |",
    "|---|---|",
    ...limits.map((l) => `| ${SERVICE_TITLES[l.service]} | ${mib(l.bytes)} |`),
    `| **total** | **${mib(total)}** of the ${mib(memoryToBytes(settings.docker.memoryBudget))} budget |`,
    FOOTPRINT_END,
  ].join("\n");
}
