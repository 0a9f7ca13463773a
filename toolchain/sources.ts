/**
 * The two kinds of place the tests get a tool from (`toolchain/versions.ts` says which tool comes from where):
 * - a Debian package, for what Debian ships as the deployed artifact (fail2ban, CrowdSec, Suricata, nginx, …);
 * - a Go module at the exact version the stack deploys, built here from the Go module proxy (`toolchain/goBuild.ts`),
 *   for the services whose deployed artifact is upstream's own Go build (Prometheus, Alertmanager, the exporters, …).
 */

/** A Debian package fetched from one suite into the cache. */
export interface DebianSource {
  readonly kind: "debian";
  /** Binary package name in Debian's archive. */
  readonly package: string;
  /** Suite of the same archive the machine uses (`sid`, `trixie`, `bookworm-backports`, `bullseye`). */
  readonly suite: string;
  /**
   * Further packages unpacked beside it (libraries the binary needs): of the same suite, or `name/suite` for one
   * that only another suite of the same archive has (a backport's libraries are in the release it backports to).
   */
  readonly with?: readonly string[];
}

/** What a release stamps into its binaries (`-ldflags -X`), known once the module is downloaded. */
export interface GoStamp {
  /** The release version without `v`: the module's `VERSION` file when it has one (as promu reads it), else the module version. */
  readonly version: string;
  /** What identifies the source: the module version (`v0.305.0`); the proxy does not give the commit. */
  readonly revision: string;
  /** The module version's time (the release commit's, from the proxy), so two builds of one version stamp the same. */
  readonly date: Date;
}

/** A step run in a writable copy of the module before the build (generated assets, as upstream's Makefile does). */
export interface GoPrepareStep {
  /** Folder relative to the module root. */
  readonly cwd: string;
  /** The command and its arguments (run without a shell). */
  readonly argv: readonly string[];
}

/**
 * A Go module built at one version into `<root>/bin/<program>`.
 *
 * The build runs in a small wrapper module (its go.mod requires `module version` and repeats the module's own
 * `replace` and `exclude` lines, which Go ignores in a dependency), so the build list is the one upstream's go.mod
 * selects; the builder checks that it is, and that `replace`/`exclude` here are exactly upstream's.
 */
export interface GoSource {
  readonly kind: "go";
  /** Module path, as in its go.mod (`github.com/prometheus/prometheus`). */
  readonly module: string;
  /** Module version on the proxy (`v0.305.0`; Prometheus 3.x publishes its module as v0.3MM.P). */
  readonly version: string;
  /** Executable name → import path of its main package. */
  readonly programs: Readonly<Record<string, string>>;
  /**
   * Upstream's `replace` lines: `"old[ version]"` → `"new version"`. A local-path replace of upstream
   * (`=> ./pkg/x`) is written here as the published module version of that folder.
   */
  readonly replace?: Readonly<Record<string, string>>;
  /** Upstream's `exclude` lines, `"path version"`. */
  readonly exclude?: readonly string[];
  /** Build with cgo, where upstream's release does (default: `CGO_ENABLED=0`). */
  readonly cgo?: boolean;
  /** Build tags of upstream's release (`.promu.yml`, Makefile, goreleaser). */
  readonly tags?: readonly string[];
  /** Upstream's `-X` version stamping (and other linker flags), from what the module says about its release. */
  readonly ldflags?: (stamp: GoStamp) => readonly string[];
  /** Steps run in a writable copy of the module before the build (for example building the UI it embeds). */
  readonly prepare?: readonly GoPrepareStep[];
  /** Module-relative paths (files or folders) copied into the root at the same relative path (runtime assets). */
  readonly assets?: readonly string[];
}

export type ToolSource = DebianSource | GoSource;

/** How the report names a source: `prometheus/sid`, `github.com/prometheus/alertmanager@v0.28.1`. */
export function sourceLabel(source: ToolSource): string {
  return source.kind === "go" ? `${source.module}@${source.version}` : `${source.package}/${source.suite}`;
}

/** Where a Go source's programs land in its root: `{ prometheus: "bin/prometheus", … }`, keys kept for `toolPath`. */
export function goBinaries<P extends Readonly<Record<string, string>>>(
  programs: P,
): { readonly [K in keyof P]: string } {
  return Object.fromEntries(Object.keys(programs).map((name) => [name, `bin/${name}`])) as {
    readonly [K in keyof P]: string;
  };
}

/** Prometheus 3.x publishes its Go module as v0.3MM.P for release 3.MM.P (`v3.5.0` → `v0.305.0`). */
export function prometheusModuleVersion(release: string): string {
  const match = /^v?3\.(\d+)\.(\d+)$/.exec(release);
  if (!match || Number(match[1]) > 99)
    throw new Error(`not a Prometheus 3.x release: ${JSON.stringify(release)} (expected v3.MINOR.PATCH)`);
  return `v0.${300 + Number(match[1])}.${match[2]}`;
}
