/**
 * The documentation says what the code does: its generated parts are the generators' output (`npm run docs`),
 * the README stays a ten-minute read, every relative link resolves, and every command of a `sh` block names
 * things that exist (npm scripts, stacks, config keys, secrets, stack outputs, test files, the policy pack).
 */
import * as fs from "fs";
import * as path from "path";
import { generatedDocs } from "../scripts/docs/generatedDocs";
import { referenceRows, settingsJsonSchema } from "../scripts/docs/configurationReference";
import { SECRET_NAMES } from "../settings";
import { documentationFiles } from "./helpers/docs";
import { PROJECT_DIR } from "./helpers/stacks";

const README_MAX_BYTES = 12 * 1024;

/**
 * Pages other branches write, linked from the README before they land. Each entry fails the test once the page
 * exists, so the list empties itself as the branches merge.
 */
const PAGES_WRITTEN_ELSEWHERE: string[] = [];

/** Programs a documented command may start with; a new one is added here on purpose, with what to check of it. */
const KNOWN_PROGRAMS = new Set([
  "npm",
  "npx",
  "pulumi",
  "bash",
  "export",
  "ssh",
  "ssh-keygen",
  "ssh-keyscan",
  "sudo",
  "ufw",
  "echo",
]);

const read = (file: string) => fs.readFileSync(path.join(PROJECT_DIR, file), "utf8");
const files = documentationFiles();

describe("the generated documentation", () => {
  it.each(generatedDocs(PROJECT_DIR).map((doc) => [doc.file, doc]))("%s is what `npm run docs` writes", (_, doc) => {
    expect(read(doc.file)).toBe(doc.content);
  });
});

describe("the README", () => {
  it(`is at most ${README_MAX_BYTES / 1024} KB: a ten-minute read, the detail in docs/`, () => {
    expect(Buffer.byteLength(read("README.md"))).toBeLessThanOrEqual(README_MAX_BYTES);
  });

  it("links every page of docs/", () => {
    const readme = read("README.md");
    for (const page of files.filter((f) => f.startsWith("docs/")))
      expect([page, readme.includes(`](${page}`)]).toEqual([page, true]);
  });
});

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");
}

function anchorsOf(markdown: string): Set<string> {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, "");
  return new Set([...withoutCode.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchorOf(m[1])));
}

/** The relative links of a Markdown file (outside code blocks): target file and optional anchor. */
function relativeLinks(markdown: string): { target: string; anchor?: string }[] {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "");
  return [...withoutCode.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1])
    .filter((href) => !/^[a-z]+:/.test(href))
    .map((href) => {
      const [target, anchor] = href.split("#");
      return { target, anchor };
    });
}

describe.each(files)("the links of %s", (file) => {
  const markdown = read(file);

  it("resolve: the file, and the heading of an anchor", () => {
    const broken: string[] = [];
    for (const { target, anchor } of relativeLinks(markdown)) {
      const resolved = target === "" ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), target));
      if (PAGES_WRITTEN_ELSEWHERE.includes(resolved)) continue;
      const full = path.join(PROJECT_DIR, resolved);
      if (!fs.existsSync(full)) {
        broken.push(`${target}: no such file`);
        continue;
      }
      if (anchor && resolved.endsWith(".md") && !anchorsOf(fs.readFileSync(full, "utf8")).has(anchor))
        broken.push(`${target}#${anchor}: no such heading`);
    }
    expect(broken).toEqual([]);
  });
});

/** Every text file of the project that may name a page: code, Markdown, stack files, workflows. */
function projectTextFiles(dir = ""): string[] {
  const skip = new Set(["node_modules", ".git", "bin", "out", "rendered", "scratch"]);
  return fs.readdirSync(path.join(PROJECT_DIR, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return skip.has(entry.name) ? [] : projectTextFiles(relative);
    return /\.(ts|md|ya?ml|json)$/.test(entry.name) && entry.name !== "package-lock.json" ? [relative] : [];
  });
}

/**
 * A page named in prose rather than linked: `README "Deploying"`, `docs/operator/deploying.md "Prepare the VPS"` (a page
 * and one of its headings), or a bare `docs/operator/logs.md`. Stack files, comments and runbooks read during incidents
 * use them; each must lead somewhere.
 */
function namedReferences(text: string): { page: string; heading?: string }[] {
  const found: { page: string; heading?: string }[] = [];
  for (const m of text.matchAll(/\b(README|docs\/[A-Za-z0-9/_-]+\.md)(?:\.md)?(?: "([^"\n]+)")?/g))
    found.push({ page: m[1] === "README" ? "README.md" : m[1], ...(m[2] ? { heading: m[2] } : {}) });
  return found;
}

describe("pages and sections named in prose", () => {
  it('resolve: every `README "Section"`, `docs/<page>.md "Section"` and `docs/<page>.md` of the project', () => {
    const broken: string[] = [];
    // This file names the forms themselves.
    for (const file of projectTextFiles().filter((f) => f !== "tests/docs.test.ts")) {
      for (const { page, heading } of namedReferences(read(file))) {
        if (!fs.existsSync(path.join(PROJECT_DIR, page))) broken.push(`${file}: ${page}: no such page`);
        else if (heading && !anchorsOf(read(page)).has(anchorOf(heading)))
          broken.push(`${file}: ${page} "${heading}": no such heading`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("reads both forms", () => {
    expect(
      namedReferences('see README "Deploying" and docs/operator/logs.md, docs/operator/deploying.md "Prepare the VPS"'),
    ).toEqual([
      { page: "README.md", heading: "Deploying" },
      { page: "docs/operator/logs.md" },
      { page: "docs/operator/deploying.md", heading: "Prepare the VPS" },
    ]);
  });
});

describe("the pages written on other branches", () => {
  it("are none now that every branch has landed its page (add one here before linking it from the README)", () => {
    expect(PAGES_WRITTEN_ELSEWHERE.filter((page) => fs.existsSync(path.join(PROJECT_DIR, page)))).toEqual([]);
  });
});

/** The commands of every `sh` block: comments dropped, continued lines joined. */
function shCommands(markdown: string): string[] {
  const blocks = [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
  return blocks.flatMap((block) =>
    block
      .replace(/\\\n/g, " ")
      .split("\n")
      .map((line) => line.replace(/(^|\s)#.*$/, "").trim())
      .filter((line) => line !== ""),
  );
}

const scripts = Object.keys((JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts);
const configKeys = new Set([...referenceRows(settingsJsonSchema(), new Map()).map((r) => r.key), ...SECRET_NAMES]);
const stackOutputs = new Set([...read("index.ts").matchAll(/^export const (\w+)/gm)].map((m) => m[1]));
const stackExists = (name: string) => fs.existsSync(path.join(PROJECT_DIR, `Pulumi.${name}.yaml`));

/** What is wrong with one documented command; empty when every name in it exists. */
function commandProblems(command: string): string[] {
  const words = command.split(/\s+/);
  const problems: string[] = [];
  const program = words[0];
  if (!KNOWN_PROGRAMS.has(program)) problems.push(`\`${program}\` is not a program the docs may use (KNOWN_PROGRAMS)`);
  const flag = (name: string) => {
    const i = words.indexOf(name);
    return i >= 0 ? words[i + 1] : undefined;
  };
  const stack = flag("--stack");
  if (stack && !stackExists(stack)) problems.push(`stack ${stack} has no Pulumi.${stack}.yaml`);
  const pack = flag("--policy-pack");
  if (pack && !fs.existsSync(path.join(PROJECT_DIR, pack, "PulumiPolicy.yaml")))
    problems.push(`policy pack ${pack} does not exist`);
  if (program === "npm" && words[1] === "run" && !scripts.includes(words[2]))
    problems.push(`npm script ${words[2]} is not in package.json`);
  if (program === "npm" && !["run", "test", "ci"].includes(words[1]))
    problems.push(`npm ${words[1]} is not a command the project documents`);
  if (program === "npx" && words[1] === "jest") {
    for (const file of words.slice(2).filter((w) => !w.startsWith("-")))
      if (!fs.existsSync(path.join(PROJECT_DIR, file))) problems.push(`test file ${file} does not exist`);
  }
  if (program === "bash" && !fs.existsSync(path.join(PROJECT_DIR, words[1])))
    problems.push(`script ${words[1]} does not exist`);
  if (program === "pulumi" && words[1] === "config" && words[2] === "set") {
    const key = words
      .slice(3)
      .filter((w, i, all) => !w.startsWith("-") && all[i - 1] !== "--stack")[0]
      ?.replace(/^'|'$/g, "");
    if (!key || !configKeys.has(key)) problems.push(`config key ${key} is not in the settings schema nor a secret`);
  }
  if (program === "pulumi" && words[1] === "stack" && words[2] === "output") {
    const name = words.slice(3).filter((w, i, all) => !w.startsWith("-") && all[i - 1] !== "--stack")[0];
    if (name && !stackOutputs.has(name)) problems.push(`stack output ${name} is not exported by index.ts`);
  }
  if (program === "pulumi" && words[1] === "stack" && ["init", "select"].includes(words[2]) && !stackExists(words[3]))
    problems.push(`stack ${words[3]} has no Pulumi.${words[3]}.yaml`);
  return problems;
}

describe("the commands of the documentation", () => {
  const commands = files.flatMap((file) => shCommands(read(file)).map((command) => ({ file, command })));

  it("are found in the README and docs/", () => {
    expect(commands.filter((c) => c.file === "README.md").length).toBeGreaterThan(5);
    expect(commands.length).toBeGreaterThan(30);
  });

  it("name only scripts, stacks, config keys, secrets, outputs and files that exist", () => {
    const problems = commands.flatMap(({ file, command }) =>
      commandProblems(command).map((p) => `${file}: ${command}: ${p}`),
    );
    expect(problems).toEqual([]);
  });

  it.each([
    ["npm run deploy", "npm script deploy"],
    ["pulumi config set prometheus.retentoin 15d", "config key prometheus.retentoin"],
    ["pulumi config set --secret slackWebhookUrll x", "config key slackWebhookUrll"],
    ["npm run render -- --stack qa --out out/qa", "stack qa"],
    ["npx jest tests/nothing.test.ts", "test file tests/nothing.test.ts"],
    ["pulumi stack output --show-secrets adminPassword", "stack output adminPassword"],
    ["curl http://x", "`curl`"],
  ])("catch a wrong name: %s", (command, expected) => {
    expect(commandProblems(command).join("\n")).toContain(expected);
  });

  it("accept the right ones", () => {
    expect(commandProblems("pulumi config set --stack prod --secret grafanaAdminPassword '...'")).toEqual([]);
    expect(commandProblems("pulumi config set --path prometheus.retention 15d")).toEqual([]);
  });
});
