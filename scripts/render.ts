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

/** Renders a stack into `out`; returns the written paths, relative to `out`. Nothing is written if the config is invalid. */
export function renderStack({ stack, out, projectDir = path.resolve(__dirname, "..") }: RenderOptions): string[] {
  const { settings } = loadStackFile(stack, projectDir);
  const files = renderAll(settings, placeholderSecrets(settings));
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
