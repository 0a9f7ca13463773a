/**
 * What `pulumi up` and `pulumi destroy` would run on the host, in order, from the program's graphs: pure, no I/O.
 *
 * The engine's behaviour relied on (Pulumi docs "Resource options: deleteBeforeReplace", "How Pulumi works";
 * @pulumi/command 1.2.1 `remote/command.d.ts`):
 * - A resource is created after everything it depends on: its `dependencies` (explicit `dependsOn` and the
 *   resources its inputs come from) and its parent.
 * - A resource is REPLACED when a property named in its `replaceOnChanges` changed. @pulumi/command adds
 *   `replaceOnChanges: ["triggers[*]"]` to every Command (remote/command.js, local/command.js), so a changed
 *   trigger replaces it even when it has an `update` script (the `.d.ts` says otherwise; the request is what the
 *   engine acts on). Without that option a trigger change would be an update. Replacement creates the new one first and deletes the old one afterwards (the old one's `delete` script runs
 *   after the new `create`), unless `deleteBeforeReplace` is set: then the old `delete` runs first.
 *   Deletions of replaced and removed resources run after the creates and updates, in reverse dependency order.
 * - Any other input change (the `create` text, `stdin`, the connection...) UPDATES it: the `update` script runs if
 *   one is given, else `create` runs again. Unchanged resources run nothing.
 * - `pulumi destroy` deletes in reverse dependency order; a Command without a `delete` script runs nothing.
 * The `delete` script runs with the resource's last `stdin` (the provider runs every script the same way).
 */
import { topologicalOrder, type GraphResource } from "./graph";

export const COMMAND_TYPES = ["command:remote:Command", "command:local:Command"] as const;

export type Phase = "first deploy" | "change" | "destroy";

export interface HostCommand {
  readonly urn: string;
  readonly name: string;
  readonly type: string;
  readonly create?: string;
  readonly update?: string;
  readonly delete?: string;
  readonly stdin?: string;
  readonly triggers: readonly unknown[];
  readonly deleteBeforeReplace: boolean;
  readonly replaceOnChanges: readonly string[];
  readonly connection?: Record<string, unknown>;
  readonly inputs: Record<string, unknown>;
}

export interface Step {
  readonly command: HostCommand;
  readonly operation: "create" | "update" | "delete";
  readonly script: string;
  /** Why the step runs (`created`, `triggers changed: replaced, create-before-delete`, ...). */
  readonly reason: string;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

export function hostCommandOf(resource: GraphResource): HostCommand {
  const inputs = resource.inputs;
  return {
    urn: resource.urn,
    name: resource.name,
    type: resource.type,
    create: text(inputs.create),
    update: text(inputs.update),
    delete: text(inputs.delete),
    stdin: text(inputs.stdin),
    triggers: Array.isArray(inputs.triggers) ? inputs.triggers : [],
    deleteBeforeReplace: resource.deleteBeforeReplace,
    replaceOnChanges: resource.replaceOnChanges,
    connection: inputs.connection as Record<string, unknown> | undefined,
    inputs,
  };
}

/** The graph with each resource's parent counted as a dependency, as the engine orders them. */
function withParents(resources: readonly GraphResource[]): GraphResource[] {
  return resources.map((r) => ({ ...r, dependencies: r.parent ? [...r.dependencies, r.parent] : r.dependencies }));
}

/** The host commands of a graph in creation order. */
export function commandsInOrder(resources: readonly GraphResource[]): HostCommand[] {
  return topologicalOrder(withParents(resources))
    .filter((r) => (COMMAND_TYPES as readonly string[]).includes(r.type))
    .map(hostCommandOf);
}

/** Stable JSON (keys sorted), to compare inputs. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    return `{${Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

function deleteStep(command: HostCommand, reason: string): Step[] {
  return command.delete ? [{ command, operation: "delete", script: command.delete, reason }] : [];
}

function createStep(command: HostCommand, reason: string): Step[] {
  return command.create ? [{ command, operation: "create", script: command.create, reason }] : [];
}

/** `pulumi up` on an empty stack. */
export function firstDeployPlan(resources: readonly GraphResource[]): Step[] {
  return commandsInOrder(resources).flatMap((c) => createStep(c, "created"));
}

/** `pulumi up` from the `before` graph (deployed) to the `after` graph, resources matched by URN. */
export function changePlan(before: readonly GraphResource[], after: readonly GraphResource[]): Step[] {
  const old = new Map(commandsInOrder(before).map((c) => [c.urn, c]));
  const next = commandsInOrder(after);
  const nextUrns = new Set(next.map((c) => c.urn));
  const steps: Step[] = [];
  const deferredDeletes = new Set<string>();
  for (const command of next) {
    const previous = old.get(command.urn);
    if (!previous) {
      steps.push(...createStep(command, "new resource: created"));
      continue;
    }
    if (canonical(previous.inputs) === canonical(command.inputs)) continue;
    const changed = Object.keys({ ...previous.inputs, ...command.inputs }).filter(
      (k) => canonical(previous.inputs[k]) !== canonical(command.inputs[k]),
    );
    const replacing = changed.filter((k) =>
      command.replaceOnChanges.some((p) => p === k || p.startsWith(`${k}[`) || p.startsWith(`${k}.`)),
    );
    if (replacing.length > 0) {
      if (command.deleteBeforeReplace) {
        steps.push(
          ...deleteStep(previous, `${replacing.join(", ")} changed: replaced, deleteBeforeReplace (old deleted first)`),
        );
        steps.push(...createStep(command, `${replacing.join(", ")} changed: replaced, deleteBeforeReplace`));
      } else {
        steps.push(...createStep(command, `${replacing.join(", ")} changed: replaced, create-before-delete`));
        deferredDeletes.add(command.urn);
      }
      continue;
    }
    const script = command.update ?? command.create;
    if (script)
      steps.push({
        command,
        operation: "update",
        script,
        reason: `${changed.join(", ")} changed: updated in place${command.update ? "" : " (create runs again)"}`,
      });
  }
  // Replaced (create-before-delete) and removed resources go last, in reverse dependency order of the old graph.
  for (const previous of [...old.values()].reverse()) {
    if (deferredDeletes.has(previous.urn))
      steps.push(...deleteStep(previous, "old copy of a replaced resource: deleted after its replacement was created"));
    else if (!nextUrns.has(previous.urn)) steps.push(...deleteStep(previous, "removed from the program: deleted"));
  }
  return steps;
}

/** `pulumi destroy`. */
export function destroyPlan(resources: readonly GraphResource[]): Step[] {
  return [...commandsInOrder(resources)].reverse().flatMap((c) => deleteStep(c, "destroyed"));
}

/** Whether a script needs a Docker engine: it calls the `docker` CLI. */
export function needsDocker(script: string): boolean {
  return /(^|[\s;&|(`$'"])docker\s/.test(script);
}

/**
 * Whether a script downloads from a vendor beyond the apt archive (this machine reaches only Debian's archive):
 * CrowdSec's hub (`cscli hub update`, `cscli collections install`), Suricata's rule sources (`suricata-update`,
 * unless `--offline`), or anything with `curl`/`wget`.
 */
export function needsInternet(script: string): boolean {
  // A command at the start of a line (one command per line in every script here, also inside `s='...'`).
  return (
    /^\s*(s=')?\s*(cscli\s+(hub\s+update|collections\s+install)\b|suricata-update(?!\s+--offline)(\s|$)|(curl|wget)\s)/m.test(
      script,
    ) || /(\||&&|;)\s*(curl|wget)\s/.test(script)
  );
}
