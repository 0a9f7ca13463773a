/**
 * Tests that survive a Renovate bump: no test spells an image reference or tag of `settings/images.ts`; they
 * read `IMAGES`, so bumping a version changes one line and breaks no test.
 */
import * as fs from "fs";
import * as path from "path";
import { IMAGES } from "../../settings/images";
import { PROJECT_DIR } from "../helpers/stacks";

function testFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "__snapshots__" ? [] : testFiles(full);
    return /\.(ts|yml|yaml|json)$/.test(entry.name) ? [full] : [];
  });
}

describe("the tests", () => {
  const files = testFiles(path.join(PROJECT_DIR, "tests"));

  it.each(Object.entries(IMAGES))("never hard-code the %s image (%s)", (_, reference) => {
    const spelled = files.filter((file) => fs.readFileSync(file, "utf8").includes(reference));
    expect(spelled.map((f) => path.relative(PROJECT_DIR, f))).toEqual([]);
  });
});
