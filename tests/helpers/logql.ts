/** LogQL checks for tests: Grafana's variables replaced by sample values, then parsed with Grafana's LogQL grammar. */
import { parser } from "@grafana/lezer-logql";
import { withSampleVariables } from "./promql";

/** Parse errors of a LogQL query (positions and the text there); empty when it parses. */
export function logqlErrors(query: string): string[] {
  const text = withSampleVariables(query);
  const errors: string[] = [];
  const cursor = parser.parse(text).cursor();
  do {
    if (cursor.type.isError) errors.push(`at ${cursor.from}: "${text.slice(Math.max(0, cursor.from - 10), cursor.from + 10)}"`);
  } while (cursor.next());
  return errors;
}

export function assertValidLogql(query: string): void {
  const errors = logqlErrors(query);
  if (errors.length > 0) throw new Error(`invalid LogQL ${JSON.stringify(query)}: ${errors.join("; ")}`);
}
