/**
 * Which log entries a LogQL query's log part selects, to run a dashboard's query against the entries the Alloy
 * pipeline produced (tests/helpers/alloyPipeline.ts). The query is parsed with Grafana's own grammar
 * (`@grafana/lezer-logql`); the stages evaluated follow Loki 3's documented semantics: a stream selector on the
 * stream labels, `| json` without parameters (nested keys joined with `_`, arrays skipped, a key that is already a
 * stream label gets `_extracted`, a line that is not JSON gets `__error__`), and label filters with `=`, `!=`,
 * `=~`, `!~` (regexes fully anchored, RE2), combined with `and`/`or`; structured metadata is visible to filters.
 * Any other stage throws, so a query this does not understand cannot pass unnoticed.
 */
import { parser } from "@grafana/lezer-logql";
import type { SyntaxNode } from "@lezer/common";
import type { LogEntry } from "./alloyPipeline";
import { withSampleVariables } from "./promql";
import { toJsRegex } from "./re2";

type Labels = Record<string, string>;
type Predicate = (labels: Labels) => boolean;
type Stage = (labels: Labels, line: string) => boolean;

function stringValue(text: string): string {
  return text.startsWith("`") ? text.slice(1, -1) : (JSON.parse(text) as string);
}

function anchored(re2: string): RegExp {
  const insensitive = re2.startsWith("(?i)");
  return toJsRegex(`${insensitive ? "(?i)" : ""}^(?:${insensitive ? re2.slice(4) : re2})$`);
}

function children(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) out.push(child);
  return out;
}

function matcher(node: SyntaxNode, text: string): Predicate {
  const [name, op, value] = children(node);
  if (!name || !op || !value || name.name !== "Identifier" || value.name !== "String")
    throw new Error(`unreadable matcher ${text.slice(node.from, node.to)}`);
  const label = text.slice(name.from, name.to);
  const expected = stringValue(text.slice(value.from, value.to));
  switch (op.name) {
    case "Eq":
      return (labels) => (labels[label] ?? "") === expected;
    case "Neq":
      return (labels) => (labels[label] ?? "") !== expected;
    case "Re": {
      const re = anchored(expected);
      return (labels) => re.test(labels[label] ?? "");
    }
    case "Nre": {
      const re = anchored(expected);
      return (labels) => !re.test(labels[label] ?? "");
    }
    default:
      throw new Error(`matcher operator ${op.name} is not evaluated here`);
  }
}

function labelFilter(node: SyntaxNode, text: string): Predicate {
  const parts = children(node);
  if (parts.length === 1 && parts[0].name === "Matcher") return matcher(parts[0], text);
  if (parts.length === 3 && parts[0].name === "LabelFilter" && parts[2].name === "LabelFilter") {
    const [left, right] = [labelFilter(parts[0], text), labelFilter(parts[2], text)];
    if (parts[1].name === "Or") return (labels) => left(labels) || right(labels);
    if (parts[1].name === "And") return (labels) => left(labels) && right(labels);
  }
  throw new Error(`label filter ${text.slice(node.from, node.to)} is not evaluated here`);
}

function flatten(value: unknown, prefix: string, out: Labels): void {
  if (Array.isArray(value)) return;
  if (value !== null && typeof value === "object") {
    for (const [key, inner] of Object.entries(value as Record<string, unknown>))
      flatten(inner, prefix ? `${prefix}_${key}` : key, out);
    return;
  }
  // JSON leaves: strings, numbers, booleans, null (objects and arrays were handled above).
  out[prefix.replace(/[^A-Za-z0-9_]/g, "_")] = value === null ? "" : String(value as string | number | boolean);
}

function stage(node: SyntaxNode, text: string, streamLabels: () => Labels): Stage {
  const [pipe, body, ...rest] = children(node);
  if (pipe?.name !== "Pipe" || !body) throw new Error(`stage ${text.slice(node.from, node.to)} is not evaluated here`);
  if (body.name === "LabelParser" && rest.length === 0 && text.slice(body.from, body.to) === "json") {
    return (labels, line) => {
      let data: unknown;
      try {
        data = JSON.parse(line);
      } catch {
        labels.__error__ = "JSONParserErr";
        return true;
      }
      const parsed: Labels = {};
      flatten(data, "", parsed);
      const stream = streamLabels();
      for (const [key, value] of Object.entries(parsed)) labels[key in stream ? `${key}_extracted` : key] = value;
      return true;
    };
  }
  if (body.name === "LabelFilter" && rest.length === 0) {
    const predicate = labelFilter(body, text);
    return (labels) => predicate(labels);
  }
  throw new Error(`stage ${text.slice(node.from, node.to)} is not evaluated here`);
}

function stages(node: SyntaxNode | null, text: string, streamLabels: () => Labels): Stage[] {
  if (!node) return [];
  return children(node).flatMap((child) =>
    child.name === "PipelineExpr"
      ? stages(child, text, streamLabels)
      : child.name === "PipelineStage"
        ? [stage(child, text, streamLabels)]
        : [],
  );
}

function find(node: SyntaxNode, name: string): SyntaxNode | null {
  if (node.name === name) return node;
  for (const child of children(node)) {
    const found = find(child, name);
    if (found) return found;
  }
  return null;
}

/**
 * A function telling whether an entry is selected by the log part of `query` (the whole query for a log query,
 * the inside of the first range aggregation for a metric query).
 */
export function logSelector(query: string): (entry: Pick<LogEntry, "labels" | "metadata" | "line">) => boolean {
  const text = withSampleVariables(query);
  const root = parser.parse(text).topNode;
  const selector = find(root, "Selector");
  if (!selector) throw new Error(`no stream selector in ${query}`);
  const matchers = find(selector, "Matchers");
  const streamMatchers = matchers
    ? children(matchers)
        .filter((c) => c.name === "Matcher")
        .map((m) => matcher(m, text))
    : [];
  let current: Labels = {};
  const pipeline = selector.nextSibling?.name === "PipelineExpr" ? selector.nextSibling : null;
  const compiled = stages(pipeline, text, () => current);
  return (entry) => {
    current = entry.labels;
    if (!streamMatchers.every((m) => m(entry.labels))) return false;
    const labels: Labels = { ...entry.metadata, ...entry.labels };
    return compiled.every((run) => run(labels, entry.line));
  };
}
