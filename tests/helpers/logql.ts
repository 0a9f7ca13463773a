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
  if (problems.length > 0) throw new Error(`${name} is not valid LogQL: ${problems.map((p) => p.message).join("; ")}\n  ${query}`);
}
