/**
 * `npm run versions`: per tool, the version the stack deploys (and where it is pinned) beside the version the tests
 * run (the one `npm run fetch-tools` put into the tool cache) and where it comes from (`module@version` for a Go
 * build, `package/suite` for a Debian package). Exits 1 when a tool is not fetched, or when the tested version
 * differs from the deployed one and the table gives no `allowedDrift` reason for it:
 * - a Go build must be the deployed version exactly (it is built from the deployed module version, so any
 *   difference, a patch included, means the table is wrong);
 * - a Debian package must be the deployed major.minor; a patch difference (deployed 1:6.0.4-3, tested 6.0.1) is
 *   shown, never fatal: Debian's archive has the release line, not every patch.
 *
 * The comparison is pure (`compareTools`, `versionProblems`, `versionReport`); only the CLI reads the cache.
 */
import * as fs from "fs";
import { fetchedVersion, toolPath, type BinaryName } from "./cache";
import { sourceLabel } from "./sources";
import { majorMinor, TOOL_VERSIONS, UNAVAILABLE_TOOLS, type ToolVersion, type UnavailableTool } from "./versions";

export type VersionStatus = "same" | "patch differs" | "drift allowed" | "drift" | "not fetched" | "unavailable";

export interface ToolComparison {
  readonly tool: string;
  readonly deployed: string;
  readonly deployedFrom: string;
  /** The version in the cache, or undefined when it is not there (or a binary of it is missing). */
  readonly tested: string | undefined;
  /** `package/suite` or `module@version` the tests get it from. */
  readonly source: string;
  /** Whether tested must equal deployed exactly (a Go build) or only in major.minor (a Debian package). */
  readonly exact: boolean;
  readonly status: VersionStatus;
  /** The table's reason, when the major.minor may differ. */
  readonly allowedDrift?: string;
  /** Why no test can run it (`UNAVAILABLE_TOOLS`). */
  readonly unavailable?: string;
}

/** Debian's version without epoch and revision: `1:6.0.4-3` → `6.0.4`, `3.5.3+ds1-6` → `3.5.3+ds1`. */
export function upstreamVersion(version: string): string {
  return version
    .replace(/^v/, "")
    .replace(/^\d+:/, "")
    .replace(/-[^-]+$/, "");
}

function patchOf(version: string): string {
  return /^\d+\.\d+\.(\d+)/.exec(upstreamVersion(version))?.[1] ?? "";
}

/**
 * One row per tool of `table`. `tested(tool)` says which version is in the cache (undefined when a tool, or one of
 * its binaries, is missing).
 */
export function compareTools(
  table: Readonly<Record<string, ToolVersion>>,
  tested: (tool: string) => string | undefined,
): ToolComparison[] {
  return Object.entries(table).map(([tool, entry]) => {
    const version = tested(tool);
    const base = {
      tool,
      deployed: entry.deployed,
      deployedFrom: entry.deployedFrom,
      tested: version,
      source: sourceLabel(entry.fetch),
      exact: entry.fetch.kind === "go",
      allowedDrift: entry.allowedDrift,
    };
    if (version === undefined) return { ...base, status: "not fetched" as const };
    if (base.exact)
      return {
        ...base,
        status:
          version.replace(/^v/, "") === entry.deployed.replace(/^v/, "")
            ? ("same" as const)
            : entry.allowedDrift
              ? ("drift allowed" as const)
              : ("drift" as const),
      };
    if (majorMinor(version) !== majorMinor(entry.deployed))
      return { ...base, status: entry.allowedDrift ? ("drift allowed" as const) : ("drift" as const) };
    return {
      ...base,
      status: patchOf(version) === patchOf(entry.deployed) ? ("same" as const) : ("patch differs" as const),
    };
  });
}

/** One row per deployed service that no test can run, with its reason: shown, never a failure. */
export function unavailableRows(table: Readonly<Record<string, UnavailableTool>>): ToolComparison[] {
  return Object.entries(table).map(([tool, entry]) => ({
    tool,
    deployed: entry.deployed,
    deployedFrom: entry.deployedFrom,
    tested: undefined,
    source: entry.source,
    exact: false,
    status: "unavailable" as const,
    unavailable: entry.reason,
  }));
}

/** What makes `npm run versions` fail, one sentence per tool that says what to do; empty when all is well. */
export function versionProblems(rows: readonly ToolComparison[]): string[] {
  return rows.flatMap((row) => {
    if (row.status === "not fetched")
      return [`${row.tool}: not in the tool cache (${row.source}): run \`npm run fetch-tools\``];
    if (row.status === "drift" && row.exact)
      return [
        `${row.tool}: the tests run ${row.tested} (built from ${row.source}) but the stack deploys ${row.deployed} (${row.deployedFrom}): build the deployed module version in toolchain/versions.ts, or write the reason in its \`allowedDrift\``,
      ];
    if (row.status === "drift")
      return [
        `${row.tool}: the tests run ${row.tested} (${majorMinor(row.tested!)}) but the stack deploys ${row.deployed} (${majorMinor(row.deployed)}, ${row.deployedFrom}): fetch the deployed release line in toolchain/versions.ts, or write the reason in its \`allowedDrift\``,
      ];
    return [];
  });
}

/** The side-by-side table, in Markdown (it reads in a terminal and pastes into a PR or BENCHMARKS.md). */
export function versionReport(rows: readonly ToolComparison[]): string {
  const header = ["tool", "deployed", "pinned in", "tested", "from", "status"];
  const lines = rows.map((row) => [
    row.tool,
    row.deployed,
    row.deployedFrom,
    row.tested ?? "—",
    row.source,
    row.status === "drift allowed"
      ? `drift allowed: ${row.allowedDrift}`
      : row.status === "unavailable"
        ? `not run by any test: ${row.unavailable}`
        : row.status,
  ]);
  return [header, header.map(() => "---"), ...lines].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}

/** The tested version of a tool of `TOOL_VERSIONS`: the cache's version file, if every binary of it is there too. */
export function cachedVersion(tool: string): string | undefined {
  const entry = (TOOL_VERSIONS as Readonly<Record<string, ToolVersion>>)[tool];
  if (!entry) return undefined;
  const binaries = Object.keys(entry.binaries) as BinaryName[];
  if (!binaries.every((binary) => fs.existsSync(toolPath(binary)))) return undefined;
  return fetchedVersion(tool as keyof typeof TOOL_VERSIONS);
}

if (require.main === module) {
  const rows = [...compareTools(TOOL_VERSIONS, cachedVersion), ...unavailableRows(UNAVAILABLE_TOOLS)];
  console.log(versionReport(rows));
  const problems = versionProblems(rows);
  for (const problem of problems) console.error(`versions: ${problem}`);
  if (problems.length > 0) process.exit(1);
}
