/**
 * LogQL validation with Grafana's own grammar (`@grafana/lezer-logql`, the parser of Grafana's Loki editor).
 * Reusable by every part that writes LogQL (dashboards, alert links, runbooks). Grafana's variables are replaced
 * by sample values first.
 */
import { parser } from "@grafana/lezer-logql";
import { lezerErrors, queryProblems, type ParseProblem } from "./lezer";
import { withSampleVariables } from "./promql";

/** Problems of a LogQL query: syntax errors and string literals with invalid escapes. Empty when valid. */
export function logqlProblems(query: string): ParseProblem[] {
  return queryProblems(parser, "String", query, withSampleVariables);
}

/** Parse errors of a LogQL query (positions and the text there); empty when it parses. */
export function logqlErrors(query: string): string[] {
  return lezerErrors(parser, withSampleVariables(query));
}

/** Throws, naming the query and where it breaks, unless `query` is valid LogQL. */
export function assertValidLogql(query: string, name = "LogQL query"): void {
  const problems = logqlProblems(query);
  if (problems.length > 0)
    throw new Error(`${name} is not valid LogQL: ${problems.map((p) => p.message).join("; ")}\n  ${query}`);
}

/** The label matchers of a LogQL query's stream selector, as `{ label: value }` (equality matchers only). */
export function logqlStreamLabels(query: string): Record<string, string> {
  const text = withSampleVariables(query);
  const labels: Record<string, string> = {};
  // Only the stream selector's matchers: a label filter after a parser (`| json | level="error"`) is a Matcher too.
  const cursor = parser.parse(text).cursor();
  while (cursor.name !== "Selector") if (!cursor.next()) return labels;
  const end = cursor.to;
  while (cursor.next() && cursor.from < end) {
    const node = cursor.node;
    if (node.name !== "Matcher" || !node.getChild("Eq")) continue;
    const name = node.getChild("Identifier");
    const value = node.getChild("String");
    // A double-quoted string is a Go string (JSON's escapes); a backquoted one is raw.
    const literal = value ? text.slice(value.from, value.to) : "";
    if (name)
      labels[text.slice(name.from, name.to)] = literal.startsWith('"')
        ? (JSON.parse(literal) as string)
        : literal.slice(1, -1);
  }
  return labels;
}
