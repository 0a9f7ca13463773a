/** Syntax errors of a text under a Lezer grammar (PromQL, LogQL): the error nodes, with where they are. */
import type { LRParser } from "@lezer/lr";

export function lezerErrors(parser: LRParser, text: string): string[] {
  const errors: string[] = [];
  const cursor = parser.parse(text).cursor();
  do {
    if (cursor.type.isError) errors.push(`at ${cursor.from}: "${text.slice(Math.max(0, cursor.from - 10), cursor.from + 10)}"`);
  } while (cursor.next());
  return errors;
}
