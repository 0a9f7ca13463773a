/**
 * A small interpreter of the `loki.process` stages the generator writes, to run sample lines of each source
 * through the generated pipeline and check the labels that reach Loki. It follows Alloy's documented semantics
 * for the stages used here (match on selector and line filters, regex/json/logfmt extraction, labels, static
 * labels, structured metadata, drop, label_drop/keep); any other stage fails the test, so it cannot pass silently.
 */
import type { AlloyBlock, AlloyStatement, AlloyValue } from "../../logs/alloySyntax";
import { toJsRegex } from "./re2";

export interface LogEntry {
  labels: Record<string, string>;
  line: string;
  extracted: Record<string, unknown>;
  metadata: Record<string, string>;
  dropped: boolean;
}

function attribute(stage: AlloyBlock, name: string): AlloyValue | undefined {
  for (const s of stage.body) if (s.kind === "attribute" && s.name === name) return s.value;
  return undefined;
}

function stringMap(value: AlloyValue | undefined): Record<string, string> {
  return (value ?? {}) as Record<string, string>;
}

/** `{a="x", b=~"y"} |= "text" !~ `re``: label matchers, then line filters. */
export function parseSelector(selector: string): {
  matchers: { label: string; op: string; value: string }[];
  filters: { op: string; value: string }[];
} {
  const close = selector.indexOf("}");
  if (!selector.startsWith("{") || close < 0) throw new Error(`selector ${selector} has no {...}`);
  const matchers = [...selector.slice(1, close).matchAll(/(\w+)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*")/g)].map((m) => ({
    label: m[1],
    op: m[2],
    value: JSON.parse(m[3]) as string,
  }));
  const rest = selector.slice(close + 1).trim();
  const filters = [...rest.matchAll(/(\|=|!=|\|~|!~)\s*("(?:[^"\\]|\\.)*"|`[^`]*`)/g)].map((m) => ({
    op: m[1],
    value: m[2].startsWith("`") ? m[2].slice(1, -1) : (JSON.parse(m[2]) as string),
  }));
  const consumed = rest.replace(/(\|=|!=|\|~|!~)\s*("(?:[^"\\]|\\.)*"|`[^`]*`)/g, "").trim();
  if (consumed !== "") throw new Error(`selector ${selector}: cannot read ${consumed}`);
  return { matchers, filters };
}

function anchored(re2: string): RegExp {
  const insensitive = re2.startsWith("(?i)");
  return toJsRegex(`${insensitive ? "(?i)" : ""}^(?:${insensitive ? re2.slice(4) : re2})$`);
}

export function selectorMatches(selector: string, entry: LogEntry): boolean {
  const { matchers, filters } = parseSelector(selector);
  for (const { label, op, value } of matchers) {
    const actual = entry.labels[label] ?? "";
    const ok =
      op === "="
        ? actual === value
        : op === "!="
          ? actual !== value
          : op === "=~"
            ? anchored(value).test(actual)
            : !anchored(value).test(actual);
    if (!ok) return false;
  }
  for (const { op, value } of filters) {
    const ok =
      op === "|="
        ? entry.line.includes(value)
        : op === "!="
          ? !entry.line.includes(value)
          : op === "|~"
            ? toJsRegex(value).test(entry.line)
            : !toJsRegex(value).test(entry.line);
    if (!ok) return false;
  }
  return true;
}

/**
 * An extracted value as the text a stage reads, or `undefined` when it has none: Alloy's stages convert scalars
 * only (strings, numbers, booleans) and skip a value they cannot convert (a JSON object or list, a null), rather
 * than use a text like "[object Object]".
 */
function scalarText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

function jsonPath(data: unknown, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>(
      (node, key) => (node !== null && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined),
      data,
    );
}

function logfmt(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of line.matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|\S*)/g))
    out[m[1]] = m[2].startsWith('"') ? (JSON.parse(m[2]) as string) : m[2];
  return out;
}

function runStage(stage: AlloyStatement, entry: LogEntry): void {
  if (stage.kind !== "block" || entry.dropped) return;
  switch (stage.name) {
    case "stage.match":
      if (selectorMatches(attribute(stage, "selector") as string, entry))
        for (const inner of stage.body) runStage(inner, entry);
      return;
    case "stage.decolorize":
      // eslint-disable-next-line no-control-regex
      entry.line = entry.line.replace(/\u001b\[[0-9;]*m/g, "");
      return;
    case "stage.regex": {
      const source = attribute(stage, "source") as string | undefined;
      const input = source === undefined ? entry.line : entry.extracted[source];
      const text = scalarText(input);
      if (text === undefined) return;
      const match = toJsRegex(attribute(stage, "expression") as string).exec(text);
      if (match) for (const [k, v] of Object.entries(match.groups ?? {})) entry.extracted[k] = v ?? "";
      return;
    }
    case "stage.json": {
      let data: unknown;
      try {
        data = JSON.parse(entry.line);
      } catch {
        return;
      }
      for (const [name, path] of Object.entries(stringMap(attribute(stage, "expressions"))))
        entry.extracted[name] = jsonPath(data, path || name) ?? null;
      return;
    }
    case "stage.logfmt": {
      const fields = logfmt(entry.line);
      for (const [name, key] of Object.entries(stringMap(attribute(stage, "mapping"))))
        if (fields[key || name] !== undefined) entry.extracted[name] = fields[key || name];
      return;
    }
    case "stage.labels":
      for (const [name, source] of Object.entries(stringMap(attribute(stage, "values")))) {
        const value = scalarText(entry.extracted[source || name]);
        if (value !== undefined) entry.labels[name] = value;
      }
      return;
    case "stage.structured_metadata":
      for (const [name, source] of Object.entries(stringMap(attribute(stage, "values")))) {
        const value = scalarText(entry.extracted[source || name]);
        if (value !== undefined) entry.metadata[name] = value;
      }
      return;
    case "stage.static_labels":
      Object.assign(entry.labels, stringMap(attribute(stage, "values")));
      return;
    case "stage.label_drop":
      for (const name of attribute(stage, "values") as string[]) delete entry.labels[name];
      return;
    case "stage.label_keep": {
      const keep = new Set(attribute(stage, "values") as string[]);
      for (const name of Object.keys(entry.labels)) if (!keep.has(name)) delete entry.labels[name];
      return;
    }
    case "stage.drop": {
      const value = scalarText(entry.extracted[attribute(stage, "source") as string]);
      if (value !== undefined && toJsRegex(attribute(stage, "expression") as string).test(value)) entry.dropped = true;
      return;
    }
    case "stage.timestamp":
      return;
    default:
      throw new Error(
        `the test pipeline does not know ${stage.name}: teach it, or the test proves nothing about that stage`,
      );
  }
}

/** Runs one line with its source labels through a `loki.process` block. */
export function runPipeline(process: AlloyBlock, labels: Record<string, string>, line: string): LogEntry {
  const entry: LogEntry = { labels: { ...labels }, line, extracted: {}, metadata: {}, dropped: false };
  for (const stage of process.body) if (stage.kind === "block") runStage(stage, entry);
  return entry;
}
