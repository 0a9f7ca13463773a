/** Shared by the LogQL and PromQL helpers: lezer marks what it could not parse with error nodes (`⚠`). */
import type { Tree } from "@lezer/common";

export interface ParseProblem {
  readonly from: number;
  readonly to: number;
  readonly message: string;
}

/** Error nodes of a lezer tree, each with the text around it. */
export function errorNodes(tree: Tree, text: string): ParseProblem[] {
  const problems: ParseProblem[] = [];
  tree.iterate({
    enter(node) {
      if (node.type.isError) {
        const near = text.slice(Math.max(0, node.from - 15), node.to + 15);
        problems.push({
          from: node.from,
          to: node.to,
          message: `syntax error at ${node.from} near ${JSON.stringify(near)}`,
        });
      }
    },
  });
  return problems;
}

/** Double-quoted string literals must unquote (Go rules; JSON's are the same for what these queries use): `"\."` is an error in Loki and Prometheus. */
export function badStringLiterals(tree: Tree, text: string, stringNode: string): ParseProblem[] {
  const problems: ParseProblem[] = [];
  tree.iterate({
    enter(node) {
      if (node.name !== stringNode) return;
      const literal = text.slice(node.from, node.to);
      if (!literal.startsWith('"')) return;
      try {
        JSON.parse(literal);
      } catch {
        problems.push({ from: node.from, to: node.to, message: `string ${literal} has an invalid escape` });
      }
    },
  });
  return problems;
}

/** Syntax errors of a text under a Lezer grammar (PromQL, LogQL), as messages; empty when it parses. */
export function lezerErrors(parser: { parse(text: string): Tree }, text: string): string[] {
  return errorNodes(parser.parse(text), text).map((problem) => problem.message);
}

/**
 * Problems of a query under a grammar: empty text, syntax errors and string literals with invalid escapes, after
 * Grafana's variables are given sample values by `prepare`.
 */
export function queryProblems(
  parser: { parse(text: string): Tree },
  stringNode: string,
  query: string,
  prepare: (text: string) => string,
): ParseProblem[] {
  if (query.trim() === "") return [{ from: 0, to: 0, message: "empty query" }];
  const text = prepare(query);
  const tree = parser.parse(text);
  return [...errorNodes(tree, text), ...badStringLiterals(tree, text, stringNode)];
}
