/**
 * Which stacks CI previews: `ts-node scripts/ciStacks.ts [--base <git ref>]` prints a JSON list for a job matrix.
 * Only stacks that run on a server (`staging`, `prod`: their state and secrets live in the CI backend) are
 * candidates; `dev` and `e2e` run on a developer's machine. With `--base`, a stack is kept when the pull request
 * changes its own `Pulumi.<stack>.yaml` or anything else the program is built from.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { loadStackFile, type Settings } from "../settings";

/** Environments whose stacks CI previews and deploys. */
export const CI_ENVIRONMENTS: readonly Settings["environment"][] = ["staging", "prod"];

/** Stack files that are examples to copy (docs/operator/scaling.md), never previewed or deployed as they are. */
export const EXAMPLE_STACKS: readonly string[] = ["scale"];

/** Changes that cannot alter what a stack deploys: tests, prose, the Renovate configuration. */
const INERT = [/^tests\//, /^(?!alerts\/).*\.md$/, /^renovate\.json$/, /^\.gitignore$/, /^LICENSE$/];

/** Stack names of the `Pulumi.<stack>.yaml` files in `dir`. */
export function stackFileNames(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .map((file) => /^Pulumi\.([^.]+)\.yaml$/.exec(file)?.[1])
    .filter((stack): stack is string => stack !== undefined)
    .sort();
}

/** The stacks CI manages: their files parse and name a server environment. */
export function ciStacks(dir: string): string[] {
  return stackFileNames(dir).filter(
    (stack) =>
      !EXAMPLE_STACKS.includes(stack) && CI_ENVIRONMENTS.includes(loadStackFile(stack, dir).settings.environment),
  );
}

/**
 * The stacks a change touches: a stack file touches its stack only; any other file the program is built from
 * (code, `Pulumi.yaml`, the policy pack, the workflows, `package-lock.json`) touches every stack.
 */
export function affectedStacks(changedFiles: readonly string[], stacks: readonly string[]): string[] {
  const affected = new Set<string>();
  for (const file of changedFiles) {
    const stackFile = /^Pulumi\.([^./]+)\.yaml$/.exec(file);
    if (stackFile) {
      if (stacks.includes(stackFile[1])) affected.add(stackFile[1]);
    } else if (!INERT.some((pattern) => pattern.test(file))) {
      return [...stacks];
    }
  }
  return stacks.filter((stack) => affected.has(stack));
}

/** Files changed between the merge base of `base` and HEAD. */
function changedSince(base: string, dir: string): string[] {
  const output = execFileSync("git", ["diff", "--name-only", `${base}...HEAD`], { cwd: dir, encoding: "utf8" });
  return output.split("\n").filter((line) => line.length > 0);
}

if (require.main === module) {
  try {
    const args = process.argv.slice(2);
    const dir = path.resolve(__dirname, "..");
    if (args.length !== 0 && !(args.length === 2 && args[0] === "--base" && args[1]))
      throw new Error("usage: ciStacks [--base <git ref>]");
    const stacks = ciStacks(dir);
    console.log(JSON.stringify(args.length === 2 ? affectedStacks(changedSince(args[1], dir), stacks) : stacks));
  } catch (error) {
    console.error(`ciStacks: ${(error as Error).message}`);
    process.exit(1);
  }
}
