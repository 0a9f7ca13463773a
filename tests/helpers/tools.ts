/**
 * Real tools that tests run. The Prometheus tools (promtool, amtool, the servers and exporters) are the deployed
 * versions from the tool cache, named with `toolPath("promtool")` (toolchain/); fail2ban, CrowdSec and
 * PostgreSQL 15 (the deployed major) come from the system. Under CI a missing tool fails the test that needs it,
 * saying how to get it; on a developer machine the test is reported as skipped with the reason.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { missingToolsAdvice, toolPath } from "../../toolchain/cache";

export { toolPath };

/** An absolute path exists, or a bare command name is on PATH. */
export function hasTool(command: string): boolean {
  if (path.isAbsolute(command)) return fs.existsSync(command);
  return spawnSync("sh", ["-c", 'command -v "$1"', "sh", command], { encoding: "utf8" }).status === 0;
}

/**
 * `describe` when the tools exist; when one is missing, a failing test under CI=true, a skipped block elsewhere.
 */
export function describeWithTools(title: string, tools: readonly string[], body: () => void): void {
  const missing = tools.filter((tool) => !hasTool(tool));
  if (missing.length === 0) {
    describe(title, body);
  } else if (process.env.CI === "true") {
    describe(title, () => {
      it(`needs ${missing.join(", ")}`, () => {
        throw new Error(missingToolsAdvice(missing));
      });
    });
  } else {
    describe.skip(`${title} (missing ${missing.join(", ")})`, body);
  }
}

/** Runs a command, returning its exit status and combined output. */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): { status: number; output: string } {
  const { timeoutMs = 60_000, ...spawnOptions } = options;
  const result = spawnSync(command, args, { ...spawnOptions, encoding: "utf8", timeout: timeoutMs });
  return { status: result.status ?? 1, output: `${result.stdout ?? ""}${result.stderr ?? ""}` };
}

/** A fresh temporary directory, removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export { execFileSync };
