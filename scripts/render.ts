/**
 * `npm run render -- --stack <name> --out <dir>`: writes every file the stack would put on the VPS, from
 * `Pulumi.<name>.yaml` and without the Pulumi CLI. Secrets are written as `<secret:name>` placeholders.
 */
import * as fs from "fs";
import * as path from "path";
import { renderAll } from "../stack/files";
import { loadStackFile, placeholderSecrets, StackConfigError } from "../settings";

export interface RenderOptions {
  readonly stack: string;
  readonly out: string;
  /** Directory holding the `Pulumi.<stack>.yaml` files. Defaults to the project root. */
  readonly projectDir?: string;
}

export function parseArguments(argv: readonly string[]): RenderOptions {
  const options: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (!flag.startsWith("--"))
      throw new Error(`unexpected argument "${flag}"; usage: render --stack <name> --out <dir>`);
    const value = argv[i + 1];
    if (value === undefined || value.startsWith("--"))
      throw new Error(`${flag} needs a value; usage: render --stack <name> --out <dir>`);
    options[flag.slice(2)] = value;
    i++;
  }
  const unknown = Object.keys(options).filter((key) => !["stack", "out", "project-dir"].includes(key));
  if (unknown.length > 0) throw new Error(`unknown option --${unknown[0]}; usage: render --stack <name> --out <dir>`);
  if (!options.stack || !options.out) throw new Error("usage: render --stack <name> --out <dir>");
  return { stack: options.stack, out: options.out, projectDir: options["project-dir"] };
}

/**
 * The file a render leaves in its folder, listing what it wrote. A later render into that folder removes exactly
 * those files first (so a file the stack no longer has does not linger beside the new ones), and refuses a folder
 * holding anything else: a render never mixes its files with files it did not write, nor deletes them.
 */
export const RENDER_MARKER = ".koprogo-render.json";

/** Every file under `dir`, relative to it, sorted. */
function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => !entry.isDirectory())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

/** The files an earlier render wrote into `out`, from its marker; throws when the marker is not one render wrote. */
function previousRender(out: string): string[] {
  const marker = path.join(out, RENDER_MARKER);
  let files: unknown;
  try {
    files = (JSON.parse(fs.readFileSync(marker, "utf8")) as { files?: unknown }).files;
  } catch {
    files = undefined;
  }
  const relative = (f: unknown) => typeof f === "string" && !path.isAbsolute(f) && !f.split(/[\\/]/).includes("..");
  if (!Array.isArray(files) || !files.every(relative))
    throw new Error(
      `--out ${out}: ${RENDER_MARKER} is not a render's list of files: remove the folder, or choose another`,
    );
  return files as string[];
}

/**
 * Makes `out` ready for a render: absent or empty, or holding one earlier render and nothing else, whose files
 * (and the folders they leave empty) are removed. Throws, naming the folder and what is in the way, otherwise.
 */
export function prepareOutput(out: string): void {
  if (!fs.existsSync(out)) return;
  if (!fs.statSync(out).isDirectory()) throw new Error(`--out ${out} is a file, not a folder: choose a folder`);
  const present = filesUnder(out);
  if (present.length === 0) return;
  if (!present.includes(RENDER_MARKER))
    throw new Error(
      `--out ${out} is not empty and no render wrote it (no ${RENDER_MARKER}; it holds ${present.slice(0, 3).join(", ")}${present.length > 3 ? ", ..." : ""}): render writes only into a new or empty folder, or over its own earlier output. Choose another folder, or empty this one`,
    );
  const previous = new Set(previousRender(out));
  const foreign = present.filter((f) => f !== RENDER_MARKER && !previous.has(f));
  if (foreign.length > 0)
    throw new Error(
      `--out ${out} holds files the earlier render did not write (${foreign.slice(0, 3).join(", ")}${foreign.length > 3 ? ", ..." : ""}): render would mix its files with them. Move them out, or choose another folder`,
    );
  for (const file of [...previous, RENDER_MARKER]) fs.rmSync(path.join(out, file), { force: true });
  // Folders the removed files leave empty, deepest first; `out` itself stays.
  const dirs = fs
    .readdirSync(out, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort((a, b) => b.length - a.length);
  for (const dir of dirs) if (fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
}

/**
 * Renders a stack into `out`; returns the written paths, relative to `out` (the marker not included). Nothing is
 * written if the config is invalid or `out` holds files an earlier render did not write.
 */
export function renderStack({ stack, out, projectDir = path.resolve(__dirname, "..") }: RenderOptions): string[] {
  const { settings } = loadStackFile(stack, projectDir);
  const files = renderAll(settings, placeholderSecrets(settings));
  prepareOutput(out);
  fs.mkdirSync(out, { recursive: true });
  // The list first: a render cut short still leaves a folder the next render recognises and cleans.
  fs.writeFileSync(
    path.join(out, RENDER_MARKER),
    `${JSON.stringify({ stack, files: files.map((f) => f.path) }, null, 2)}\n`,
  );
  for (const file of files) {
    const target = path.join(out, file.path);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, file.content, { mode: file.secret ? 0o600 : 0o644 });
  }
  return files.map((file) => file.path);
}

if (require.main === module) {
  try {
    const options = parseArguments(process.argv.slice(2));
    const written = renderStack(options);
    console.log(`rendered ${written.length} files of stack ${options.stack} into ${options.out}`);
  } catch (error) {
    console.error(error instanceof StackConfigError ? error.message : `render: ${(error as Error).message}`);
    process.exit(1);
  }
}
