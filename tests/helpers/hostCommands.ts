/**
 * Every host command of a declared stack as plain data: what the engine would run and in which order, read from
 * the mocks (inputs) and from the stack transformation (options, which the mock monitor never sees). The graph
 * invariants read it; so can a rehearsal that runs the commands for real.
 */
import * as pulumi from "@pulumi/pulumi";
import { promiseOf, secretInput, type MockRecorder } from "./pulumiMocks";

export const COMMAND_TYPES = ["command:remote:Command", "command:local:Command"] as const;

export interface HostCommandDescription {
  readonly type: (typeof COMMAND_TYPES)[number];
  /** Logical name. */
  readonly name: string;
  readonly create?: string;
  readonly update?: string;
  readonly delete?: string;
  /** Standard input, unwrapped from its secret marker (`stdinSecret` says whether it was one). */
  readonly stdin?: string;
  readonly stdinSecret: boolean;
  readonly triggers?: unknown[];
  /** The SSH connection, unwrapped (remote commands only). */
  readonly connection?: Record<string, unknown>;
  /** Resource options that decide the order and the replacement. */
  readonly deleteBeforeReplace: boolean;
  /** URNs of the resources this one waits for (`dependsOn`). */
  readonly dependsOn: string[];
}

function dependencies(opts: pulumi.CustomResourceOptions | undefined): pulumi.Resource[] {
  const deps = opts?.dependsOn;
  if (deps === undefined) return [];
  // `dependsOn` is declared as Input<Input<Resource>[]> | Input<Resource>; the program only passes plain values.
  return (Array.isArray(deps) ? deps : [deps]).filter((d): d is pulumi.Resource => pulumi.Resource.isInstance(d));
}

/** The host commands the mocks recorded, with their options (record them with `mocks.recordOptions`). */
export async function describeHostCommands(mocks: MockRecorder): Promise<HostCommandDescription[]> {
  const described: HostCommandDescription[] = [];
  for (const type of COMMAND_TYPES) {
    for (const resource of mocks.ofType(type)) {
      const inputs = resource.inputs as Record<string, unknown>;
      const opts = mocks.optionsOf(type, resource.name);
      const stdin = secretInput(inputs.stdin);
      const connection =
        inputs.connection === undefined ? undefined : (secretInput(inputs.connection).value as Record<string, unknown>);
      described.push({
        type,
        name: resource.name,
        create: inputs.create as string | undefined,
        update: inputs.update as string | undefined,
        delete: inputs.delete as string | undefined,
        stdin: stdin.value as string | undefined,
        stdinSecret: stdin.secret,
        triggers: inputs.triggers as unknown[] | undefined,
        connection,
        deleteBeforeReplace: opts?.deleteBeforeReplace === true,
        dependsOn: await Promise.all(dependencies(opts).map((dep) => promiseOf(dep.urn))),
      });
    }
  }
  return described;
}
