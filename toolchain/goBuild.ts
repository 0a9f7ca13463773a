/**
 * Builds a Go source (`toolchain/sources.ts`) into the tool cache: the exact module version from the Go module
 * proxy, in a wrapper module that repeats upstream's `replace`/`exclude` lines (the pure half is `goModule.ts`).
 *
 * Behaviour relied on (Go 1.26, `GOTOOLCHAIN=local`):
 * - `go mod download -json module@version` prints the module's folder in the module cache (`Dir`), its go.mod
 *   (`GoMod`) and its proxy `.info` file (`Info`, whose `Time` is the version's commit time); outside a module.
 * - `go mod edit -json <file>` prints a go.mod's requires, replaces and excludes without loading anything.
 * - `go get pkg@version` in the wrapper adds what the package imports to go.mod/go.sum without upgrading anything
 *   else; `go list -m -json all` prints the build list as a stream of JSON objects.
 * - The module cache is read-only (folders 0555): a writable copy is `chmod -R u+w` before anything writes in it.
 * A failed build leaves only its `.partial-<pid>` folder, which the next run replaces.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { sourceDir, toolCacheDir } from "./cache";
import {
  buildListProblems,
  directiveProblems,
  goBuildArgs,
  goBuildEnv,
  goStamp,
  LOCAL_SOURCE_DIR,
  validateGoSource,
  wrapperGoMod,
  type GoModJson,
  type SelectedModule,
} from "./goModule";
import { partialDir, publishDir, publishedVersion } from "./publish";
import type { GoSource } from "./sources";

/** The Go the builds use: `GO` if set, else the machine's `go` on PATH. */
export const goCommand = (env: NodeJS.ProcessEnv = process.env): string => env.GO ?? "go";

interface ModuleDownload {
  readonly Dir: string;
  readonly GoMod: string;
  readonly Info: string;
  readonly Error?: string;
}

/** Splits `go list -json`'s stream of concatenated JSON objects. */
export function parseJsonStream<T>(text: string): T[] {
  const values: T[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "{") {
      if (depth === 0) start = i;
      depth++;
    } else if (c === "}") {
      depth--;
      if (depth === 0) values.push(JSON.parse(text.slice(start, i + 1)) as T);
    }
  }
  if (depth !== 0 || inString) throw new Error("go printed an unfinished JSON object");
  return values;
}

function run(what: string, argv: readonly string[], cwd: string, env: NodeJS.ProcessEnv, capture: boolean): string {
  try {
    return execFileSync(argv[0], argv.slice(1), {
      cwd,
      env,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      stdio: ["ignore", capture ? "pipe" : "inherit", "inherit"],
    });
  } catch (error) {
    throw new Error(`${what}: \`${argv.join(" ")}\` in ${cwd} failed: ${(error as Error).message.split("\n")[0]}`, {
      cause: error,
    });
  }
}

/** What `npm run fetch-tools` prints and `build.json` records about one build. */
export interface GoBuildResult {
  readonly version: string;
  /** Seconds the build took; 0 when the cache already had it. */
  readonly seconds: number;
}

/** Builds `source` into its cache folder unless it is there; returns the release version it stamped. */
export function buildGoSource(source: GoSource, cache = toolCacheDir()): GoBuildResult {
  validateGoSource(source);
  const finalDir = sourceDir(source, cache);
  const cached = publishedVersion(finalDir);
  if (cached !== undefined) return { version: cached, seconds: 0 };
  const started = Date.now();
  const where = `${source.module}@${source.version}`;
  const go = goCommand();
  const env = goBuildEnv(source, process.env);
  const dir = partialDir(finalDir);
  const wrapper = path.join(dir, "wrapper");
  const root = path.join(dir, "root");
  fs.mkdirSync(wrapper);
  fs.mkdirSync(path.join(root, "bin"), { recursive: true });

  const download = JSON.parse(
    run(`${where}: download`, [go, "mod", "download", "-json", where], dir, env, true),
  ) as ModuleDownload;
  if (download.Error) throw new Error(`${where}: the Go module proxy says: ${download.Error}`);
  const upstream = JSON.parse(
    run(`${where}: read its go.mod`, [go, "mod", "edit", "-json", download.GoMod], dir, env, true),
  ) as GoModJson;
  const directives = directiveProblems(source, upstream);
  if (directives.length > 0) throw new Error(directives.join("; "));
  const versionFile = path.join(download.Dir, "VERSION");
  const info = JSON.parse(fs.readFileSync(download.Info, "utf8")) as { Time: string };
  const stamp = goStamp(
    source,
    fs.existsSync(versionFile) ? fs.readFileSync(versionFile, "utf8") : undefined,
    info.Time,
  );

  let moduleDir = download.Dir;
  if (source.prepare && source.prepare.length > 0) {
    moduleDir = path.join(wrapper, LOCAL_SOURCE_DIR);
    fs.cpSync(download.Dir, moduleDir, { recursive: true });
    run(`${where}: make its copy writable`, ["chmod", "-R", "u+w", moduleDir], dir, env, false);
    for (const step of source.prepare)
      run(`${where}: prepare`, step.argv, path.join(moduleDir, step.cwd), { ...process.env, CI: "true" }, false);
  }

  fs.writeFileSync(path.join(wrapper, "go.mod"), wrapperGoMod(source));
  run(
    `${where}: resolve`,
    [go, "get", ...Object.values(source.programs).map((pkg) => `${pkg}@${source.version}`)],
    wrapper,
    env,
    false,
  );
  const selected = parseJsonStream<SelectedModule>(
    run(`${where}: list its build list`, [go, "list", "-m", "-json", "all"], wrapper, env, true),
  );
  const drift = buildListProblems(source, upstream, selected);
  if (drift.length > 0) throw new Error(drift.join("; "));

  for (const program of Object.keys(source.programs))
    run(
      `${where}: build ${program}`,
      [go, ...goBuildArgs(source, program, path.join(root, "bin", program), stamp)],
      wrapper,
      env,
      false,
    );
  for (const asset of source.assets ?? []) {
    const from = path.join(moduleDir, asset);
    if (!fs.existsSync(from)) throw new Error(`${where}: asset ${asset} is not in the module`);
    fs.cpSync(from, path.join(root, asset), { recursive: true });
  }
  run(`${where}: make the root writable`, ["chmod", "-R", "u+w", root], dir, env, false);
  // The writable copy (with the UI's node_modules, hundreds of MB) is not needed once the programs are built.
  fs.rmSync(path.join(wrapper, LOCAL_SOURCE_DIR), { recursive: true, force: true });

  const seconds = Math.round((Date.now() - started) / 1000);
  const goVersion = run("go version", [go, "version"], dir, env, true).trim();
  fs.writeFileSync(
    path.join(dir, "build.json"),
    `${JSON.stringify({ module: source.module, version: source.version, stamp, go: goVersion, seconds }, null, 2)}\n`,
  );
  return { version: publishDir(dir, finalDir, stamp.version), seconds };
}
