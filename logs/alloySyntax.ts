/**
 * A small typed writer for Alloy's configuration syntax (blocks, attributes, expressions). There is no library
 * for it; building the text through these types means every value is quoted and escaped in one place, so a
 * regex full of backslashes and quotes, or a path from the stack config, can never break the file's structure.
 *
 * Syntax (Alloy docs, "Alloy configuration syntax"): `name.sub "label" { ... }` blocks, `name = value`
 * attributes, double-quoted strings with Go escapes, `[a, b]` arrays, `{ key = value }` objects, and references
 * to other components' exports (`loki.write.default.receiver`).
 */

/** A reference to another component's export, written bare: `discovery.docker.containers.targets`. */
export class AlloyReference {
  constructor(readonly path: string) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(path))
      throw new Error(`Alloy reference \`${path}\` must be dotted identifiers such as loki.write.default.receiver`);
  }
}

export type AlloyValue =
  string | number | boolean | null | AlloyReference | readonly AlloyValue[] | { readonly [key: string]: AlloyValue };

export interface AlloyAttribute {
  readonly kind: "attribute";
  readonly name: string;
  readonly value: AlloyValue;
}

export interface AlloyBlock {
  readonly kind: "block";
  /** Dotted block name: `loki.source.file`, `rule`, `stage.regex`. */
  readonly name: string;
  /** The component label (`"default"`), for component blocks only. */
  readonly label?: string;
  readonly body: readonly AlloyStatement[];
  /** Why the block is there: written as `//` lines right above it. */
  readonly doc?: string;
}

export interface AlloyComment {
  readonly kind: "comment";
  readonly text: string;
}

export type AlloyStatement = AlloyAttribute | AlloyBlock | AlloyComment;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const BLOCK_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

export function ref(path: string): AlloyReference {
  return new AlloyReference(path);
}

export function attr(name: string, value: AlloyValue): AlloyAttribute {
  if (!IDENTIFIER.test(name))
    throw new Error(`Alloy attribute name \`${name}\` must be an identifier (letters, digits, _)`);
  return { kind: "attribute", name, value };
}

/** A block; `undefined` entries in the body are left out, so optional attributes read naturally at call sites. */
export function block(
  name: string,
  label: string | undefined,
  body: readonly (AlloyStatement | undefined | false)[],
): AlloyBlock {
  if (!BLOCK_NAME.test(name)) throw new Error(`Alloy block name \`${name}\` must be dotted identifiers`);
  // Component labels are identifiers in Alloy (they become part of references such as loki.write.<label>).
  if (label !== undefined && !IDENTIFIER.test(label))
    throw new Error(`Alloy block label \`${label}\` must be an identifier (letters, digits, _)`);
  return { kind: "block", name, label, body: body.filter((s): s is AlloyStatement => Boolean(s)) };
}

/** The same block with a `//` comment above it. */
export function documented(doc: string, target: AlloyBlock): AlloyBlock {
  return { ...target, doc };
}

export function comment(text: string): AlloyComment {
  return { kind: "comment", text };
}

/** A double-quoted Alloy string. Escapes `\`, `"` and control characters; refuses lone UTF-16 surrogates. */
export function quote(value: string): string {
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    const char = value[i];
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff))
        throw new Error(`string ${JSON.stringify(value)} holds a lone surrogate at ${i}`);
      out += char + value[i + 1];
      i++;
      continue;
    }
    if (code >= 0xdc00 && code <= 0xdfff)
      throw new Error(`string ${JSON.stringify(value)} holds a lone surrogate at ${i}`);
    if (char === "\\") out += "\\\\";
    else if (char === '"') out += '\\"';
    else if (char === "\n") out += "\\n";
    else if (char === "\r") out += "\\r";
    else if (char === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += char;
  }
  return `${out}"`;
}

/** An object key: bare when it is an identifier, quoted otherwise (`"__path__"` is an identifier too, but labels such as `app.kubernetes.io` are not). */
function objectKey(key: string): string {
  return IDENTIFIER.test(key) ? key : quote(key);
}

/** One value as Alloy text; arrays and objects on one line when short, else one element a line. */
export function formatValue(value: AlloyValue, indent = ""): string {
  if (value === null) return "null";
  if (typeof value === "string") return quote(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`Alloy number must be finite (got ${value})`);
    return String(value);
  }
  if (value instanceof AlloyReference) return value.path;
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    const items = (value as readonly AlloyValue[]).map((item) => formatValue(item, inner));
    const oneLine = `[${items.join(", ")}]`;
    if (oneLine.length <= 100 && !oneLine.includes("\n")) return oneLine;
    return `[\n${items.map((item) => `${inner}${item},`).join("\n")}\n${indent}]`;
  }
  const entries = Object.entries(value as { readonly [key: string]: AlloyValue }).map(
    ([key, item]) => `${objectKey(key)} = ${formatValue(item, inner)}`,
  );
  if (entries.length === 0) return "{}";
  const oneLine = `{ ${entries.join(", ")} }`;
  if (oneLine.length <= 100 && !oneLine.includes("\n")) return oneLine;
  return `{\n${entries.map((entry) => `${inner}${entry},`).join("\n")}\n${indent}}`;
}

function formatStatement(statement: AlloyStatement, indent: string): string {
  switch (statement.kind) {
    case "comment":
      return commentLines(statement.text, indent);
    case "attribute":
      return `${indent}${statement.name} = ${formatValue(statement.value, indent)}`;
    case "block": {
      const doc = statement.doc === undefined ? "" : `${commentLines(statement.doc, indent)}\n`;
      const head = `${doc}${indent}${statement.name}${statement.label === undefined ? "" : ` ${quote(statement.label)}`}`;
      if (statement.body.length === 0) return `${head} { }`;
      return `${head} {\n${statement.body.map((s) => formatStatement(s, `${indent}  `)).join("\n")}\n${indent}}`;
    }
  }
}

function commentLines(text: string, indent: string): string {
  return text
    .split("\n")
    .map((line) => `${indent}// ${line}`.trimEnd())
    .join("\n");
}

/** The file: top-level statements separated by a blank line, ending with a newline. */
export function renderAlloy(statements: readonly AlloyStatement[]): string {
  return `${statements.map((s) => formatStatement(s, "")).join("\n\n")}\n`;
}
