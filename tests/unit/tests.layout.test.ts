/**
 * The tests sit in folders that say what they run (docs/developer/development.md, "Tests"): `unit/` runs no
 * process and no tool, `tools/` runs real tool binaries, `lab/` builds hosts (network namespaces, a Docker engine,
 * systemd). Shared code lives in `helpers/`, data in `fixtures/`. One naming convention: `<area>.<subject>.test.ts`,
 * the folder telling what kind of test it is.
 */
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../helpers/stacks";

const TESTS = path.join(PROJECT_DIR, "tests");
const KINDS = ["unit", "tools", "lab"] as const;
const SHARED = ["helpers", "fixtures"];
/** Spelled in two parts so that this file does not match itself. */
const CHILD_PROCESS_IMPORT = `from "child_${"process"}"`;

function testFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(full);
    return entry.name.endsWith(".test.ts") ? [path.relative(TESTS, full)] : [];
  });
}

describe("the test layout", () => {
  const files = testFiles(TESTS);

  it("has only the kind folders and the shared ones at the top", () => {
    const top = fs.readdirSync(TESTS, { withFileTypes: true });
    expect(top.filter((e) => !e.isDirectory()).map((e) => e.name)).toEqual([]);
    expect(top.map((e) => e.name).sort()).toEqual([...KINDS, ...SHARED].sort());
  });

  it("puts every test file under unit/, tools/ or lab/", () => {
    expect(files.length).toBeGreaterThan(80);
    expect(files.filter((f) => !KINDS.some((kind) => f.startsWith(`${kind}/`)))).toEqual([]);
  });

  it("keeps the folder as the only word for the kind (no `.real.` or `.e2e.` in names)", () => {
    expect(files.filter((f) => /\.(real|e2e|lab|unit)\.test\.ts$/.test(f))).toEqual([]);
  });

  it("starts no process from a unit test", () => {
    const spawning = files
      .filter((f) => f.startsWith("unit/"))
      .filter((f) => fs.readFileSync(path.join(TESTS, f), "utf8").includes(CHILD_PROCESS_IMPORT));
    expect(spawning).toEqual([]);
  });
});
