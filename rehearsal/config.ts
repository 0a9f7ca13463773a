/**
 * The stack config the rehearsal runs the program with: the committed `Pulumi.<stack>.yaml`, through the normal
 * config path (the engine's `key → text` map, secrets flagged), with a short list of overrides, each printed with
 * its reason. Nothing else of the program is changed.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { CONFIG_NAMESPACE, isSecretName } from "../settings";

export interface Override {
  /** Key path under the namespace, e.g. `security.fail2ban.version`. */
  readonly key: string;
  readonly value: unknown;
  readonly why: string;
}

export interface StackConfig {
  /** `koprogo-observability:key` → value (objects still objects). */
  readonly values: Record<string, unknown>;
  /** The secret keys and the value the rehearsal gives each (random per run). */
  readonly secrets: Record<string, string>;
}

/** The committed stack file; each `secure:` placeholder gets a random per-run value (searched for on the host). */
export function committedConfig(stack: string, dir: string): StackConfig {
  const document = YAML.parse(fs.readFileSync(path.join(dir, `Pulumi.${stack}.yaml`), "utf8")) as {
    config?: Record<string, unknown>;
  };
  const values: Record<string, unknown> = {};
  const secrets: Record<string, string> = {};
  for (const [key, value] of Object.entries(document.config ?? {})) {
    if (value !== null && typeof value === "object" && "secure" in value) secrets[key] = randomSecret(key);
    else values[key] = value;
  }
  return { values, secrets };
}

export function randomSecret(key: string): string {
  return `kreh-${key.replace(/^.*:/, "")}-${crypto.randomBytes(12).toString("hex")}`;
}

/** Sets `key` (dotted, under the namespace) in a copy of the values. */
export function withOverride(values: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const [top, ...rest] = key.split(".");
  const fullKey = `${CONFIG_NAMESPACE}:${top}`;
  const copy = structuredClone(values);
  if (rest.length === 0) {
    copy[fullKey] = value;
    return copy;
  }
  let node = (copy[fullKey] ??= {}) as Record<string, unknown>;
  for (const part of rest.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
  node[rest[rest.length - 1]] = value;
  return copy;
}

export function applyOverrides(config: StackConfig, overrides: readonly Override[]): StackConfig {
  let values = config.values;
  const secrets = { ...config.secrets };
  for (const o of overrides) {
    const top = o.key.split(".")[0];
    if (isSecretName(top)) secrets[`${CONFIG_NAMESPACE}:${top}`] = String(o.value);
    else values = withOverride(values, o.key, o.value);
  }
  return { values, secrets };
}

/** The engine's view: every value as text (objects as JSON), and which keys are secret. */
export function engineConfig(config: StackConfig): { config: Record<string, string>; secretKeys: string[] } {
  const text: Record<string, string> = {};
  for (const [key, value] of Object.entries(config.values))
    text[key] = typeof value === "string" ? value : JSON.stringify(value);
  for (const [key, value] of Object.entries(config.secrets)) text[key] = value;
  return { config: text, secretKeys: Object.keys(config.secrets) };
}
