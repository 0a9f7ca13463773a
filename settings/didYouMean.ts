/**
 * "Did you mean": the known key nearest to a mistyped one, by edit distance. The keys come from the zod schema
 * itself, so a suggestion is always a key the schema accepts at that place.
 */
import type { z } from "zod";

/**
 * Edit distance with transpositions (optimal string alignment), case-insensitive: `retentoin` is one step from
 * `retention`, `scrape_interval` one from `scrapeInterval`.
 */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const d: number[][] = Array.from({ length: s.length + 1 }, (_, i) =>
    Array.from({ length: t.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= s.length; i++)
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[s.length][t.length];
}

/** The candidate nearest to `key`, if it is near enough to be a typo: at most 2 edits, or a third of the key. */
export function nearest(key: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(2, Math.floor(key.length / 3));
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(key, candidate);
    if (distance <= limit && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

/** The internals of a zod 4 schema this walk reads (`_zod.def`), typed no wider than it needs. */
interface SchemaDef {
  readonly type: string;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly shape?: Record<string, z.ZodType>;
  readonly element?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly options?: readonly z.ZodType[];
}

function defOf(schema: z.ZodType): SchemaDef {
  return schema._zod.def as unknown as SchemaDef;
}

/** The keys an object schema accepts at `path` (through defaults, optionals, arrays, records and unions). */
export function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const def = defOf(schema);
  const inner = def.innerType ?? def.in;
  if (inner) return keysAt(inner, path);
  if (def.type === "union") return [...new Set((def.options ?? []).flatMap((option) => keysAt(option, path)))];
  if (path.length === 0) return def.type === "object" ? Object.keys(def.shape ?? {}) : [];
  const [head, ...rest] = path;
  if (def.type === "object") {
    const child = def.shape?.[String(head)];
    return child ? keysAt(child, rest) : [];
  }
  if (def.type === "array" && def.element) return keysAt(def.element, rest);
  if (def.type === "record" && def.valueType) return keysAt(def.valueType, rest);
  return [];
}
