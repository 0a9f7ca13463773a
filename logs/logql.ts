/**
 * Small builders for LogQL text, so that the selectors of Alloy's pipeline and the named queries quote their
 * values the same, correct way. Label names are restricted to the contract's labels: a query or a pipeline can
 * only select on labels that exist.
 */
import type { LogLabel } from "../contract/logs";

export type MatchOperator = "=" | "!=" | "=~" | "!~";

export interface LabelMatcher {
  readonly label: LogLabel;
  readonly op: MatchOperator;
  readonly value: string;
}

/** A LogQL double-quoted string (Go syntax): `\` and `"` escaped, control characters as escapes. */
export function quotedString(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t")}"`;
}

/** A LogQL string for a pattern: a raw backtick string (no escaping, reads like the regex) unless it holds a backtick or a newline. */
export function patternString(value: string): string {
  return /[`\n\r]/.test(value) ? quotedString(value) : `\`${value}\``;
}

export const eq = (label: LogLabel, value: string): LabelMatcher => ({ label, op: "=", value });
export const matches = (label: LogLabel, value: string): LabelMatcher => ({ label, op: "=~", value });
export const notMatches = (label: LogLabel, value: string): LabelMatcher => ({ label, op: "!~", value });

/** `{job="x", level=~"warn|error"}`. At least one matcher, as LogQL requires. */
export function streamSelector(...matchers: readonly LabelMatcher[]): string {
  if (matchers.length === 0) throw new Error("a LogQL stream selector needs at least one label matcher");
  return `{${matchers.map((m) => `${m.label}${m.op}${quotedString(m.value)}`).join(", ")}}`;
}

/** `|= "text"`: lines containing the text. */
export const containsLine = (text: string): string => `|= ${quotedString(text)}`;
/** `!= "text"`: lines not containing the text. */
export const lacksLine = (text: string): string => `!= ${quotedString(text)}`;
/** `|~ \`regex\``: lines matching the RE2 regex (unanchored). */
export const matchesLine = (regex: string): string => `|~ ${patternString(regex)}`;
/** `!~ \`regex\``: lines not matching the RE2 regex. */
export const notMatchesLine = (regex: string): string => `!~ ${patternString(regex)}`;
/** `| regexp \`...\``: extracts the named groups as labels of the query result. */
export const regexpParser = (regex: string): string => `| regexp ${patternString(regex)}`;

/** A selector followed by pipeline stages, one space apart. */
export function logQuery(selector: string, ...stages: readonly string[]): string {
  return [selector, ...stages].join(" ");
}

/** Escapes RE2 metacharacters so a literal (a container name) can sit in a regex. */
export function escapeRegex(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
