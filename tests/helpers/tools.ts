/**
 * External tools the tests run (promtool, amtool). Under CI a missing tool fails the test, never skips it: CI
 * must prove the rules and the routing with the real tools.
 */
import { spawnSync } from "child_process";

/** Whether a command is on the PATH. */
export function hasTool(tool: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).status === 0;
}

/**
 * `describe` when the tool exists; otherwise a failing test under CI, and an explicitly skipped block elsewhere
 * (a developer without the tool still gets the other suites).
 */
export function describeWithTool(tool: string, name: string, body: () => void): void {
  if (hasTool(tool)) {
    describe(name, body);
  } else if (process.env.CI === "true") {
    describe(name, () => {
      it(`needs ${tool}, which CI must install`, () => {
        throw new Error(`${tool} is not installed: CI must install it (see .ci/run)`);
      });
    });
  } else {
    describe.skip(`${name} (${tool} not installed)`, body);
  }
}

/** Runs a tool; returns its combined output and exit status instead of throwing. */
export function runTool(tool: string, args: readonly string[], cwd?: string): { status: number; output: string } {
  const result = spawnSync(tool, [...args], { cwd, encoding: "utf8", timeout: 60_000 });
  return { status: result.status ?? -1, output: `${result.stdout ?? ""}${result.stderr ?? ""}` };
}
