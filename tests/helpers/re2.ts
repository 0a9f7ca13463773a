/** Go RE2 patterns as JavaScript regexes, to try the generators' patterns on sample lines in tests. */

/** `(?P<name>` → `(?<name>`; a leading `(?i)` becomes the `i` flag (JavaScript has no inline flags). */
export function toJsRegex(re2: string): RegExp {
  const insensitive = re2.startsWith("(?i)");
  const body = (insensitive ? re2.slice(4) : re2).replace(/\(\?P</g, "(?<");
  if (/\(\?[a-z]/.test(body)) throw new Error(`pattern ${re2} uses inline flags JavaScript cannot express`);
  return new RegExp(body, insensitive ? "i" : "");
}

/** Named groups of the first match of an RE2 pattern, or `null` when it does not match. */
export function re2Groups(re2: string, line: string): Record<string, string> | null {
  const match = toJsRegex(re2).exec(line);
  return match ? { ...(match.groups ?? {}) } : null;
}
