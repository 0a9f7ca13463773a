/** The project's documentation as tests read it: the README and every page of `docs/`. */
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "./stacks";

/** Paths (relative to the project) of the README and of every Markdown page under `docs/`. */
export function documentationFiles(): string[] {
  const docs = path.join(PROJECT_DIR, "docs");
  const pages = fs.existsSync(docs)
    ? fs
        .readdirSync(docs)
        .filter((f) => f.endsWith(".md"))
        .sort()
        .map((f) => `docs/${f}`)
    : [];
  return ["README.md", ...pages];
}

/** The text of every documentation file, concatenated: for facts whose page may move (README → docs/). */
export function documentationText(): string {
  return documentationFiles()
    .map((file) => fs.readFileSync(path.join(PROJECT_DIR, file), "utf8"))
    .join("\n");
}
