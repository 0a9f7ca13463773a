/**
 * `npm run fetch-tools`: puts the deployed versions of the tools the tests run into the tool cache: Debian packages
 * (below) and Go modules built at the exact deployed version (`toolchain/goBuild.ts`).
 *
 * Behaviour relied on (apt 2.6, Debian 12):
 * - `Dir::State`, `Dir::Cache`, `Dir::Etc::SourceList` and `Dir::Etc::SourceParts=/dev/null` give apt a private
 *   package index, so neither `/var/lib/apt/lists` nor the system's sources are read or written;
 *   `Dir::State::status` pointing at an empty file keeps the installed system's state out of it.
 * - `apt-get download pkg/suite` fetches the newest version of `pkg` in `suite` into the current directory, verified
 *   against the keyring named by `signed-by`, without resolving or installing dependencies.
 * - `dpkg-deb -x` unpacks a package's files without running its maintainer scripts.
 * The sources are derived from the machine's own `/etc/apt/sources.list.d/*.sources` (same archive, other suite),
 * so no registry host is written in this repository.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { sourceDir, toolCacheDir } from "./cache";
import { buildGoSource } from "./goBuild";
import { partialDir, publishDir, publishedVersion } from "./publish";
import { sourceLabel, type DebianSource, type GoSource, type ToolSource } from "./sources";
import { TOOL_VERSIONS } from "./versions";

interface Deb822Stanza {
  readonly [field: string]: string;
}

/** Parses deb822 `.sources` text into stanzas (field names lower-cased; continuation lines joined). */
export function parseDeb822(text: string): Deb822Stanza[] {
  const stanzas: Record<string, string>[] = [];
  let current: Record<string, string> | undefined;
  let lastField: string | undefined;
  for (const raw of text.split("\n")) {
    if (raw.trim() === "") {
      current = undefined;
      continue;
    }
    if (raw.startsWith("#")) continue;
    if (/^\s/.test(raw) && current && lastField) {
      current[lastField] += ` ${raw.trim()}`;
      continue;
    }
    const match = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(raw);
    if (!match) throw new Error(`unreadable deb822 line: ${JSON.stringify(raw)}`);
    if (!current) {
      current = {};
      stanzas.push(current);
    }
    lastField = match[1].toLowerCase();
    current[lastField] = match[2].trim();
  }
  return stanzas;
}

/**
 * One-line sources for the given suites, on the archive of the machine's main stanza: the first `deb` stanza
 * whose suites include a release without a `-` (so `bookworm`, not `bookworm-security`).
 */
export function derivedSourcesList(stanzas: readonly Deb822Stanza[], suites: readonly string[]): string {
  const main = stanzas.find(
    (s) =>
      (s.types ?? "").split(/\s+/).includes("deb") &&
      (s.suites ?? "").split(/\s+/).some((suite) => suite !== "" && !suite.includes("-")),
  );
  if (!main)
    throw new Error(
      "no main Debian archive stanza in /etc/apt/sources.list.d/*.sources to derive the tool suites from",
    );
  const uri = (main.uris ?? "").split(/\s+/)[0];
  if (!uri) throw new Error("the main Debian archive stanza in /etc/apt/sources.list.d/*.sources has no URIs field");
  const keyring = main["signed-by"];
  // A one-line source takes a keyring path only; deb822 also allows the key itself inline (a PGP block).
  if (keyring !== undefined && !/^\/\S+$/.test(keyring))
    throw new Error(
      "the main Debian archive stanza has an inline Signed-By key: point Signed-By at a keyring file to derive the tool suites from it",
    );
  const signedBy = keyring ? ` [signed-by=${keyring}]` : "";
  return suites.map((suite) => `deb${signedBy} ${uri} ${suite} main\n`).join("");
}

function readMachineSources(): Deb822Stanza[] {
  const dir = "/etc/apt/sources.list.d";
  const files = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".sources"))
        .sort()
    : [];
  return files.flatMap((f) => parseDeb822(fs.readFileSync(path.join(dir, f), "utf8")));
}

function aptOptions(aptDir: string): string[] {
  return [
    "-q",
    "-o",
    `Dir::State=${path.join(aptDir, "state")}`,
    "-o",
    `Dir::State::status=${path.join(aptDir, "status")}`,
    "-o",
    `Dir::Cache=${path.join(aptDir, "cache")}`,
    "-o",
    `Dir::Etc::SourceList=${path.join(aptDir, "sources.list")}`,
    "-o",
    "Dir::Etc::SourceParts=/dev/null",
    "-o",
    "Dir::Etc::Preferences=/dev/null",
    "-o",
    "Dir::Etc::PreferencesParts=/dev/null",
    "-o",
    "APT::Sandbox::User=root",
  ];
}

/** Every source the tools need, deduplicated, in a stable order. */
export function allSources(): ToolSource[] {
  const seen = new Map<string, ToolSource>();
  for (const tool of Object.values(TOOL_VERSIONS) as readonly { fetch: ToolSource }[])
    seen.set(sourceLabel(tool.fetch), tool.fetch);
  return [...seen.values()];
}

/** Downloads and unpacks one Debian source into a private folder, then publishes it (`publish.ts`). */
function fetchDebianSource(source: DebianSource, aptDir: string, cache: string): string {
  const finalDir = sourceDir(source, cache);
  const cached = publishedVersion(finalDir);
  if (cached !== undefined) return cached;
  const dir = partialDir(finalDir);
  const debs = path.join(dir, "debs");
  const root = path.join(dir, "root");
  fs.mkdirSync(debs, { recursive: true });
  for (const pkg of [source.package, ...(source.with ?? [])]) {
    execFileSync("apt-get", [...aptOptions(aptDir), "download", pkg.includes("/") ? pkg : `${pkg}/${source.suite}`], {
      cwd: debs,
      stdio: ["ignore", "ignore", "inherit"],
    });
  }
  let version = "";
  for (const deb of fs
    .readdirSync(debs)
    .filter((f) => f.endsWith(".deb"))
    .sort()) {
    execFileSync("dpkg-deb", ["-x", path.join(debs, deb), root]);
    const pkg = execFileSync("dpkg-deb", ["-f", path.join(debs, deb), "Package"], { encoding: "utf8" }).trim();
    if (pkg === source.package)
      version = execFileSync("dpkg-deb", ["-f", path.join(debs, deb), "Version"], { encoding: "utf8" }).trim();
  }
  if (!version)
    throw new Error(`${source.package}/${source.suite}: downloaded, but no package of that name was unpacked`);
  fs.rmSync(debs, { recursive: true, force: true });
  return publishDir(dir, finalDir, version);
}

/** One line of `npm run fetch-tools`' output. */
export interface FetchedSource {
  readonly source: ToolSource;
  readonly version: string;
  /** Seconds a Go build took (0 when it was cached); absent for a Debian package. */
  readonly seconds?: number;
}

export function fetchTools(cache = toolCacheDir()): FetchedSource[] {
  const sources = allSources();
  const debian = sources.filter((s): s is DebianSource => s.kind === "debian");
  const go = sources.filter((s): s is GoSource => s.kind === "go");
  const missing = debian.filter((s) => publishedVersion(sourceDir(s, cache)) === undefined);
  const aptDir = path.join(cache, "apt");
  if (missing.length > 0) {
    fs.mkdirSync(path.join(aptDir, "state", "lists", "partial"), { recursive: true });
    fs.mkdirSync(path.join(aptDir, "cache", "archives", "partial"), { recursive: true });
    fs.writeFileSync(path.join(aptDir, "status"), "");
    // The sources' suites, and those named by `with` entries written `name/suite`.
    const suites = [
      ...new Set(
        missing.flatMap((s) => [
          s.suite,
          ...(s.with ?? []).filter((w) => w.includes("/")).map((w) => w.slice(w.indexOf("/") + 1)),
        ]),
      ),
    ].sort();
    fs.writeFileSync(path.join(aptDir, "sources.list"), derivedSourcesList(readMachineSources(), suites));
    execFileSync("apt-get", [...aptOptions(aptDir), "update"], { stdio: ["ignore", "ignore", "inherit"] });
  }
  return [
    ...debian.map((source) => ({ source, version: fetchDebianSource(source, aptDir, cache) })),
    ...go.map((source) => ({ source, ...buildGoSource(source, cache) })),
  ];
}

if (require.main === module) {
  try {
    for (const { source, version, seconds } of fetchTools())
      console.log(
        `${sourceLabel(source)}: ${version} in ${sourceDir(source)}${seconds ? ` (built in ${seconds} s)` : ""}`,
      );
  } catch (error) {
    console.error(`fetch-tools: ${(error as Error).message}`);
    console.error(
      "fetch-tools: Debian packages come from the machine's Debian archive in other suites (check that apt can reach it: apt-get update); Go tools from the Go module proxy with the machine's Go (`go version`, GOPROXY).",
    );
    process.exit(1);
  }
}
