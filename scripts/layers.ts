/**
 * The layers of the program and the check that no import runs back up (docs/developer/development.md, "Layers").
 *
 * `npm run layers` prints every import that points to a folder above its own, the number of such back-arrows and
 * every import circle between files; it exits non-zero when there is any. tests/unit/structure.layers.test.ts runs the
 * same check. Imports are read with the TypeScript compiler's parser: import and export declarations, `import()`,
 * `require()` and `import("…")` types. A type-only import still ties two folders together, so it counts as a
 * back-arrow; it cannot load a module, so it closes no circle.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

/**
 * Every top-level folder holding program code, bottom to top; `(root)` is `index.ts`, the program. A file may
 * import from its own folder and from folders listed before it, never from one listed after it. Groups are for
 * reading; the order inside a group is the order of the tool folders' own dependencies.
 */
export const LAYERS: readonly { readonly name: string; readonly folders: readonly string[] }[] = [
  { name: "contract", folders: ["contract"] },
  { name: "settings", folders: ["settings"] },
  { name: "render leaf", folders: ["render"] },
  {
    name: "generators",
    folders: [
      "host",
      "webauth",
      "exporters",
      "blackbox",
      "security",
      "logs",
      "alertmanager",
      "alerts",
      "prometheus",
      "dashboards",
      "grafana",
    ],
  },
  { name: "stack files", folders: ["stack"] },
  { name: "components", folders: ["components"] },
  { name: "program", folders: ["(root)"] },
  { name: "tooling", folders: ["toolchain", "policy", "e2e", "lab", "rehearsal", "bench", "scripts"] },
];

/** Folders that are not program code: tests may import any layer; the others hold no code of the program. */
const SKIPPED = new Set(["node_modules", "tests", "bin", "out", "rendered", "scratch", "seed"]);

export interface Import {
  readonly from: string;
  readonly to: string;
  /** Types only: erased by the compiler, so it cannot close a circle at run time (it still ties two folders). */
  readonly typeOnly?: boolean;
}

/** The folder a repository-relative file belongs to: its first path segment, or `(root)`. */
export function folderOf(file: string): string {
  const parts = file.split("/");
  return parts.length > 1 ? parts[0] : "(root)";
}

/** Every `.ts` file of the program, relative to `root`, sorted. */
export function programFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      if (entry.name.startsWith(".") || SKIPPED.has(entry.name)) continue;
      const relative = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(relative);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) files.push(relative);
    }
  };
  walk("");
  return files.sort();
}

/** Whether an import or export declaration brings in types only (`import type`, or every named binding `type`). */
function typeOnly(node: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isExportDeclaration(node)) {
    if (node.isTypeOnly) return true;
    const clause = node.exportClause;
    return (
      !!clause && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly)
    );
  }
  const clause = node.importClause;
  if (!clause) return false;
  if (clause.isTypeOnly) return true;
  const bindings = clause.namedBindings;
  return (
    !clause.name &&
    !!bindings &&
    ts.isNamedImports(bindings) &&
    bindings.elements.length > 0 &&
    bindings.elements.every((e) => e.isTypeOnly)
  );
}

/** Every module a file names: import and export declarations, `import()` and `require()`, with their kind. */
function specifiersOf(file: string, text: string): { specifier: string; typeOnly: boolean }[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const found: { specifier: string; typeOnly: boolean }[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      if (ts.isStringLiteral(node.moduleSpecifier))
        found.push({ specifier: node.moduleSpecifier.text, typeOnly: typeOnly(node) });
    } else if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0])) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === "require"))
        found.push({ specifier: node.arguments[0].text, typeOnly: false });
    } else if (ts.isImportTypeNode(node)) {
      const argument = node.argument;
      if (ts.isLiteralTypeNode(argument) && ts.isStringLiteral(argument.literal))
        found.push({ specifier: argument.literal.text, typeOnly: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The relative imports of one file, resolved to repository-relative `.ts` files (package imports are left out). */
export function importsOf(root: string, file: string): Import[] {
  const text = fs.readFileSync(path.join(root, file), "utf8");
  const result: Import[] = [];
  for (const { specifier, typeOnly } of specifiersOf(file, text)) {
    if (!specifier.startsWith(".")) continue;
    const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
    const target = [`${base}.ts`, `${base}/index.ts`, base].find((candidate) =>
      fs.existsSync(path.join(root, candidate)),
    );
    if (!target) throw new Error(`${file}: cannot resolve import "${specifier}"`);
    result.push({ from: file, to: target, ...(typeOnly ? { typeOnly } : {}) });
  }
  return result;
}

/** A folder's position, bottom first; throws for a folder the layers do not list (add it where it belongs). */
export function rankOf(folder: string): number {
  const order = LAYERS.flatMap((layer) => layer.folders);
  const rank = order.indexOf(folder);
  if (rank < 0)
    throw new Error(
      `folder ${folder}/ is in no layer: add it to LAYERS in scripts/layers.ts and docs/developer/development.md`,
    );
  return rank;
}

/** A folder that imports a folder above it, with the files that do. */
export interface BackArrow {
  readonly from: string;
  readonly to: string;
  readonly imports: readonly Import[];
}

/** The back-arrows: one per (folder, folder above it) pair, however many files import across it. */
export function backArrows(imports: readonly Import[]): BackArrow[] {
  const arrows = new Map<string, Import[]>();
  for (const imp of imports) {
    const from = folderOf(imp.from);
    const to = folderOf(imp.to);
    if (from === to || rankOf(to) < rankOf(from)) continue;
    const key = `${from} -> ${to}`;
    arrows.set(key, [...(arrows.get(key) ?? []), imp]);
  }
  return [...arrows.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, list]) => {
      const [from, to] = key.split(" -> ");
      return { from, to, imports: list };
    });
}

/**
 * Import circles between files at run time: strongly connected components of more than one file (or a file
 * importing itself) over the imports that load a module. Type-only imports are left out: the compiler erases them,
 * and a type inferred from a schema (`Settings` from zod) is rightly read by the checks the schema runs.
 */
export function fileCircles(imports: readonly Import[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to, typeOnly } of imports) if (!typeOnly) next.set(from, [...(next.get(from) ?? []), to]);
  // Tarjan's algorithm, iterative enough for a program of a few hundred files.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const target of next.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node)!, low.get(target)!));
      } else if (onStack.has(target)) low.set(node, Math.min(low.get(node)!, index.get(target)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (next.get(node) ?? []).includes(node)) circles.push(component.sort());
  };
  for (const node of [...next.keys()].sort()) if (!index.has(node)) visit(node);
  return circles;
}

/** The whole check over a repository: every import, its back-arrows and its circles. */
export function checkLayers(root: string): { imports: Import[]; arrows: BackArrow[]; circles: string[][] } {
  const files = programFiles(root);
  for (const file of files) rankOf(folderOf(file));
  const imports = files.flatMap((file) => importsOf(root, file));
  return { imports, arrows: backArrows(imports), circles: fileCircles(imports) };
}

/** The report `npm run layers` prints. */
export function layerReport(result: ReturnType<typeof checkLayers>): string {
  const lines: string[] = [];
  for (const arrow of result.arrows) {
    lines.push(`back-arrow ${arrow.from}/ -> ${arrow.to}/`);
    for (const imp of arrow.imports) lines.push(`    ${imp.from} imports ${imp.to}`);
  }
  for (const circle of result.circles) lines.push(`circle: ${circle.join(" <-> ")}`);
  lines.push(`${result.arrows.length} back-arrows, ${result.circles.length} circles`);
  return lines.join("\n");
}

if (require.main === module) {
  const result = checkLayers(path.resolve(__dirname, ".."));
  console.log(layerReport(result));
  if (result.arrows.length > 0 || result.circles.length > 0) process.exitCode = 1;
}
