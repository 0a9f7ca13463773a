/** Every committed stack (`Pulumi.<name>.yaml`) and its rendered files, for tests that run a real tool on them. */
import * as fs from "fs";
import { renderAll, type RenderedFile } from "../../render";
import { placeholderSecrets } from "../../settings";
import { PROJECT_DIR, stackSettings } from "./stacks";

/** The names of the committed stacks, read from the project folder so a new stack is covered at once. */
export function committedStacks(): string[] {
  return fs
    .readdirSync(PROJECT_DIR)
    .map((name) => /^Pulumi\.([a-z0-9-]+)\.yaml$/.exec(name)?.[1])
    .filter((name): name is string => name !== undefined)
    .sort();
}

/** The stack's rendered files whose path ends with `suffix` (`loki/loki.yaml`, `config.alloy`). */
export function renderedFiles(stack: string, suffix: string): RenderedFile[] {
  const { settings } = stackSettings(stack);
  const files = renderAll(settings, placeholderSecrets(settings)).filter((f) => f.path.endsWith(suffix));
  if (files.length === 0) throw new Error(`stack ${stack} renders no file ending in ${suffix}`);
  return files;
}
