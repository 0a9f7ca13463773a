/**
 * PromQL validation with Prometheus's own lezer grammar (`@prometheus-io/lezer-promql`, the parser of its UI's
 * editor). `promtool check rules` stays the authority for rule files; this catches broken expressions in
 * dashboards and links, where promtool does not look. Grafana's variables are replaced by sample values first.
 */
import { parser } from "@prometheus-io/lezer-promql";
import { lezerErrors, queryProblems, type ParseProblem } from "./lezer";

/** Sample values for Grafana's built-in interval variables. */
const GRAFANA_DURATIONS: Readonly<Record<string, string>> = {
  __rate_interval: "1m",
  __interval: "1m",
  __auto: "1m",
  __range: "6h",
};

/**
 * The expression as Prometheus would receive it: `$__rate_interval` and friends become durations, any other
 * `$var` / `${var}` (template variables, used inside regex matchers) becomes `.*`, as "All" would.
 */
export function withSampleVariables(expr: string): string {
  return expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, braced: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare)!;
    return GRAFANA_DURATIONS[name] ?? ".*";
  });
}

/** Problems of an expression: syntax errors and string literals with invalid escapes. Empty when valid. */
export function promqlProblems(expr: string): ParseProblem[] {
  return queryProblems(parser, "StringLiteral", expr, withSampleVariables);
}

/** Parse errors of an expression (positions and the text there); empty when it parses. */
export function promqlErrors(expr: string): string[] {
  return lezerErrors(parser, withSampleVariables(expr));
}

/** Throws, naming the expression and where it breaks, unless `expr` is valid PromQL. */
export function assertValidPromql(expr: string, name = "PromQL expression"): void {
  const problems = promqlProblems(expr);
  if (problems.length > 0)
    throw new Error(`${name} is not valid PromQL: ${problems.map((p) => p.message).join("; ")}\n  ${expr}`);
}

/** Every metric name a PromQL expression selects. */
export function promqlMetricNames(expr: string): string[] {
  const text = withSampleVariables(expr);
  const names = new Set<string>();
  const cursor = parser.parse(text).cursor();
  do {
    const node = cursor.node;
    // A selector's metric name is its `Identifier` child (absent in `{__name__=~"..."}`).
    const identifier = node.name === "VectorSelector" ? node.getChild("Identifier") : null;
    if (identifier) names.add(text.slice(identifier.from, identifier.to));
  } while (cursor.next());
  return [...names];
}

/** One vector selector of an expression: its metric name and its label matchers as written (`job="node"`). */
export interface PromqlSelector {
  readonly metric: string;
  readonly matchers: readonly string[];
}

/**
 * Every vector selector of a PromQL expression, with each matcher normalised to `label<op>"value"` (spaces
 * dropped), so two selectors written alike compare equal whatever their layout.
 */
export function promqlSelectors(expr: string): PromqlSelector[] {
  const text = withSampleVariables(expr);
  const selectors: PromqlSelector[] = [];
  const cursor = parser.parse(text).cursor();
  do {
    const node = cursor.node;
    if (node.name !== "VectorSelector") continue;
    const identifier = node.getChild("Identifier");
    const matchers = node.getChild("LabelMatchers")?.getChildren("UnquotedLabelMatcher") ?? [];
    selectors.push({
      metric: identifier ? text.slice(identifier.from, identifier.to) : "",
      matchers: matchers.map((m) => text.slice(m.from, m.to).replace(/^(\w+)\s*(=~|!~|!=|=)\s*/, "$1$2")),
    });
  } while (cursor.next());
  return selectors;
}
