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

export interface GeneratedDoc {
  /** Path relative to the project. */
  readonly file: string;
  readonly content: string;
}

/** The stack the README's picture and memory table show: production, where every part runs. */
export const ARCHITECTURE_STACK = "prod";

export function generatedDocs(projectDir: string): GeneratedDoc[] {
  const readme = fs.readFileSync(path.join(projectDir, "README.md"), "utf8");
  const { settings } = loadStackFile(ARCHITECTURE_STACK, projectDir);
  return [
    { file: "docs/operator/configuration.md", content: configurationReference(settingsDescriptions(projectDir)) },
    {
      file: "README.md",
      content: replaceBlock(
        replaceBlock(readme, ARCHITECTURE_START, ARCHITECTURE_END, architectureDiagram(settings), "README.md"),
        FOOTPRINT_START,
        FOOTPRINT_END,
        memoryLimitsTable(settings),
        "README.md",
      ),
    },
  ];
}
