/**
 * Every documentation file, or part of one, that is generated from the code, with the text it must hold now.
 * `npm run docs` writes them; the drift test reads the files and compares.
 */
import * as fs from "fs";
import * as path from "path";
import { replaceBlock } from "../../alerts/runbookDefinition";
import { loadStackFile } from "../../settings";
import { ARCHITECTURE_END, ARCHITECTURE_START, architectureDiagram } from "./architecture";
import { configurationReference } from "./configurationReference";
import { FOOTPRINT_END, FOOTPRINT_START, memoryLimitsTable } from "./footprint";
import { settingsDescriptions } from "./settingsSource";
import {
  blackboxBlock,
  BLACKBOX_END,
  BLACKBOX_START,
  ceilingsBlock,
  CEILINGS_END,
  CEILINGS_START,
  diskBlock,
  DISK_END,
  DISK_START,
  hostsBlock,
  HOSTS_END,
  HOSTS_START,
  readBenchFigures,
  sloBlock,
  SLO_END,
  SLO_START,
  stackBlock,
  STACK_END,
  STACK_START,
} from "./benchFigures";

export interface GeneratedDoc {
  /** Path relative to the project. */
  readonly file: string;
  readonly content: string;
}

/** The stack the README's picture and memory table show: production, where every part runs. */
export const ARCHITECTURE_STACK = "prod";

/** Pages that quote the measured figures or the memory table, relative to the project. */
export const FIGURE_PAGES = {
  memoryBudget: "docs/operator/memory-budget.md",
  scaling: "docs/operator/scaling.md",
  alerts: "docs/operator/alerts.md",
} as const;

/** Stack files whose comments quote the prod profile's measured figures. */
export const FIGURE_STACKS = ["prod", "staging", "scale"] as const;

/** A file with its generated blocks put back: each entry the start and end markers and the block's text. */
function withBlocks(projectDir: string, file: string, blocks: readonly [string, string, string][]): GeneratedDoc {
  const text = fs.readFileSync(path.join(projectDir, file), "utf8");
  return {
    file,
    content: blocks.reduce((content, [start, end, block]) => replaceBlock(content, start, end, block, file), text),
  };
}

export function generatedDocs(projectDir: string): GeneratedDoc[] {
  const { settings } = loadStackFile(ARCHITECTURE_STACK, projectDir);
  const figures = readBenchFigures(projectDir);
  const memory = memoryLimitsTable(settings);
  const { memoryBudget, scaling } = FIGURE_PAGES;
  return [
    { file: "docs/operator/configuration.md", content: configurationReference(settingsDescriptions(projectDir)) },
    withBlocks(projectDir, "README.md", [
      [ARCHITECTURE_START, ARCHITECTURE_END, architectureDiagram(settings)],
      [FOOTPRINT_START, FOOTPRINT_END, memory],
      [CEILINGS_START, CEILINGS_END, ceilingsBlock(figures, "README.md")],
      [DISK_START, DISK_END, diskBlock(figures, settings.prometheus.retentionSize, "README.md")],
    ]),
    withBlocks(projectDir, memoryBudget, [
      [FOOTPRINT_START, FOOTPRINT_END, memory],
      [CEILINGS_START, CEILINGS_END, ceilingsBlock(figures, memoryBudget)],
      [BLACKBOX_START, BLACKBOX_END, blackboxBlock(figures, memoryBudget)],
    ]),
    withBlocks(projectDir, FIGURE_PAGES.alerts, [[SLO_START, SLO_END, sloBlock(figures, FIGURE_PAGES.alerts)]]),
    withBlocks(projectDir, scaling, [[HOSTS_START, HOSTS_END, hostsBlock(figures, scaling)]]),
    ...FIGURE_STACKS.map((stack) =>
      withBlocks(projectDir, `Pulumi.${stack}.yaml`, [[STACK_START, STACK_END, stackBlock(figures)]]),
    ),
  ];
}
