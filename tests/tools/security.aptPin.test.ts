/**
 * The release-line preferences that replace `apt-mark hold` on the host agents (security/agents.ts), read by the
 * real apt of this machine: a local repository offering three versions of a package (an older one of the line, a
 * later one of the line — a security update — and one of the next line), an apt status file saying what is
 * installed, and `apt-cache policy` with the rendered preferences. The candidate must be the newest of the line,
 * whatever is installed; a hold would have kept the installed version.
 */
import * as fs from "fs";
import * as path from "path";
import { aptPreferences, releaseLine } from "../../security/agents";
import { describeWithTools, run, tempDir } from "../helpers/tools";

const PACKAGE = "koprogo-pin-probe";

function aptOptions(dir: string, installed: string): string[] {
  const status = path.join(dir, `status-${installed}`);
  fs.writeFileSync(
    status,
    [
      `Package: ${PACKAGE}`,
      "Status: install ok installed",
      "Architecture: all",
      `Version: ${installed}`,
      "Maintainer: test <test@example.invalid>",
      "Description: probe",
      "",
    ].join("\n"),
  );
  return [
    "-o",
    `Dir::Etc::SourceList=${path.join(dir, "sources.list")}`,
    "-o",
    "Dir::Etc::SourceParts=/nonexistent",
    "-o",
    `Dir::Etc::PreferencesParts=${path.join(dir, "preferences.d")}`,
    "-o",
    `Dir::Etc::Preferences=${path.join(dir, "preferences")}`,
    "-o",
    `Dir::State::Lists=${path.join(dir, "lists")}`,
    "-o",
    `Dir::Cache=${path.join(dir, "cache")}`,
    "-o",
    `Dir::State::status=${status}`,
    "-o",
    "APT::Architecture=amd64",
  ];
}

describeWithTools("the agents' release-line pin with the real apt", ["apt-get", "apt-cache"], () => {
  let dir: string;
  let remove: () => void;

  beforeAll(() => {
    ({ dir, remove } = tempDir("koprogo-aptpin"));
    const repo = path.join(dir, "repo");
    fs.mkdirSync(repo);
    for (const sub of ["lists/partial", "cache/archives/partial", "preferences.d"])
      fs.mkdirSync(path.join(dir, sub), { recursive: true });
    const stanza = (version: string) =>
      [
        `Package: ${PACKAGE}`,
        `Version: ${version}`,
        "Architecture: all",
        "Maintainer: test <test@example.invalid>",
        `Filename: ./${PACKAGE}_${version}_all.deb`,
        "Size: 1",
        "Description: probe",
        "",
      ].join("\n");
    fs.writeFileSync(
      path.join(repo, "Packages"),
      ["1:6.0.4-3", "1:6.0.4-3ubuntu0.2", "1:7.0.3-1"].map(stanza).join("\n"),
    );
    fs.writeFileSync(path.join(dir, "sources.list"), `deb [trusted=yes] file:${repo} ./\n`);
    fs.writeFileSync(path.join(dir, "preferences"), "");
    fs.writeFileSync(
      path.join(dir, "preferences.d", "koprogo-observability-suricata"),
      aptPreferences({ agent: "suricata", packages: [{ name: PACKAGE, version: "1:6.0.4-3" }] }),
    );
    const update = run("apt-get", [...aptOptions(dir, "1:6.0.4-3"), "update"]);
    if (update.status !== 0) throw new Error(`apt-get update of the local repository failed: ${update.output}`);
  });

  afterAll(() => remove());

  const candidate = (installed: string) => {
    const policy = run("apt-cache", [...aptOptions(dir, installed), "policy", PACKAGE]);
    expect(policy.status).toBe(0);
    return /Candidate: (\S+)/.exec(policy.output)?.[1];
  };

  it("pins the release line, not the exact version", () => {
    expect(releaseLine("1:6.0.4-3")).toBe("1:6.0.");
    expect(releaseLine("0.11.2-6")).toBe("0.11.");
    expect(releaseLine("1.6.8")).toBe("1.6.");
    expect(aptPreferences({ agent: "suricata", packages: [{ name: "suricata", version: "1:6.0.4-3" }] })).toContain(
      "Package: suricata\nPin: version 1:6.0.*\nPin-Priority: 1001",
    );
  });

  it("lets a security update of the line through: the installed release moves to it", () => {
    expect(candidate("1:6.0.4-3")).toBe("1:6.0.4-3ubuntu0.2");
  });

  it("never moves to the next release line, and brings a host that left the line back to it", () => {
    expect(candidate("1:6.0.4-3ubuntu0.2")).toBe("1:6.0.4-3ubuntu0.2");
    expect(candidate("1:7.0.3-1")).toBe("1:6.0.4-3ubuntu0.2");
  });

  it("would not, with no preference at all, stay on the line (the test proves something)", () => {
    fs.renameSync(
      path.join(dir, "preferences.d", "koprogo-observability-suricata"),
      path.join(dir, "koprogo-observability-suricata.off"),
    );
    try {
      expect(candidate("1:6.0.4-3")).toBe("1:7.0.3-1");
    } finally {
      fs.renameSync(
        path.join(dir, "koprogo-observability-suricata.off"),
        path.join(dir, "preferences.d", "koprogo-observability-suricata"),
      );
    }
  });
});
