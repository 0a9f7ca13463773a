/**
 * The toolchain: reading the machine's apt sources, deriving the other suites' sources, the version comparison of
 * `npm run versions`, and the cache lookups. And, with the tools fetched, that the tests really run the deployed
 * release line of every tool.
 */
import * as path from "path";
import { missingToolsAdvice, toolCacheDir, toolPath } from "../toolchain/cache";
import { derivedSourcesList, parseDeb822 } from "../toolchain/fetch";
import { cachedVersion, compareTools, upstreamVersion, versionProblems, versionReport } from "../toolchain/report";
import { majorMinor, TOOL_VERSIONS, type ToolVersion } from "../toolchain/versions";
import { describeWithTools } from "./helpers/tools";

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
    fetch: { package: "pkg", suite: "trixie" },
    binaries: {},
    allowedDrift,
  });
  const table = {
    same: entry("v0.27.0"),
    patch: entry("v1.8.2"),
    drift: entry("v3.5.0"),
    allowed: entry("6.0.4", "Suricata 6.0 does not run here; 7.0 reads the same rules"),
    missing: entry("v0.16.0"),
  };
  const tested: Record<string, string | undefined> = {
    same: "0.27.0+ds-1",
    patch: "1.8.1-1",
    drift: "2.42.0+ds-5",
    allowed: "1:7.0.10-1~bpo12+1",
    missing: undefined,
  };
  const rows = compareTools(table, (tool) => tested[tool]);

  it("tells same, patch-only, allowed and unexplained differences and missing tools apart", () => {
    expect(rows.map((r) => [r.tool, r.status])).toEqual([
      ["same", "same"],
      ["patch", "patch differs"],
      ["drift", "drift"],
      ["allowed", "drift allowed"],
      ["missing", "not fetched"],
    ]);
  });

  it("fails only on an unexplained major.minor difference and on a missing tool, each saying what to do", () => {
    expect(versionProblems(rows)).toEqual([
      "drift: the tests run 2.42.0+ds-5 (2.42) but the stack deploys v3.5.0 (3.5, settings/images.ts IMAGES.x): fetch the deployed release line in toolchain/versions.ts, or write the reason in its `allowedDrift`",
      "missing: not in the tool cache (pkg/trixie): run `npm run fetch-tools`",
    ]);
    expect(versionProblems(rows.filter((r) => ["same", "patch", "allowed"].includes(r.tool)))).toEqual([]);
  });

  it("prints deployed, where it is pinned, tested and the reason side by side", () => {
    const report = versionReport(rows).split("\n");
    expect(report[0]).toBe("| tool | deployed | pinned in | tested | from | status |");
    expect(report).toContain("| patch | v1.8.2 | settings/images.ts IMAGES.x | 1.8.1-1 | pkg/trixie | patch differs |");
    expect(report).toContain(
      "| allowed | 6.0.4 | settings/images.ts IMAGES.x | 1:7.0.10-1~bpo12+1 | pkg/trixie | drift allowed: Suricata 6.0 does not run here; 7.0 reads the same rules |",
    );
    expect(report).toContain("| missing | v0.16.0 | settings/images.ts IMAGES.x | — | pkg/trixie | not fetched |");
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

  it("finds a binary in its package's unpacked root, keyed by package and suite", () => {
    expect(toolPath("promtool", "/c")).toBe(
      path.join(
        "/c",
        TOOL_VERSIONS.prometheus.fetch.package,
        TOOL_VERSIONS.prometheus.fetch.suite,
        "root/usr/bin/promtool",
      ),
    );
    expect(() => toolPath("nope" as never)).toThrow('unknown tool binary "nope"');
  });

  it("says to run npm run fetch-tools for a fetched tool, and the system packages for the others", () => {
    expect(missingToolsAdvice(["/c/prometheus/sid/root/usr/bin/promtool", "/usr/sbin/fail2ban-client"], "/c")).toBe(
      "missing /c/prometheus/sid/root/usr/bin/promtool: run `npm run fetch-tools` (the deployed versions, toolchain/versions.ts); missing /usr/sbin/fail2ban-client: install the system packages (.ci/run's apt-get line)",
    );
  });
});

const EVERY_BINARY = (Object.values(TOOL_VERSIONS) as readonly ToolVersion[])
  .flatMap((entry) => Object.keys(entry.binaries))
  .map((binary) => toolPath(binary as Parameters<typeof toolPath>[0]));

describeWithTools("the tools the tests run", EVERY_BINARY, () => {
  it("are the deployed release line of every tool, or differ for a written reason", () => {
    expect(versionProblems(compareTools(TOOL_VERSIONS, cachedVersion))).toEqual([]);
  });
});
