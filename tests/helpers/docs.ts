/** The project's documentation as tests read it: the README and every page of `docs/`. */
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
