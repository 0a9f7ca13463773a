/**
 * Reading the stack config into `Settings`: from the Pulumi runtime (the program) or from `Pulumi.<stack>.yaml`
 * (the render CLI, which runs without the Pulumi CLI). Both go through `parseStackConfig`, so they cannot disagree.
 */
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { z } from "zod";
import { watchdogProblem } from "./alerting";
import { keysAt, nearest } from "./didYouMean";
import { ENVIRONMENTS, settingsSchema, type Settings } from "./schema";
import { isSecretName, requiredSecrets, type SecretName } from "./secrets";

export const CONFIG_NAMESPACE = "koprogo-observability";

/** Thrown for a stack config that cannot be used; the message has one line per problem, each with its key path. */
export class StackConfigError extends Error {
  constructor(
    readonly stack: string,
    readonly problems: string[],
  ) {
    super(`Invalid stack config for stack "${stack}":\n${problems.map((p) => `  ${p}`).join("\n")}`);
    this.name = "StackConfigError";
  }
}

export interface ParsedStackConfig {
  readonly settings: Settings;
  /** The secrets the stack config sets (their values are not read here). */
  readonly secretNames: readonly SecretName[];
}

/**
 * Validates a stack's config values (keys without the `koprogo-observability:` namespace).
 * @param values the config values, objects already decoded
 * @param secretKeys the keys that were set with `--secret`
 */
export function parseStackConfig(
  stack: string,
  values: Record<string, unknown>,
  secretKeys: ReadonlySet<string>,
): ParsedStackConfig {
  const problems: string[] = [];
  const plain: Record<string, unknown> = {};
  const secretNames: SecretName[] = [];
  for (const [key, value] of Object.entries(values)) {
    if (isSecretName(key)) {
      if (!secretKeys.has(key))
        problems.push(
          `${CONFIG_NAMESPACE}:${key}: is a secret: set it with \`pulumi config set --secret ${key}\`, never in clear`,
        );
      else secretNames.push(key);
    } else {
      plain[key] = value;
    }
  }
  if (plain.environment === undefined && (ENVIRONMENTS as readonly string[]).includes(stack)) plain.environment = stack;

  const result = settingsSchema.safeParse(plain, { reportInput: true });
  if (!result.success) problems.push(...result.error.issues.flatMap(describeIssue));
  if (problems.length === 0 && result.success) {
    const watchdog = watchdogProblem(result.data);
    if (watchdog) problems.push(`${CONFIG_NAMESPACE}:${watchdog.key}: ${watchdog.message}`);
    for (const { name, because } of requiredSecrets(result.data)) {
      if (!secretNames.includes(name))
        problems.push(
          `${CONFIG_NAMESPACE}:${name}: is required because ${because}: set it with \`pulumi config set --secret ${name}\``,
        );
    }
  }
  if (problems.length > 0 || !result.success) throw new StackConfigError(stack, problems);
  return { settings: result.data, secretNames };
}

/** One line per problem: an unknown key gets its own line, with the nearest key the schema accepts there. */
function describeIssue(issue: z.core.$ZodIssue): string[] {
  const keyPath = issue.path.map(String).join(".");
  const where = keyPath ? `${CONFIG_NAMESPACE}:${keyPath}` : CONFIG_NAMESPACE;
  switch (issue.code) {
    case "unrecognized_keys": {
      const known = keysAt(settingsSchema, issue.path);
      return issue.keys.map((key) => {
        const suggestion = nearest(key, known);
        const full = (name: string) => (keyPath ? `${keyPath}.${name}` : name);
        return `${where}${keyPath ? "." : ":"}${key}: unknown key${suggestion ? `; did you mean ${full(suggestion)}?` : ""}`;
      });
    }
    default:
      return [`${where}: ${issue.message}${describeInput(issue.input)}`];
  }
}

function describeInput(input: unknown): string {
  if (input === undefined || (typeof input === "object" && input !== null)) return "";
  return ` (got ${JSON.stringify(input)})`;
}

/** Splits `namespace:key` config entries, keeping this project's keys only (provider keys such as `docker:host` are theirs). */
function ownKeys<T>(entries: Record<string, T>): Record<string, T> {
  const own: Record<string, T> = {};
  for (const [fullKey, value] of Object.entries(entries)) {
    const [namespace, key] = fullKey.includes(":")
      ? [fullKey.slice(0, fullKey.indexOf(":")), fullKey.slice(fullKey.indexOf(":") + 1)]
      : [CONFIG_NAMESPACE, fullKey];
    if (namespace === CONFIG_NAMESPACE) own[key] = value;
  }
  return own;
}

/**
 * The YAML document of a stack file; a syntax error names the file, the line and the column (the `yaml` package's
 * message carries the position, e.g. "Nested mappings are not allowed in compact mappings at line 3, column 8"),
 * and a document that is not a mapping says so instead of being read as an empty config.
 */
function parseYamlFile(stack: string, file: string): Record<string, unknown> {
  let document: unknown;
  try {
    document = YAML.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0].replace(/:$/, "") : String(error);
    throw new StackConfigError(stack, [
      `${file}: not valid YAML: ${message}. Fix the file (\`pulumi config\` writes it valid)`,
    ]);
  }
  if (document === null || document === undefined) return {};
  if (typeof document !== "object" || Array.isArray(document))
    throw new StackConfigError(stack, [
      `${file}: must be a YAML mapping with a \`config:\` key, not a ${Array.isArray(document) ? "list" : typeof document}`,
    ]);
  return document as Record<string, unknown>;
}

/** Reads `Pulumi.<stack>.yaml` from `dir`. Secure values count as set secrets; their ciphertext is never read. */
export function loadStackFile(stack: string, dir: string): ParsedStackConfig {
  const file = path.join(dir, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) throw new StackConfigError(stack, [`${file}: no such stack file`]);
  const document = parseYamlFile(stack, file) as { config?: Record<string, unknown> };
  const values: Record<string, unknown> = {};
  const secretKeys = new Set<string>();
  for (const [key, value] of Object.entries(ownKeys(document.config ?? {}))) {
    if (value !== null && typeof value === "object" && "secure" in value) {
      secretKeys.add(key);
      values[key] = "<secure>";
    } else {
      values[key] = value;
    }
  }
  return parseStackConfig(stack, values, secretKeys);
}

/**
 * Decodes the values the Pulumi runtime hands over: structured config arrives as JSON text, plain keys as text.
 * @param allConfig `pulumi.runtime.allConfig()`
 * @param secretConfigKeys full keys set as secrets (the engine's `PULUMI_CONFIG_SECRET_KEYS`)
 */
export function decodeRuntimeConfig(allConfig: Record<string, string>, secretConfigKeys: readonly string[]) {
  const values: Record<string, unknown> = {};
  for (const [key, text] of Object.entries(ownKeys(allConfig))) values[key] = decodeValue(text);
  const secretKeys = new Set(Object.keys(ownKeys(Object.fromEntries(secretConfigKeys.map((k) => [k, true])))));
  return { values, secretKeys };
}

function decodeValue(text: string): unknown {
  if (/^\s*[[{]/.test(text) || /^(true|false|null|-?\d+(\.\d+)?)$/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}
