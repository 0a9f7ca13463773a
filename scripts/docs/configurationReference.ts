/**
 * `docs/operator/configuration.md`: every key of the stack config with its type, default and description, generated
 * from the zod schema itself (`z.toJSONSchema` of the input side: types, enums, bounds, defaults) and the JSDoc
 * of its source (`settingsSource.ts`), and every secret. `npm run docs` writes it; a test fails when it drifts.
 */
import { z } from "zod";
import { SECRET_NAMES, settingsSchema } from "../../settings";
import { CONFIG_NAMESPACE, parseStackConfig, StackConfigError } from "../../settings/load";
import type { SettingsDescriptions } from "./settingsSource";

/** The part of JSON Schema that `z.toJSONSchema` writes for this schema. */
interface JsonSchema {
  /** One type, or several (`["string", "null"]`). */
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly default?: unknown;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly additionalProperties?: JsonSchema | boolean;
  readonly propertyNames?: JsonSchema;
  readonly items?: JsonSchema;
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
}

export interface ReferenceRow {
  readonly key: string;
  readonly type: string;
  readonly default: string;
  readonly description: string;
}

const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;

function literal(value: unknown): string {
  return JSON.stringify(value);
}

/** The bounds of a number: `(1–65535)`, `(≥ 0)`, `(> 0)`; zod's `int()` bound (2^53 - 1) says nothing. */
function range(schema: JsonSchema): string {
  const max = schema.maximum !== undefined && schema.maximum < Number.MAX_SAFE_INTEGER ? schema.maximum : undefined;
  const min = schema.minimum !== undefined && schema.minimum > Number.MIN_SAFE_INTEGER ? schema.minimum : undefined;
  if (max !== undefined)
    return ` (${min ?? (schema.exclusiveMinimum !== undefined ? `> ${schema.exclusiveMinimum}` : "…")}–${max})`;
  if (min !== undefined) return ` (≥ ${min})`;
  if (schema.exclusiveMinimum !== undefined) return ` (> ${schema.exclusiveMinimum})`;
  return "";
}

/** A type as an operator reads it: `string`, `integer (1–65535)`, `"backend" | "traefik"`, `string[]`. */
export function typeOf(schema: JsonSchema): string {
  // A nullable scalar (`z.string().nullable()`): JSON Schema lists its types; each keeps its bounds.
  if (Array.isArray(schema.type)) return schema.type.map((type: string) => typeOf({ ...schema, type })).join(" | ");
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) {
    const objects = variants.filter((v) => v.type === "object" && v.properties?.kind?.const !== undefined);
    if (objects.length === variants.length)
      return `one of kind ${objects.map((v) => literal(v.properties!.kind!.const)).join(" | ")}`;
    return [...new Set(variants.map(typeOf))].join(" | ");
  }
  if (schema.const !== undefined) return literal(schema.const);
  if (schema.enum) return schema.enum.map(literal).join(" | ");
  switch (schema.type) {
    case "array":
      return `${schema.items ? typeOf(schema.items) : "value"}[]`.replace(/^(.* \| .*)\[\]$/, "($1)[]");
    case "object":
      if (schema.propertyNames?.enum && typeof schema.additionalProperties === "object")
        return `map of ${schema.propertyNames.enum.map(literal).join(", ")} to ${typeOf(schema.additionalProperties)}`;
      if (!schema.properties && typeof schema.additionalProperties === "object")
        return `map of string to ${typeOf(schema.additionalProperties)}`;
      return "object";
    case "integer":
    case "number":
      return `${schema.type}${range(schema)}`;
    case undefined:
      return "any";
    default:
      return String(schema.type);
  }
}

function defaultOf(schema: JsonSchema): string {
  if (schema.default === undefined) return "—";
  // An object key's `{}` default only says "its own keys' defaults": those rows say what they are.
  if (
    typeof schema.default === "object" &&
    schema.default !== null &&
    !Array.isArray(schema.default) &&
    Object.keys(schema.default).length === 0
  )
    return "—";
  return code(literal(schema.default));
}

/** The rows of the reference, depth first in schema order; union variants' keys under the union's key. */
export function referenceRows(
  schema: JsonSchema,
  descriptions: SettingsDescriptions["keys"],
  prefix = "",
): ReferenceRow[] {
  const rows: ReferenceRow[] = [];
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const key = `${prefix}${name}`;
    const variants = (property.oneOf ?? property.anyOf ?? []).filter((v) => v.type === "object" && v.properties);
    const nested = property.type === "object" && property.properties;
    if (!nested || descriptions.has(key))
      rows.push({
        key,
        type: typeOf(property),
        default: defaultOf(property),
        description: descriptions.get(key) ?? "",
      });
    if (nested) rows.push(...referenceRows(property, descriptions, `${key}.`));
    // A discriminated union (`kind`): each variant's other keys, once each, named for the kinds that take them.
    const seen = new Set<string>(["kind"]);
    for (const variant of variants) {
      for (const [sub, subSchema] of Object.entries(variant.properties ?? {})) {
        if (seen.has(sub)) continue;
        seen.add(sub);
        const kinds = variants.filter((v) => v.properties?.[sub]).map((v) => literal(v.properties!.kind?.const));
        const subKey = `${key}.${sub}`;
        const description = [`With kind ${kinds.join(" or ")}.`, descriptions.get(subKey) ?? ""].join(" ").trim();
        rows.push({ key: subKey, type: typeOf(subSchema), default: defaultOf(subSchema), description });
      }
    }
  }
  return rows;
}

/** Stack configs that are wrong, for the reference to show the real messages they give. */
const EXAMPLE_ERRORS: readonly { readonly stack: string; readonly values: Record<string, unknown> }[] = [
  { stack: "dev", values: { prometheus: { retention: "30x" } } },
  { stack: "dev", values: { notifications: { chat: { kind: "slack" } } } },
];

function exampleError({ stack, values }: (typeof EXAMPLE_ERRORS)[number]): string {
  try {
    parseStackConfig(stack, values, new Set());
  } catch (error) {
    if (error instanceof StackConfigError) return error.message;
    throw error;
  }
  throw new Error(`the example stack config ${JSON.stringify(values)} was accepted: change the example`);
}

const cell = (text: string) => text.replace(/\|/g, "\\|");

/** The schema as JSON Schema, input side: what a stack file may say, with the defaults zod fills in. */
export function settingsJsonSchema(): JsonSchema {
  // `unrepresentable: "any"`: refinements (durations, memory sizes, cross-key checks) are not JSON Schema; their
  // rules are in the descriptions and in the error zod gives for a bad value.
  return z.toJSONSchema(settingsSchema, { io: "input", unrepresentable: "any" }) as JsonSchema;
}

export function configurationReference(
  descriptions: SettingsDescriptions,
  schema: JsonSchema = settingsJsonSchema(),
): string {
  const rows = referenceRows(schema, descriptions.keys);
  const missing = rows.filter((r) => !r.description).map((r) => r.key);
  if (missing.length > 0)
    throw new Error(`settings keys without a JSDoc description in settings/: ${missing.join(", ")}`);
  return [
    "# Configuration reference",
    "",
    "<!-- generated from settings/ by `npm run docs` (scripts/docs.ts), do not edit: a test fails when it drifts -->",
    "",
    `Every key goes under the \`${CONFIG_NAMESPACE}:\` namespace of \`Pulumi.<stack>.yaml\` (nested keys as YAML`,
    "maps, or `pulumi config set --path 'prometheus.retention' 15d`). The schema (`settings/`) parses them once:",
    "an unknown key, a bad value or a missing secret stops `pulumi preview` before any resource, naming the key",
    "(a mistyped key with the nearest one the schema knows: `did you mean prometheus.retention?`).",
    "Defaults are the schema's; a default given as text in the description depends on the environment or on",
    "another key. A stack file only says what differs. A bad stack file fails with one line per problem (these",
    "are the program's own messages for a bad duration and a missing secret):",
    "",
    "```",
    ...EXAMPLE_ERRORS.map(exampleError),
    "```",
    "",
    "| key | type | default | description |",
    "|---|---|---|---|",
    ...rows.map((r) => `| ${code(r.key)} | ${cell(r.type)} | ${cell(r.default)} | ${cell(r.description)} |`),
    "",
    "## Secrets",
    "",
    "Top-level keys set with `pulumi config set --secret <name> <value>`; a secret written in clear is refused.",
    "None is part of the typed settings: generators receive them as parameters, and `npm run render` writes",
    "`<secret:name>` placeholders instead. The logins between the stack's own services (`contract/webAccess.ts`)",
    "are generated and are not config keys.",
    "",
    "| secret | description |",
    "|---|---|",
    ...SECRET_NAMES.map((name) => `| ${code(name)} | ${cell(descriptions.secrets.get(name) ?? "")} |`),
    "",
  ].join("\n");
}
