/** The project's documentation as tests read it: the README and every page of `docs/`, and what refers to them. */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "./stacks";

/** Paths (relative to the project) of the README and of every Markdown page under `docs/`, its folders included. */
export function documentationFiles(): string[] {
  const docs = path.join(PROJECT_DIR, "docs");
  const pages = fs.existsSync(docs)
    ? fs
        .readdirSync(docs, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile() && entry.name.endsWith(".md"))
        .map((entry) => path.relative(PROJECT_DIR, path.join(entry.parentPath, entry.name)).split(path.sep).join("/"))
        .sort()
    : [];
  return ["README.md", ...pages];
}

/** The text of every documentation file, concatenated: for facts whose page may move (README → docs/). */
export function documentationText(): string {
  return documentationFiles()
    .map((file) => fs.readFileSync(path.join(PROJECT_DIR, file), "utf8"))
    .join("\n");
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes. */
export function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");
}

/** The anchors of a Markdown file's headings (outside code blocks). */
export function anchorsOf(markdown: string): Set<string> {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, "");
  return new Set([...withoutCode.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchorOf(m[1])));
}

/**
 * Files whose prose sends a reader to a page or a section: documentation, runbooks, stack files, workflows, and the
 * code's comments (the settings' JSDoc becomes docs/operator/configuration.md). Tests are left out: they hold wrong
 * references on purpose.
 */
export function referringFiles(): string[] {
  const tracked = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], {
    cwd: PROJECT_DIR,
    encoding: "utf8",
  });
  return tracked
    .split("\n")
    .filter((f) => /\.(md|ts|ya?ml)$/.test(f) && !f.startsWith("tests/") && !f.startsWith("node_modules/"))
    .filter((f) => fs.existsSync(path.join(PROJECT_DIR, f)))
    .sort();
}

/** A page named in prose, with the section it names if any. */
export interface PageReference {
  readonly page: string;
  readonly section?: string;
}

/**
 * The pages and sections a text names in words (links are checked apart):
 * `README "Deploying"`, `docs/operator/deploying.md, "Prepare the VPS"`, `the "Logs" section of README`, and every
 * `docs/<page>.md` or `alerts/runbooks/<page>.md` path.
 */
export function pageReferences(text: string): PageReference[] {
  const page = (name: string) => (name === "README" ? "README.md" : name);
  const quoted = String.raw`["“]([^"”\n]{2,80})["”]`;
  const named = [
    ...text.matchAll(
      new RegExp(String.raw`\b(README|(?:docs|alerts/runbooks)/[\w./-]+\.md)(?:\.md)?,? ${quoted}`, "g"),
    ),
  ].map((m) => ({ page: page(m[1]), section: m[2] }));
  const sectionOf = [
    ...text.matchAll(
      new RegExp(String.raw`the ${quoted} section of (?:the )?(README|(?:docs|alerts/runbooks)/[\w./-]+\.md)`, "g"),
    ),
  ].map((m) => ({ page: page(m[2]), section: m[1] }));
  const paths = [...text.matchAll(/(?<![\w./-])((?:docs|alerts\/runbooks)\/[\w./-]*[\w-]\.md)/g)].map((m) => ({
    page: m[1],
  }));
  return [...named, ...sectionOf, ...paths];
}

/** What of a page reference does not resolve: the page (relative to the project), then the section's heading. */
export function referenceProblem(reference: PageReference): string | undefined {
  const full = path.join(PROJECT_DIR, reference.page);
  if (!fs.existsSync(full)) return `${reference.page}: no such page`;
  if (reference.section === undefined) return undefined;
  const anchors = anchorsOf(fs.readFileSync(full, "utf8"));
  return anchors.has(anchorOf(reference.section))
    ? undefined
    : `${reference.page} "${reference.section}": no such heading`;
}
