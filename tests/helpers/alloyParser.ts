/**
 * A reader of Alloy's configuration syntax, for tests: it parses the rendered `config.alloy` back into the
 * writer's statement tree, so a test can prove the text says exactly what the generator meant (every string
 * escaped, every block closed). Follows the documented grammar: blocks, attributes, strings with Go escapes,
 * numbers, booleans, null, arrays, objects, dotted references, `//` comments.
 */
import { AlloyReference, type AlloyStatement, type AlloyValue } from "../../logs/alloySyntax";

type Token = { kind: "ident" | "string" | "number" | "punct"; text: string; at: number };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) i++;
    else if (text.startsWith("//", i)) while (i < text.length && text[i] !== "\n") i++;
    else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') {
        if (text[j] === "\n") throw new Error(`newline inside a string at ${i}`);
        j += text[j] === "\\" ? 2 : 1;
      }
      if (j >= text.length) throw new Error(`unterminated string at ${i}`);
      tokens.push({ kind: "string", text: text.slice(i, j + 1), at: i });
      i = j + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*/.exec(text.slice(i))!;
      tokens.push({ kind: "ident", text: m[0], at: i });
      i += m[0].length;
    } else if (/[-0-9]/.test(c)) {
      const m = /^-?[0-9]+(\.[0-9]+)?/.exec(text.slice(i));
      if (!m) throw new Error(`bad number at ${i}`);
      tokens.push({ kind: "number", text: m[0], at: i });
      i += m[0].length;
    } else if ("{}[]=,".includes(c)) {
      tokens.push({ kind: "punct", text: c, at: i });
      i++;
    } else throw new Error(`unexpected ${JSON.stringify(c)} at ${i}`);
  }
  return tokens;
}

/** Go's unquoting for the escapes Alloy strings accept. */
function unquote(literal: string): string {
  return literal.slice(1, -1).replace(/\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)/g, (_, esc: string) => {
    if (esc[0] === "u" || esc[0] === "x") return String.fromCharCode(parseInt(esc.slice(1), 16));
    const simple: Record<string, string> = {
      n: "\n",
      r: "\r",
      t: "\t",
      '"': '"',
      "\\": "\\",
      a: "\u0007",
      b: "\b",
      f: "\f",
      v: "\v",
    };
    if (!(esc in simple)) throw new Error(`invalid escape \\${esc} in ${literal}`);
    return simple[esc];
  });
}

export function parseAlloy(text: string): AlloyStatement[] {
  const tokens = tokenize(text);
  let p = 0;
  const peek = () => tokens[p];
  const next = () => {
    const t = tokens[p++];
    if (!t) throw new Error("unexpected end of file");
    return t;
  };
  const expect = (punct: string) => {
    const t = next();
    if (t.kind !== "punct" || t.text !== punct) throw new Error(`expected ${punct} at ${t.at}, got ${t.text}`);
  };

  function value(): AlloyValue {
    const t = next();
    if (t.kind === "string") return unquote(t.text);
    if (t.kind === "number") return Number(t.text);
    if (t.kind === "ident") {
      if (t.text === "true" || t.text === "false") return t.text === "true";
      if (t.text === "null") return null;
      return new AlloyReference(t.text);
    }
    if (t.text === "[") {
      const items: AlloyValue[] = [];
      while (!(peek()?.kind === "punct" && peek().text === "]")) {
        items.push(value());
        if (peek()?.text === ",") next();
      }
      expect("]");
      return items;
    }
    if (t.text === "{") {
      const entries: Record<string, AlloyValue> = {};
      while (!(peek()?.kind === "punct" && peek().text === "}")) {
        const key = next();
        if (key.kind !== "ident" && key.kind !== "string") throw new Error(`bad object key at ${key.at}`);
        expect("=");
        entries[key.kind === "string" ? unquote(key.text) : key.text] = value();
        if (peek()?.text === ",") next();
      }
      expect("}");
      return entries;
    }
    throw new Error(`unexpected ${t.text} at ${t.at}`);
  }

  function body(closing: boolean): AlloyStatement[] {
    const statements: AlloyStatement[] = [];
    while (p < tokens.length && !(closing && peek().kind === "punct" && peek().text === "}")) {
      const name = next();
      if (name.kind !== "ident") throw new Error(`expected a name at ${name.at}, got ${name.text}`);
      if (peek()?.text === "=") {
        next();
        statements.push({ kind: "attribute", name: name.text, value: value() });
        continue;
      }
      const label = peek()?.kind === "string" ? unquote(next().text) : undefined;
      expect("{");
      const inner = body(true);
      expect("}");
      statements.push({ kind: "block", name: name.text, label, body: inner });
    }
    return statements;
  }

  const statements = body(false);
  if (p !== tokens.length) throw new Error(`unexpected ${peek().text} at ${peek().at}`);
  return statements;
}

/** The writer's tree without comments and docs, to compare with what `parseAlloy` reads. */
export function withoutComments(statements: readonly AlloyStatement[]): AlloyStatement[] {
  return statements.flatMap((s): AlloyStatement[] => {
    if (s.kind === "comment") return [];
    if (s.kind === "attribute") return [s];
    return [{ kind: "block", name: s.name, label: s.label, body: withoutComments(s.body) }];
  });
}

/** Every `selector` of the pipeline, from the statement tree. */
export function pipelineSelectors(statements: readonly AlloyStatement[]): string[] {
  return statements.flatMap((s) => {
    if (s.kind === "attribute") return s.name === "selector" ? [s.value as string] : [];
    if (s.kind === "block") return pipelineSelectors(s.body);
    return [];
  });
}
