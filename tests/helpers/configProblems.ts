import { parseStackConfig, StackConfigError } from "../../settings";

/** The problems the settings parser gives for a stack config it must refuse; a config it accepts fails the test. */
export function problemsOf(
  values: Record<string, unknown>,
  stack = "dev",
  secretKeys: ReadonlySet<string> = new Set(),
): string[] {
  try {
    parseStackConfig(stack, values, secretKeys);
  } catch (error) {
    if (error instanceof StackConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected the stack config to be refused");
}
