/**
 * The pure half of building a Go module at an exact version (the shell half is `goBuild.ts`): the wrapper module's
 * go.mod, the checks that it builds what upstream's go.mod selects, the `go build` arguments and environment, and
 * the cache key. Nothing here runs a command or touches a file.
 *
 * Go behaviour relied on (cmd/go, Go ≥ 1.21): `replace` and `exclude` apply only in the main module's go.mod, so a
 * wrapper that requires a tool must repeat them; with graph pruning (go ≥ 1.17 in the tool's go.mod) the tool's
 * go.mod lists every module its packages need, and minimal version selection over a wrapper that requires only the
 * tool selects exactly those versions (checked after `go get` by `buildListProblems`).
 */
import { createHash } from "crypto";
import type { GoSource, GoStamp } from "./sources";

/** The module path of every wrapper: never published, never a real host. */
export const WRAPPER_MODULE_PREFIX = "koprogo-observability.local/toolchain";

/** The folder (relative to the wrapper) that holds the module's writable copy when it has `prepare` steps. */
export const LOCAL_SOURCE_DIR = "src";

/** A `go mod edit -json` module reference. */
export interface GoModuleRef {
  readonly Path: string;
  readonly Version?: string;
}

/** What the builder reads of upstream's go.mod (`go mod edit -json`). */
export interface GoModJson {
  readonly Module: GoModuleRef;
  readonly Go?: string;
  readonly Require?: readonly (GoModuleRef & { readonly Indirect?: boolean })[] | null;
  readonly Exclude?: readonly GoModuleRef[] | null;
  readonly Replace?: readonly { readonly Old: GoModuleRef; readonly New: GoModuleRef }[] | null;
}

/** One module of the wrapper's build list (`go list -m -json all`). */
export interface SelectedModule {
  readonly Path: string;
  readonly Version?: string;
  readonly Main?: boolean;
}

const MODULE_VERSION = /^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+incompatible)?$/;
const MODULE_PATH = /^[a-z0-9.-]+\.[a-z]{2,}(\/[A-Za-z0-9._~+-]+)*$/;

function parseRef(text: string, what: string, versionRequired: boolean): GoModuleRef {
  const parts = text.trim().split(/\s+/);
  const [modulePath, version] = parts;
  if (modulePath.startsWith(".") || modulePath.startsWith("/"))
    throw new Error(
      `${what}: ${JSON.stringify(text)} is a local path: write the published module version of that folder ("path vX.Y.Z")`,
    );
  if (parts.length > 2 || !MODULE_PATH.test(modulePath) || (version !== undefined && !MODULE_VERSION.test(version)))
    throw new Error(`${what}: ${JSON.stringify(text)} is not "module/path" or "module/path vX.Y.Z"`);
  if (versionRequired && version === undefined)
    throw new Error(`${what}: ${JSON.stringify(text)} needs a version ("module/path vX.Y.Z")`);
  return version === undefined ? { Path: modulePath } : { Path: modulePath, Version: version };
}

const refText = (ref: GoModuleRef): string => (ref.Version ? `${ref.Path} ${ref.Version}` : ref.Path);

/** Checks the source table's fields; throws naming the bad key and value. */
export function validateGoSource(source: GoSource): void {
  const where = `Go source ${source.module}`;
  parseRef(`${source.module} ${source.version}`, `${where}: module and version`, true);
  const programs = Object.entries(source.programs);
  if (programs.length === 0) throw new Error(`${where}: \`programs\` is empty`);
  for (const [name, importPath] of programs) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name))
      throw new Error(`${where}: program name ${JSON.stringify(name)} is not a plain file name`);
    if (importPath !== source.module && !importPath.startsWith(`${source.module}/`))
      throw new Error(`${where}: \`programs.${name}\` ${JSON.stringify(importPath)} is not a package of the module`);
  }
  for (const [oldRef, newRef] of Object.entries(source.replace ?? {})) {
    parseRef(oldRef, `${where}: \`replace\` key`, false);
    parseRef(newRef, `${where}: \`replace.${oldRef}\``, true);
  }
  for (const excluded of source.exclude ?? []) parseRef(excluded, `${where}: \`exclude\``, true);
  for (const tag of source.tags ?? [])
    if (!/^[A-Za-z0-9_.]+$/.test(tag)) throw new Error(`${where}: build tag ${JSON.stringify(tag)} is not a tag`);
  for (const asset of source.assets ?? [])
    if (asset === "" || asset.startsWith("/") || asset.split("/").includes(".."))
      throw new Error(`${where}: asset ${JSON.stringify(asset)} is not a path inside the module`);
  for (const step of source.prepare ?? []) {
    if (step.cwd.startsWith("/") || step.cwd.split("/").includes(".."))
      throw new Error(`${where}: prepare step folder ${JSON.stringify(step.cwd)} is not inside the module`);
    if (step.argv.length === 0)
      throw new Error(`${where}: a prepare step in ${JSON.stringify(step.cwd)} has no command`);
  }
}

/** The wrapper module's path: one per source, so two sources never share a go.sum. */
export function wrapperModulePath(source: GoSource): string {
  return `${WRAPPER_MODULE_PREFIX}/${source.module}`;
}

/**
 * The wrapper's go.mod: requires the module at its version and repeats upstream's `replace` and `exclude` lines.
 * With `prepare` steps the module itself is replaced by its writable copy in `src/` (the same files as the
 * module zip, plus what the steps generated), as upstream builds from its tree.
 */
export function wrapperGoMod(source: GoSource): string {
  validateGoSource(source);
  const replaces = Object.entries(source.replace ?? {}).map(
    ([oldRef, newRef]) =>
      `\t${refText(parseRef(oldRef, "replace", false))} => ${refText(parseRef(newRef, "replace", true))}`,
  );
  if (source.prepare && source.prepare.length > 0) replaces.push(`\t${source.module} => ./${LOCAL_SOURCE_DIR}`);
  const excludes = (source.exclude ?? []).map((e) => `\t${refText(parseRef(e, "exclude", true))}`);
  return [
    `// Generated by toolchain/goBuild.ts: builds ${source.module}@${source.version} with the build list of its go.mod.`,
    `module ${wrapperModulePath(source)}`,
    "",
    // The lowest go line with graph pruning; `go get` raises it to the tool's own when that is higher.
    "go 1.17",
    "",
    `require ${source.module} ${source.version}`,
    ...(replaces.length > 0 ? ["", "replace (", ...replaces, ")"] : []),
    ...(excludes.length > 0 ? ["", "exclude (", ...excludes, ")"] : []),
    "",
  ].join("\n");
}

/**
 * Where the table's `replace`/`exclude` differ from upstream's go.mod, one sentence each; empty when they are the
 * same. A local-path replace upstream must be in the table under the same old path (with a published version).
 */
export function directiveProblems(source: GoSource, upstream: GoModJson): string[] {
  const where = `${source.module}@${source.version}`;
  const table = new Map(
    Object.entries(source.replace ?? {}).map(([oldRef, newRef]) => [
      refText(parseRef(oldRef, "replace", false)),
      refText(parseRef(newRef, "replace", true)),
    ]),
  );
  const problems: string[] = [];
  const upstreamOld = new Set<string>();
  for (const { Old, New } of upstream.Replace ?? []) {
    const oldText = refText(Old);
    upstreamOld.add(oldText);
    const ours = table.get(oldText);
    const local = New.Path.startsWith(".") || New.Path.startsWith("/");
    if (ours === undefined)
      problems.push(
        `${where}: its go.mod has \`replace ${oldText} => ${refText(New)}\`, which toolchain/versions.ts does not repeat${local ? " (write the published version of that folder)" : ""}`,
      );
    else if (!local && ours !== refText(New))
      problems.push(
        `${where}: its go.mod replaces ${oldText} with ${refText(New)}, toolchain/versions.ts with ${ours}`,
      );
  }
  for (const oldText of table.keys())
    if (!upstreamOld.has(oldText))
      problems.push(`${where}: toolchain/versions.ts replaces ${oldText}, which its go.mod does not`);
  const theirs = new Set((upstream.Exclude ?? []).map(refText));
  const ours = new Set((source.exclude ?? []).map((e) => refText(parseRef(e, "exclude", true))));
  for (const e of theirs)
    if (!ours.has(e)) problems.push(`${where}: its go.mod excludes ${e}, which toolchain/versions.ts does not repeat`);
  for (const e of ours)
    if (!theirs.has(e)) problems.push(`${where}: toolchain/versions.ts excludes ${e}, which its go.mod does not`);
  return problems;
}

/**
 * Where the wrapper's build list differs from the versions upstream's go.mod requires, one sentence per module;
 * empty when every required module is selected at its required version.
 */
export function buildListProblems(
  source: GoSource,
  upstream: GoModJson,
  selected: readonly SelectedModule[],
): string[] {
  const chosen = new Map(selected.filter((m) => !m.Main).map((m) => [m.Path, m.Version]));
  return (upstream.Require ?? []).flatMap((req) => {
    const version = chosen.get(req.Path);
    if (version === req.Version) return [];
    return [
      `${source.module}@${source.version}: the wrapper builds with ${req.Path} ${version ?? "(absent)"}, its go.mod requires ${req.Version}`,
    ];
  });
}

/** `go build` arguments for one program, writing to `output`. */
export function goBuildArgs(source: GoSource, program: string, output: string, stamp: GoStamp): string[] {
  const importPath = source.programs[program];
  if (importPath === undefined) throw new Error(`${source.module}: no program ${JSON.stringify(program)}`);
  const ldflags = source.ldflags?.(stamp) ?? [];
  return [
    "build",
    "-o",
    output,
    ...(source.tags && source.tags.length > 0 ? ["-tags", source.tags.join(",")] : []),
    ...(ldflags.length > 0 ? ["-ldflags", ldflags.join(" ")] : []),
    importPath,
  ];
}

/**
 * The environment of every go command of a build: the machine's Go only (`GOTOOLCHAIN=local`, never a toolchain
 * download), `-trimpath` as release builds do, cgo only where upstream's release uses it.
 */
export function goBuildEnv(source: GoSource, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...base,
    GOTOOLCHAIN: "local",
    GOFLAGS: "-trimpath",
    CGO_ENABLED: source.cgo ? "1" : "0",
    GOWORK: "off",
  };
}

/** The stamp a build of `source` uses, from its module's `VERSION` file (or its version) and proxy time. */
export function goStamp(source: GoSource, versionFile: string | undefined, time: string): GoStamp {
  const fromFile = versionFile?.trim();
  if (fromFile !== undefined && fromFile !== "" && !/^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.+-]+)?$/.test(fromFile))
    throw new Error(
      `${source.module}@${source.version}: its VERSION file says ${JSON.stringify(fromFile)}, not a version`,
    );
  const date = new Date(time);
  if (Number.isNaN(date.getTime()))
    throw new Error(`${source.module}@${source.version}: the proxy's time ${JSON.stringify(time)} is not a date`);
  return {
    version: (fromFile || source.version).replace(/^v/, ""),
    revision: source.version,
    date,
  };
}

/** promu's `{{date "20060102-15:04:05"}}`, in UTC. */
export function promuDate(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, "0");
  return (
    `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}-` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`
  );
}

/**
 * The `-X` flags of promu (the Prometheus projects' release tool, `.promu.yml`) for `github.com/prometheus/common/version`:
 * what `--version` and the `*_build_info` metric print.
 */
export function promuLdflags(stamp: GoStamp): readonly string[] {
  const pkg = "github.com/prometheus/common/version";
  return [
    `-X ${pkg}.Version=${stamp.version}`,
    `-X ${pkg}.Revision=${stamp.revision}`,
    `-X ${pkg}.Branch=HEAD`,
    `-X ${pkg}.BuildUser=koprogo-observability@toolchain`,
    `-X ${pkg}.BuildDate=${promuDate(stamp.date)}`,
  ];
}

/**
 * A short hash of everything that decides what a build produces (wrapper go.mod, programs, tags, cgo, linker flags
 * for a fixed stamp, prepare steps, assets): the cache folder's name, so a changed recipe never reuses a build.
 */
export function goSourceKey(source: GoSource): string {
  const placeholder: GoStamp = { version: "<version>", revision: "<revision>", date: new Date(0) };
  const recipe = JSON.stringify({
    goMod: wrapperGoMod(source),
    programs: Object.entries(source.programs).sort(),
    tags: source.tags ?? [],
    cgo: source.cgo ?? false,
    ldflags: source.ldflags?.(placeholder) ?? [],
    prepare: source.prepare ?? [],
    assets: source.assets ?? [],
  });
  return createHash("sha256").update(recipe).digest("hex").slice(0, 12);
}
