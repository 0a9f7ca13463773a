/** Reads the settings and secrets from the Pulumi runtime, through the same parser as the render CLI. */
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE, decodeRuntimeConfig, parseStackConfig, type Secrets, type Settings } from "../settings";

export interface StackInputs {
  readonly settings: Settings;
  readonly secrets: Secrets<pulumi.Output<string>>;
}

/** Keys the engine marks as secret; the engine passes them in `PULUMI_CONFIG_SECRET_KEYS`. */
function secretConfigKeys(): string[] {
  const raw = process.env.PULUMI_CONFIG_SECRET_KEYS;
  return raw ? (JSON.parse(raw) as string[]) : [];
}

export function loadStackInputs(stack = pulumi.getStack()): StackInputs {
  const { values, secretKeys } = decodeRuntimeConfig(pulumi.runtime.allConfig(), secretConfigKeys());
  const { settings, secretNames } = parseStackConfig(stack, values, secretKeys);
  const config = new pulumi.Config(CONFIG_NAMESPACE);
  // `requireSecret` marks the value secret in state and in every resource input derived from it.
  const secrets = Object.fromEntries(secretNames.map((name) => [name, config.requireSecret(name)])) as Secrets<
    pulumi.Output<string>
  >;
  return { settings, secrets };
}
