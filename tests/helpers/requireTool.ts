/**
 * External tools the tests run (fail2ban, crowdsec, promtool). Locally a missing tool skips its tests with a
 * note; under CI (`CI=true`) it fails them, because a silent skip would pass CI without testing anything.
 */
import { spawnSync } from "child_process";

export function hasTool(name: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).status === 0;
}

/** `describe` when every tool is there; otherwise a suite that fails under CI and is skipped elsewhere. */
export function describeWithTools(tools: readonly string[]): jest.Describe {
  const missing = tools.filter((tool) => !hasTool(tool));
  if (missing.length === 0) return describe;
  if (process.env.CI === "true") {
    return ((name: string) => describe(name, () => it(`needs ${missing.join(", ")} (missing on this CI runner)`, () => { throw new Error(`missing tool(s): ${missing.join(", ")}`); }))) as unknown as jest.Describe;
  }
  // eslint-disable-next-line no-console
  console.warn(`skipping tests that need ${missing.join(", ")}`);
  return describe.skip;
}

/** Runs a command, returning its exit status and output (never throws on a non-zero status). */
export function run(command: string, args: readonly string[], options: { cwd?: string; input?: string } = {}) {
  const result = spawnSync(command, args, { encoding: "utf8", cwd: options.cwd, input: options.input, timeout: 60_000 });
  return { status: result.status, stdout: result.stdout ?? "", stderr: result.stderr ?? "", output: `${result.stdout ?? ""}${result.stderr ?? ""}` };
}
