/** PromQL checks for tests: Grafana's variables replaced by sample values, then parsed with the Prometheus UI's grammar. */
import { parser } from "@prometheus-io/lezer-promql";
import { lezerErrors } from "./lezer";

/** Sample values for Grafana's built-in interval variables. */
const GRAFANA_DURATIONS: Readonly<Record<string, string>> = { __rate_interval: "1m", __interval: "1m", __auto: "1m", __range: "6h" };

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

/** Parse errors of an expression (positions and the text there); empty when it parses. */
export function promqlErrors(expr: string): string[] {
  return lezerErrors(parser, withSampleVariables(expr));
}

export function assertValidPromql(expr: string): void {
  const errors = promqlErrors(expr);
  if (errors.length > 0) throw new Error(`invalid PromQL ${JSON.stringify(expr)}: ${errors.join("; ")}`);
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
