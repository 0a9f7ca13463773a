/**
 * Runs the policy pack's policies on one resource the way the analyzer would (type, inputs, options), without the
 * Pulumi CLI, and collects what they report.
 */
import type { PolicyResourceOptions, ResourceValidation, ResourceValidationArgs } from "@pulumi/policy";
import { POLICIES } from "../../policy/policies";

export interface Violation {
  readonly policy: string;
  readonly message: string;
}

const DEFAULT_OPTIONS: PolicyResourceOptions = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};

export function validationArgs(
  type: string,
  props: Record<string, unknown>,
  opts: Partial<PolicyResourceOptions> = {},
  name = "test",
): ResourceValidationArgs {
  return {
    type,
    props,
    urn: `urn:pulumi:test::koprogo-observability::${type}::${name}`,
    name,
    opts: { ...DEFAULT_OPTIONS, ...opts },
    stackTags: new Map(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => ({}) as T,
    notApplicable: (reason?: string): never => {
      throw new Error(`not applicable: ${reason ?? ""}`);
    },
  };
}

/** Every violation the pack reports for one resource. */
export async function violationsOf(
  type: string,
  props: Record<string, unknown>,
  opts: Partial<PolicyResourceOptions> = {},
  name = "test",
): Promise<Violation[]> {
  const found: Violation[] = [];
  const args = validationArgs(type, props, opts, name);
  for (const policy of POLICIES) {
    const validations: ResourceValidation[] =
      policy.validateResource === undefined
        ? []
        : Array.isArray(policy.validateResource)
          ? policy.validateResource
          : [policy.validateResource];
    for (const validate of validations) await validate(args, (message) => found.push({ policy: policy.name, message }));
  }
  return found;
}
