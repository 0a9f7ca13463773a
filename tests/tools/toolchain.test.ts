/**
 * The toolchain: reading the machine's apt sources, deriving the other suites' sources, the Go wrapper module and
 * its checks, the version comparison of `npm run versions`, and the cache lookups. And, with the tools fetched, that
 * the tests really run the deployed version of every tool.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { missingToolsAdvice, sourceDir, toolCacheDir, toolPath } from "../../toolchain/cache";
import { derivedSourcesList, parseDeb822 } from "../../toolchain/fetch";
import { parseJsonStream } from "../../toolchain/goBuild";
import {
  buildListProblems,
  directiveProblems,
  goBuildArgs,
  goBuildEnv,
  goSourceKey,
  goStamp,
  promuDate,
  promuLdflags,
  validateGoSource,
  wrapperGoMod,
  type GoModJson,
} from "../../toolchain/goModule";
import { partialDir, publishDir, publishedVersion } from "../../toolchain/publish";
import {
  cachedVersion,
  compareTools,
  unavailableRows,
  upstreamVersion,
  versionProblems,
  versionReport,
} from "../../toolchain/report";
import { goBinaries, prometheusModuleVersion, sourceLabel, type GoSource } from "../../toolchain/sources";
import {
  majorMinor,
  TOOL_VERSIONS,
  traefikLdflags,
  UNAVAILABLE_TOOLS,
  type ToolVersion,
} from "../../toolchain/versions";
import { IMAGES } from "../../settings/images";
import { describeWithTools } from "../helpers/tools";

// As Debian 12's images ship it (`/etc/apt/sources.list.d/debian.sources`), with a documentation host.
const DEBIAN_SOURCES = `Types: deb
# http://snapshot.example.org/archive/debian/20250101T000000Z
URIs: http://deb.example.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.example.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
`;

describe("parseDeb822", () => {
  it("reads one stanza per paragraph, field names lower-cased, comments skipped", () => {
    expect(parseDeb822(DEBIAN_SOURCES)).toEqual([
      {
        types: "deb",
        uris: "http://deb.example.org/debian",
        suites: "bookworm bookworm-updates",
        components: "main",
        "signed-by": "/usr/share/keyrings/debian-archive-keyring.gpg",
      },
      {
        types: "deb",
        uris: "http://deb.example.org/debian-security",
        suites: "bookworm-security",
        components: "main",
        "signed-by": "/usr/share/keyrings/debian-archive-keyring.gpg",
      },
    ]);
  });

  it("joins continuation lines and keeps several blank lines as one separator", () => {
    expect(parseDeb822("Types: deb\nSuites: bookworm\n bookworm-updates\n\n\n\nTypes: deb-src\n")).toEqual([
      { types: "deb", suites: "bookworm bookworm-updates" },
      { types: "deb-src" },
    ]);
  });

  it("is empty for an empty or comment-only file", () => {
    expect(parseDeb822("")).toEqual([]);
    expect(parseDeb822("# nothing here\n")).toEqual([]);
  });

  it("rejects a line that is neither a field, a continuation nor a comment, quoting it", () => {
    expect(() => parseDeb822("Types: deb\nnot a field\n")).toThrow('unreadable deb822 line: "not a field"');
  });
});

describe("derivedSourcesList", () => {
  const stanzas = parseDeb822(DEBIAN_SOURCES);

  it("writes one line per suite on the main archive with its keyring, never the security archive", () => {
    expect(derivedSourcesList(stanzas, ["sid", "trixie"])).toBe(
      "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.example.org/debian sid main\n" +
        "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.example.org/debian trixie main\n",
    );
  });

  it("skips source-only and security stanzas to find the main one", () => {
    const reordered = [
      ...parseDeb822("Types: deb-src\nURIs: http://src.example.org/debian\nSuites: bookworm\n"),
      stanzas[1],
      stanzas[0],
    ];
    expect(derivedSourcesList(reordered, ["bullseye"])).toBe(
      "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.example.org/debian bullseye main\n",
    );
  });

  it("takes the first of several URIs and works without Signed-By", () => {
    expect(
      derivedSourcesList(
        parseDeb822("Types: deb\nURIs: http://a.example.org/debian http://b.example.org/debian\nSuites: bookworm\n"),
        ["sid"],
      ),
    ).toBe("deb http://a.example.org/debian sid main\n");
  });

  it.each([
    ["no stanza at all", "", "no main Debian archive stanza"],
    [
      "only the security suite",
      "Types: deb\nURIs: http://deb.example.org/debian-security\nSuites: bookworm-security\n",
      "no main Debian archive stanza",
    ],
    ["a main stanza without URIs", "Types: deb\nSuites: bookworm\n", "has no URIs field"],
    [
      "an inline key",
      "Types: deb\nURIs: http://deb.example.org/debian\nSuites: bookworm\nSigned-By:\n -----BEGIN PGP PUBLIC KEY BLOCK-----\n .\n mQINBF\n",
      "inline Signed-By key",
    ],
  ])("refuses %s, saying why", (_, text, message) => {
    expect(() => derivedSourcesList(parseDeb822(text), ["sid"])).toThrow(message);
  });
});

describe("majorMinor and upstreamVersion", () => {
  it.each([
    ["v3.5.0", "3.5", "3.5.0"],
    ["3.5.3+ds1-6", "3.5", "3.5.3+ds1"],
    ["1:6.0.4-3", "6.0", "6.0.4"],
    ["0.11.2-6", "0.11", "0.11.2"],
    ["1.9.0-1+b4", "1.9", "1.9.0"],
    ["0.28.1+ds-1", "0.28", "0.28.1+ds"],
  ])("%s is release line %s, upstream %s", (version, line, upstream) => {
    expect(majorMinor(version)).toBe(line);
    expect(upstreamVersion(version)).toBe(upstream);
  });

  it.each(["latest", "", "v3"])("refuses %j as a version", (version) => {
    expect(() => majorMinor(version)).toThrow(`not a version: ${JSON.stringify(version)}`);
  });
});

describe("the comparison of npm run versions", () => {
  // Made-up versions: the comparison alone, not what the stack pins (that is the last test, on the real table).
  const entry = (deployed: string, allowedDrift?: string): ToolVersion => ({
    deployed,
    deployedFrom: "settings/images.ts IMAGES.x",
    fetch: { kind: "debian", package: "pkg", suite: "trixie" },
    binaries: {},
    allowedDrift,
  });
  const goEntry = (deployed: string, allowedDrift?: string): ToolVersion => ({
    deployed,
    deployedFrom: "settings/images.ts IMAGES.y",
    fetch: { kind: "go", module: "example.com/tool", version: deployed, programs: { tool: "example.com/tool" } },
    binaries: { tool: "bin/tool" },
    allowedDrift,
  });
  const table = {
    same: entry("v0.27.0"),
    patch: entry("v1.8.2"),
    drift: entry("v3.5.0"),
    allowed: entry("6.0.4", "Suricata 6.0 does not run here; 7.0 reads the same rules"),
    missing: entry("v0.16.0"),
    goSame: goEntry("v1.9.1"),
    goPatch: goEntry("v1.9.1"),
    goAllowed: goEntry("v3.5.0", "the UI is not embedded"),
  };
  const tested: Record<string, string | undefined> = {
    same: "0.27.0+ds-1",
    patch: "1.8.1-1",
    drift: "2.42.0+ds-5",
    allowed: "1:7.0.10-1~bpo12+1",
    missing: undefined,
    goSame: "1.9.1",
    goPatch: "1.9.0",
    goAllowed: "3.5.1",
  };
  const rows = compareTools(table, (tool) => tested[tool]);

  it("tells same, patch-only, allowed and unexplained differences and missing tools apart", () => {
    expect(rows.map((r) => [r.tool, r.status])).toEqual([
      ["same", "same"],
      ["patch", "patch differs"],
      ["drift", "drift"],
      ["allowed", "drift allowed"],
      ["missing", "not fetched"],
      ["goSame", "same"],
      ["goPatch", "drift"],
      ["goAllowed", "drift allowed"],
    ]);
  });

  it("fails on an unexplained major.minor difference of a Debian package, on any difference of a Go build and on a missing tool, each saying what to do", () => {
    expect(versionProblems(rows)).toEqual([
      "drift: the tests run 2.42.0+ds-5 (2.42) but the stack deploys v3.5.0 (3.5, settings/images.ts IMAGES.x): fetch the deployed release line in toolchain/versions.ts, or write the reason in its `allowedDrift`",
      "missing: not in the tool cache (pkg/trixie): run `npm run fetch-tools`",
      "goPatch: the tests run 1.9.0 (built from example.com/tool@v1.9.1) but the stack deploys v1.9.1 (settings/images.ts IMAGES.y): build the deployed module version in toolchain/versions.ts, or write the reason in its `allowedDrift`",
    ]);
    expect(
      versionProblems(rows.filter((r) => ["same", "patch", "allowed", "goSame", "goAllowed"].includes(r.tool))),
    ).toEqual([]);
  });

  it("prints deployed, where it is pinned, tested and the reason side by side", () => {
    const report = versionReport(rows).split("\n");
    expect(report[0]).toBe("| tool | deployed | pinned in | tested | from | status |");
    expect(report).toContain("| patch | v1.8.2 | settings/images.ts IMAGES.x | 1.8.1-1 | pkg/trixie | patch differs |");
    expect(report).toContain(
      "| allowed | 6.0.4 | settings/images.ts IMAGES.x | 1:7.0.10-1~bpo12+1 | pkg/trixie | drift allowed: Suricata 6.0 does not run here; 7.0 reads the same rules |",
    );
    expect(report).toContain("| missing | v0.16.0 | settings/images.ts IMAGES.x | — | pkg/trixie | not fetched |");
    expect(report).toContain(
      "| goSame | v1.9.1 | settings/images.ts IMAGES.y | 1.9.1 | example.com/tool@v1.9.1 | same |",
    );
  });
});

describe("deployed services no test can run", () => {
  const rows = unavailableRows({
    x: { deployed: "1.2.3", deployedFrom: "settings/images.ts IMAGES.x", source: "example.com/x", reason: "refused" },
  });

  it("are printed with where they would come from and why not, and never fail the report", () => {
    expect(versionReport(rows)).toContain(
      "| x | 1.2.3 | settings/images.ts IMAGES.x | — | example.com/x | not run by any test: refused |",
    );
    expect(versionProblems(rows)).toEqual([]);
  });

  it("Grafana is one, at the deployed tag, with the refusal and what runs instead", () => {
    expect(UNAVAILABLE_TOOLS.grafana.deployed).toBe(IMAGES.grafana.split(":")[1]);
    expect(UNAVAILABLE_TOOLS.grafana.reason).toMatch(/403 Forbidden/);
    expect(UNAVAILABLE_TOOLS.grafana.reason).toMatch(/tests\/lab\/e2e\/alerting\.test\.ts/);
  });

  it("Loki and Alloy are two, at the deployed tags, for the AGPL rule of the workplace's package list", () => {
    expect(UNAVAILABLE_TOOLS.loki.deployed).toBe(IMAGES.loki.split(":")[1]);
    expect(UNAVAILABLE_TOOLS.alloy.deployed).toBe(IMAGES.alloy.split(":")[1]);
    for (const tool of [UNAVAILABLE_TOOLS.loki, UNAVAILABLE_TOOLS.alloy])
      expect(tool.reason).toMatch(/not-to-use.*AGPL.*not exercised$/);
  });

  it("the socket proxy is one, at the deployed tag, with the proxy's refusal", () => {
    expect(UNAVAILABLE_TOOLS.socketProxy.deployed).toBe(IMAGES.socketProxy.split(":")[1]);
    expect(UNAVAILABLE_TOOLS.socketProxy.reason).toMatch(/403 Forbidden.*not exercised$/);
  });

  it("is never also in the table of tools the tests fetch", () => {
    expect(Object.keys(UNAVAILABLE_TOOLS).filter((tool) => tool in TOOL_VERSIONS)).toEqual([]);
  });
});

describe("the tool cache lookups", () => {
  it("lives where KOPROGO_TOOLS_DIR says, else under XDG_CACHE_HOME, else ~/.cache", () => {
    expect(toolCacheDir({ KOPROGO_TOOLS_DIR: "/srv/tools" })).toBe("/srv/tools");
    expect(toolCacheDir({ XDG_CACHE_HOME: "/x" })).toBe("/x/koprogo-observability/tools");
    expect(toolCacheDir({})).toMatch(/\/\.cache\/koprogo-observability\/tools$/);
  });

  it("names every binary once across the table (toolPath finds a binary by its name alone)", () => {
    const names = (Object.values(TOOL_VERSIONS) as readonly ToolVersion[]).flatMap((entry) =>
      Object.keys(entry.binaries),
    );
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
  });

  it("keys a Debian package's folder by package and suite, a Go build's by module, version and recipe", () => {
    expect(sourceDir({ kind: "debian", package: "nginx", suite: "trixie" }, "/c")).toBe("/c/nginx/trixie");
    expect(sourceDir(GO_SOURCE, "/c")).toBe(`/c/go/example.com/tool/v1.2.3-${goSourceKey(GO_SOURCE)}`);
  });

  it("finds a binary under its tool's root", () => {
    const { fetch, binaries } = TOOL_VERSIONS.prometheus;
    expect(toolPath("promtool", "/c")).toBe(path.join(sourceDir(fetch, "/c"), "root", binaries.promtool));
    expect(() => toolPath("nope" as never)).toThrow('unknown tool binary "nope"');
  });

  it("says to run npm run fetch-tools for a fetched tool, and the system packages for the others", () => {
    expect(missingToolsAdvice(["/c/prometheus/sid/root/usr/bin/promtool", "/usr/sbin/fail2ban-client"], "/c")).toBe(
      "missing /c/prometheus/sid/root/usr/bin/promtool: run `npm run fetch-tools` (the deployed versions, toolchain/versions.ts); missing /usr/sbin/fail2ban-client: install the system packages (.ci/run's apt-get line)",
    );
  });
});

/** A made-up module with every field, for the pure parts of the Go build. */
const GO_SOURCE: GoSource = {
  kind: "go",
  module: "example.com/tool",
  version: "v1.2.3",
  programs: { tool: "example.com/tool/cmd/tool", toolctl: "example.com/tool/cmd/toolctl" },
  replace: {
    "example.com/dep v1.8.0": "example.com/dep v1.7.0",
    "example.com/tool/sub": "example.com/tool/sub v0.4.0",
  },
  exclude: ["example.com/old v1.0.0"],
  tags: ["netgo", "builtinassets"],
  ldflags: promuLdflags,
  assets: ["public", "conf/defaults.ini"],
};

/** What `go mod edit -json` prints for GO_SOURCE's upstream go.mod (with its local-path replace). */
const UPSTREAM: GoModJson = {
  Module: { Path: "example.com/tool" },
  Go: "1.24.0",
  Require: [
    { Path: "example.com/dep", Version: "v1.8.0" },
    { Path: "example.com/tool/sub", Version: "v0.0.0-00010101000000-000000000000" },
    { Path: "example.com/lib", Version: "v2.0.1", Indirect: true },
  ],
  Exclude: [{ Path: "example.com/old", Version: "v1.0.0" }],
  Replace: [
    { Old: { Path: "example.com/dep", Version: "v1.8.0" }, New: { Path: "example.com/dep", Version: "v1.7.0" } },
    { Old: { Path: "example.com/tool/sub" }, New: { Path: "./sub" } },
  ],
};

describe("the wrapper module of a Go build", () => {
  it("requires the module at its version and repeats its replace and exclude lines", () => {
    expect(wrapperGoMod(GO_SOURCE)).toBe(
      [
        "// Generated by toolchain/goBuild.ts: builds example.com/tool@v1.2.3 with the build list of its go.mod.",
        "module koprogo-observability.local/toolchain/example.com/tool",
        "",
        "go 1.17",
        "",
        "require example.com/tool v1.2.3",
        "",
        "replace (",
        "\texample.com/dep v1.8.0 => example.com/dep v1.7.0",
        "\texample.com/tool/sub => example.com/tool/sub v0.4.0",
        ")",
        "",
        "exclude (",
        "\texample.com/old v1.0.0",
        ")",
        "",
      ].join("\n"),
    );
  });

  it("builds from the module's writable copy when it has prepare steps (generated assets)", () => {
    const withUi: GoSource = { ...GO_SOURCE, prepare: [{ cwd: "web/ui", argv: ["npm", "ci"] }] };
    expect(wrapperGoMod(withUi)).toContain("\texample.com/tool => ./src\n");
    expect(goSourceKey(withUi)).not.toBe(goSourceKey(GO_SOURCE));
  });

  it("has no replace or exclude block when upstream has none", () => {
    expect(wrapperGoMod({ ...GO_SOURCE, replace: undefined, exclude: undefined })).not.toMatch(/replace|exclude/);
  });

  it.each<[string, Partial<GoSource>, string]>([
    [
      "a local-path replace",
      { replace: { "example.com/tool/sub": "./sub" } },
      "is a local path: write the published module version",
    ],
    ["a replace without version", { replace: { "example.com/dep": "example.com/dep" } }, "needs a version"],
    ["a module version that is not semver", { version: "latest" }, 'module and version: "example.com/tool latest"'],
    ["no programs", { programs: {} }, "`programs` is empty"],
    [
      "a program outside the module",
      { programs: { x: "example.org/x" } },
      '`programs.x` "example.org/x" is not a package of the module',
    ],
    ["a program name with a slash", { programs: { "a/b": "example.com/tool/a" } }, 'program name "a/b"'],
    ["a tag with a space", { tags: ["net go"] }, 'build tag "net go"'],
    ["an asset outside the module", { assets: ["../etc"] }, 'asset "../etc" is not a path inside the module'],
    ["an exclude without version", { exclude: ["example.com/old"] }, "needs a version"],
    ["a prepare step with no command", { prepare: [{ cwd: "web/ui", argv: [] }] }, "has no command"],
  ])("refuses %s, naming it", (_, change, message) => {
    expect(() => validateGoSource({ ...GO_SOURCE, ...change })).toThrow(message);
    expect(() => wrapperGoMod({ ...GO_SOURCE, ...change })).toThrow(message);
  });
});

describe("the checks of a Go build against upstream's go.mod", () => {
  it("accepts the table when it repeats every replace (a local one as a published version) and exclude", () => {
    expect(directiveProblems(GO_SOURCE, UPSTREAM)).toEqual([]);
  });

  it("names a replace or exclude of upstream the table lacks, one it adds, and one it changes", () => {
    const changed: GoSource = {
      ...GO_SOURCE,
      replace: { "example.com/dep v1.8.0": "example.com/dep v1.6.0", "example.com/extra": "example.com/extra v1.0.0" },
      exclude: [],
    };
    expect(directiveProblems(changed, UPSTREAM)).toEqual([
      "example.com/tool@v1.2.3: its go.mod replaces example.com/dep v1.8.0 with example.com/dep v1.7.0, toolchain/versions.ts with example.com/dep v1.6.0",
      "example.com/tool@v1.2.3: its go.mod has `replace example.com/tool/sub => ./sub`, which toolchain/versions.ts does not repeat (write the published version of that folder)",
      "example.com/tool@v1.2.3: toolchain/versions.ts replaces example.com/extra, which its go.mod does not",
      "example.com/tool@v1.2.3: its go.mod excludes example.com/old v1.0.0, which toolchain/versions.ts does not repeat",
    ]);
  });

  it("accepts a build list with every required module at its required version, and names each that differs", () => {
    const selected = [
      { Path: "koprogo-observability.local/toolchain/example.com/tool", Main: true },
      { Path: "example.com/tool", Version: "v1.2.3" },
      { Path: "example.com/dep", Version: "v1.8.0" },
      { Path: "example.com/tool/sub", Version: "v0.0.0-00010101000000-000000000000" },
      { Path: "example.com/lib", Version: "v2.0.1" },
    ];
    expect(buildListProblems(GO_SOURCE, UPSTREAM, selected)).toEqual([]);
    expect(
      buildListProblems(GO_SOURCE, UPSTREAM, [...selected.slice(0, 4), { Path: "example.com/lib", Version: "v2.1.0" }]),
    ).toEqual(["example.com/tool@v1.2.3: the wrapper builds with example.com/lib v2.1.0, its go.mod requires v2.0.1"]);
    expect(buildListProblems(GO_SOURCE, UPSTREAM, selected.slice(0, 4))).toEqual([
      "example.com/tool@v1.2.3: the wrapper builds with example.com/lib (absent), its go.mod requires v2.0.1",
    ]);
  });
});

describe("the go build command of a Go source", () => {
  const stamp = goStamp(GO_SOURCE, "1.2.3\n", "2025-07-14T16:17:09Z");

  it("stamps the module's VERSION file, else its version, and the proxy's time", () => {
    expect(stamp).toEqual({ version: "1.2.3", revision: "v1.2.3", date: new Date("2025-07-14T16:17:09Z") });
    expect(goStamp({ ...GO_SOURCE, version: "v0.305.0" }, "3.5.0\n", "2025-07-14T16:17:09Z").version).toBe("3.5.0");
    expect(goStamp(GO_SOURCE, undefined, "2025-07-14T16:17:09Z").version).toBe("1.2.3");
    expect(() => goStamp(GO_SOURCE, "main\n", "2025-07-14T16:17:09Z")).toThrow('its VERSION file says "main"');
    expect(() => goStamp(GO_SOURCE, undefined, "soon")).toThrow('the proxy\'s time "soon" is not a date');
  });

  it("passes the release's tags and promu's -X version flags", () => {
    expect(promuDate(new Date("2025-03-07T04:05:06Z"))).toBe("20250307-04:05:06");
    expect(goBuildArgs(GO_SOURCE, "toolctl", "/r/bin/toolctl", stamp)).toEqual([
      "build",
      "-o",
      "/r/bin/toolctl",
      "-tags",
      "netgo,builtinassets",
      "-ldflags",
      [
        "-X github.com/prometheus/common/version.Version=1.2.3",
        "-X github.com/prometheus/common/version.Revision=v1.2.3",
        "-X github.com/prometheus/common/version.Branch=HEAD",
        "-X github.com/prometheus/common/version.BuildUser=koprogo-observability@toolchain",
        "-X github.com/prometheus/common/version.BuildDate=20250714-16:17:09",
      ].join(" "),
      "example.com/tool/cmd/toolctl",
    ]);
    expect(goBuildArgs({ ...GO_SOURCE, tags: [], ldflags: undefined }, "tool", "/r/bin/tool", stamp)).toEqual([
      "build",
      "-o",
      "/r/bin/tool",
      "example.com/tool/cmd/tool",
    ]);
    expect(() => goBuildArgs(GO_SOURCE, "nope", "/r/bin/nope", stamp)).toThrow('no program "nope"');
  });

  it("uses the machine's Go only, -trimpath, and cgo only where the release does", () => {
    const env = goBuildEnv(GO_SOURCE, { PATH: "/usr/bin", GOTOOLCHAIN: "auto", CGO_ENABLED: "1" });
    expect(env).toMatchObject({ PATH: "/usr/bin", GOTOOLCHAIN: "local", GOFLAGS: "-trimpath", CGO_ENABLED: "0" });
    expect(goBuildEnv({ ...GO_SOURCE, cgo: true }, {}).CGO_ENABLED).toBe("1");
  });

  it("keys the cache on the recipe: another tag, flag or version is another folder", () => {
    const key = goSourceKey(GO_SOURCE);
    expect(key).toMatch(/^[0-9a-f]{12}$/);
    expect(goSourceKey({ ...GO_SOURCE })).toBe(key);
    expect(goSourceKey({ ...GO_SOURCE, tags: ["netgo"] })).not.toBe(key);
    expect(goSourceKey({ ...GO_SOURCE, ldflags: undefined })).not.toBe(key);
    expect(goSourceKey({ ...GO_SOURCE, version: "v1.2.4" })).not.toBe(key);
    expect(goSourceKey({ ...GO_SOURCE, cgo: true })).not.toBe(key);
  });

  it("reads go list's stream of JSON objects, braces inside strings included", () => {
    expect(parseJsonStream('{"Path":"a","X":{"Y":"}{"}}\n{"Path":"b\\"}"}\n')).toEqual([
      { Path: "a", X: { Y: "}{" } },
      { Path: 'b"}' },
    ]);
    expect(() => parseJsonStream('{"Path":"a"')).toThrow("unfinished JSON object");
  });
});

describe("the Go source helpers", () => {
  it("puts every program under bin/, named as in the table", () => {
    expect(goBinaries(GO_SOURCE.programs)).toEqual({ tool: "bin/tool", toolctl: "bin/toolctl" });
  });

  it("names a source by module@version or package/suite", () => {
    expect(sourceLabel(GO_SOURCE)).toBe("example.com/tool@v1.2.3");
    expect(sourceLabel({ kind: "debian", package: "nginx", suite: "trixie" })).toBe("nginx/trixie");
  });

  it.each([
    ["v3.5.0", "v0.305.0"],
    ["3.10.2", "v0.310.2"],
  ])("maps Prometheus %s to its Go module version %s", (release, module) => {
    expect(prometheusModuleVersion(release)).toBe(module);
  });

  it.each(["v2.53.0", "v3.5", "latest"])("refuses %j as a Prometheus 3.x release", (release) => {
    expect(() => prometheusModuleVersion(release)).toThrow("not a Prometheus 3.x release");
  });
});

describe("publishing into the shared cache", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "toolchain-publish-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("works in a folder of its own and renames it into place with its version", () => {
    const final = path.join(dir, "tool");
    const partial = partialDir(final);
    expect(partial).toBe(`${final}.partial-${process.pid}`);
    fs.writeFileSync(path.join(partial, "file"), "x");
    expect(publishedVersion(final)).toBeUndefined();
    expect(publishDir(partial, final, "1.2.3")).toBe("1.2.3");
    expect(publishedVersion(final)).toBe("1.2.3");
    expect(fs.existsSync(partial)).toBe(false);
  });

  it("keeps the version another process published first, and drops its own copy", () => {
    const final = path.join(dir, "tool");
    fs.mkdirSync(path.join(final, "root"), { recursive: true });
    fs.writeFileSync(path.join(final, "version"), "1.2.3\n");
    const partial = partialDir(final);
    expect(publishDir(partial, final, "1.2.3")).toBe("1.2.3");
    expect(fs.existsSync(partial)).toBe(false);
  });

  it("removes what a process that no longer runs left, never a running one's folder", () => {
    const final = path.join(dir, "tool");
    const gone = spawnSync("true").pid;
    fs.mkdirSync(`${final}.partial-${gone}`, { recursive: true });
    fs.mkdirSync(`${final}.partial-1`, { recursive: true }); // pid 1 always runs
    partialDir(final);
    expect(fs.readdirSync(dir).sort()).toEqual([`tool.partial-${process.pid}`, "tool.partial-1"].sort());
  });
});

describe("the Go sources of the table", () => {
  const goTools = (Object.entries(TOOL_VERSIONS) as [string, ToolVersion][]).filter(
    (entry): entry is [string, ToolVersion & { fetch: GoSource }] => entry[1].fetch.kind === "go",
  );

  it.each(goTools)("%s: is a valid Go source whose binaries are its programs under bin/", (_, entry) => {
    expect(() => validateGoSource(entry.fetch)).not.toThrow();
    expect(Object.values(entry.binaries).sort()).toEqual(Object.values(goBinaries(entry.fetch.programs)).sort());
  });

  it.each(goTools)("%s: builds the deployed version's module", (_, entry) => {
    const module = entry.fetch.module === "github.com/prometheus/prometheus";
    expect(entry.fetch.version).toBe(module ? prometheusModuleVersion(entry.deployed) : entry.deployed);
  });

  it("stamps Traefik as its release does (version, codename, RFC 3339 build date, stripped)", () => {
    const stamp = goStamp(TOOL_VERSIONS.traefik.fetch, undefined, "2026-05-11T12:44:04Z");
    expect(traefikLdflags("ramequin")(stamp)).toEqual([
      "-s",
      "-w",
      `-X github.com/traefik/traefik/v3/pkg/version.Version=${TOOL_VERSIONS.traefik.deployed}`,
      "-X github.com/traefik/traefik/v3/pkg/version.Codename=ramequin",
      "-X github.com/traefik/traefik/v3/pkg/version.BuildDate=2026-05-11T12:44:04Z",
    ]);
  });
});

/** How each Go-built binary prints its version (promu's `--version`, Traefik's `version` command). */
const VERSION_COMMANDS = [
  ["prometheus", ["--version"]],
  ["promtool", ["--version"]],
  ["alertmanager", ["--version"]],
  ["amtool", ["--version"]],
  ["nodeExporter", ["--version"]],
  ["postgresExporter", ["--version"]],
  ["traefik", ["version"]],
] as const;

describeWithTools(
  "the Go-built binaries",
  VERSION_COMMANDS.map(([binary]) => toolPath(binary)),
  () => {
    it.each(VERSION_COMMANDS)("%s prints the deployed version, as the release does", (binary, args) => {
      const tool = (Object.keys(TOOL_VERSIONS) as (keyof typeof TOOL_VERSIONS)[]).find(
        (name) => binary in TOOL_VERSIONS[name].binaries,
      )!;
      // Some print it on stderr (postgres_exporter 0.17's kingpin), the others on stdout: both are read.
      const result = spawnSync(toolPath(binary), args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
      expect(result.status).toBe(0);
      const printed = `${result.stdout}${result.stderr}`;
      const deployed = TOOL_VERSIONS[tool].deployed.replace(/^v/, "");
      expect(printed).toMatch(new RegExp(`(version|Version:)\\s+v?${deployed.replace(/\./g, "\\.")}\\b`));
    });
  },
);

const EVERY_BINARY = (Object.values(TOOL_VERSIONS) as readonly ToolVersion[])
  .flatMap((entry) => Object.keys(entry.binaries))
  .map((binary) => toolPath(binary as Parameters<typeof toolPath>[0]));

describeWithTools("the tools the tests run", EVERY_BINARY, () => {
  it("are the deployed release line of every tool, or differ for a written reason", () => {
    expect(versionProblems(compareTools(TOOL_VERSIONS, cachedVersion))).toEqual([]);
  });
});
