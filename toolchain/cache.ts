/**
 * Where the fetched tools live and how tests find them. Pure lookups: nothing here downloads (see `fetch.ts`).
 *
 * Layout: `<cache>/<package>/<suite>/root` is the unpacked Debian package (plus its `with` libraries) and
 * `<cache>/<package>/<suite>/version` the Debian version that was unpacked; `<cache>/go/<module>/<version>-<key>/root`
 * holds a Go source's build (`root/bin/<program>`, its assets) and `version` the release version it stamped, `key`
 * a hash of the build recipe (`goSourceKey`), so a changed recipe never reuses an old build. The cache is shared by every clone
 * and worktree on the machine: `KOPROGO_TOOLS_DIR`, else `$XDG_CACHE_HOME/koprogo-observability/tools`, else
 * `~/.cache/koprogo-observability/tools`.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { goSourceKey } from "./goModule";
import type { ToolSource } from "./sources";
import { TOOL_VERSIONS, type ToolName } from "./versions";

export function toolCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KOPROGO_TOOLS_DIR) return path.resolve(env.KOPROGO_TOOLS_DIR);
  const base = env.XDG_CACHE_HOME ? path.resolve(env.XDG_CACHE_HOME) : path.join(os.homedir(), ".cache");
  return path.join(base, "koprogo-observability", "tools");
}

export function sourceDir(source: ToolSource, cache = toolCacheDir()): string {
  if (source.kind === "go") return path.join(cache, "go", source.module, `${source.version}-${goSourceKey(source)}`);
  return path.join(cache, source.package, source.suite);
}

/** The unpacked root of a tool's package, or the root a Go source was built into. */
export function toolRoot(tool: ToolName, cache = toolCacheDir()): string {
  return path.join(sourceDir(TOOL_VERSIONS[tool].fetch, cache), "root");
}

/** The Debian version fetched (or release version built) for a tool, or undefined when it is not there. */
export function fetchedVersion(tool: ToolName, cache = toolCacheDir()): string | undefined {
  const file = path.join(sourceDir(TOOL_VERSIONS[tool].fetch, cache), "version");
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim() : undefined;
}

/**
 * `LD_LIBRARY_PATH` for a tool whose `with` libraries are unpacked beside it (`lib/<triplet>` and
 * `usr/lib/<triplet>` of its root), or `""` when it has none. The dynamic loader searches these before the
 * system's directories, so a library of the tool's suite wins over the machine's copy of the same soname.
 */
export function toolLibraryPath(tool: ToolName, cache = toolCacheDir()): string {
  const root = toolRoot(tool, cache);
  return ["lib", "usr/lib"]
    .map((dir) => path.join(root, dir))
    .filter((dir) => fs.existsSync(dir))
    .flatMap((dir) =>
      fs
        .readdirSync(dir)
        .filter((entry) => /-linux-gnu/.test(entry))
        .map((entry) => path.join(dir, entry)),
    )
    .join(":");
}

type BinaryName = { [T in ToolName]: keyof (typeof TOOL_VERSIONS)[T]["binaries"] }[ToolName];

const BINARY_OWNER: Record<string, ToolName> = Object.fromEntries(
  (Object.keys(TOOL_VERSIONS) as ToolName[]).flatMap((tool) =>
    Object.keys(TOOL_VERSIONS[tool].binaries).map((binary) => [binary, tool]),
  ),
);

/**
 * Absolute path of a fetched executable (`toolPath("promtool")`). It may not exist yet: callers that need it
 * check with `fs.existsSync` and say `npm run fetch-tools`.
 */
export function toolPath(binary: BinaryName, cache = toolCacheDir()): string {
  const tool = BINARY_OWNER[binary];
  if (!tool) throw new Error(`unknown tool binary ${JSON.stringify(binary)}`);
  const relative = (TOOL_VERSIONS[tool].binaries as Record<string, string>)[binary];
  return path.join(toolRoot(tool, cache), relative);
}

/** What to do about missing tools: fetched ones come from `npm run fetch-tools`, the others from the system. */
export function missingToolsAdvice(missing: readonly string[], cache = toolCacheDir()): string {
  const fetched = missing.filter((tool) => tool.startsWith(cache + path.sep));
  const system = missing.filter((tool) => !fetched.includes(tool));
  return [
    ...(fetched.length > 0
      ? [`missing ${fetched.join(", ")}: run \`npm run fetch-tools\` (the deployed versions, toolchain/versions.ts)`]
      : []),
    ...(system.length > 0
      ? [`missing ${system.join(", ")}: install the system packages (.ci/run's apt-get line)`]
      : []),
  ].join("; ");
}

export type { BinaryName };
