/**
 * PromQL validation with Prometheus's own lezer grammar (`@prometheus-io/lezer-promql`, the parser of its UI's
 * editor). Reusable by every part that writes PromQL: `assertValidPromql(expr)`. `promtool check rules` stays the
 * authority for rule files; this catches broken expressions in dashboards and links, where promtool does not look.
 */
import { parser } from "@prometheus-io/lezer-promql";
import { badStringLiterals, errorNodes, type ParseProblem } from "./lezer";

export function promqlProblems(expr: string): ParseProblem[] {
  if (expr.trim() === "") return [{ from: 0, to: 0, message: "empty expression" }];
  const tree = parser.parse(expr);
  return [...errorNodes(tree, expr), ...badStringLiterals(tree, expr, "StringLiteral")];
}

/** Throws, naming the expression and where it breaks, unless `expr` is valid PromQL. */
export function assertValidPromql(expr: string, name = "PromQL expression"): void {
  const problems = promqlProblems(expr);
  if (problems.length > 0) throw new Error(`${name} is not valid PromQL: ${problems.map((p) => p.message).join("; ")}\n  ${expr}`);
}
