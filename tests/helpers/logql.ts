/** LogQL checks for tests: Grafana's variables replaced by sample values, then parsed with Grafana's LogQL grammar. */
import { parser } from "@grafana/lezer-logql";
import { lezerErrors } from "./lezer";
import { withSampleVariables } from "./promql";

/** Parse errors of a LogQL query (positions and the text there); empty when it parses. */
export function logqlErrors(query: string): string[] {
  return lezerErrors(parser, withSampleVariables(query));
}

export function assertValidLogql(query: string): void {
  const errors = logqlErrors(query);
  if (errors.length > 0) throw new Error(`invalid LogQL ${JSON.stringify(query)}: ${errors.join("; ")}`);
}
