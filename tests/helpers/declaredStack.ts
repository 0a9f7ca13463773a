/**
 * The program's Docker declarations, read from its resource graph under Pulumi's mocks: what the attack lab
 * builds its networks and processes from (e2e/attack/declared.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import type { DeclaredContainer, DeclaredStack } from "../../e2e/attack/declared";
import type { Secrets, Settings } from "../../settings";
import { settle, type MockRecorder } from "./pulumiMocks";
import { stackSettings } from "./stacks";

const CONTAINER = "docker:index/container:Container";
const NETWORK = "docker:index/network:Network";
const COMMANDS = ["command:remote:Command", "command:local:Command"];

type Inputs = Record<string, unknown>;
const list = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);

function container(inputs: Inputs): DeclaredContainer {
  return {
    name: String(inputs.name),
    image: String(inputs.image),
    command: list<string>(inputs.command),
    env: list<string>(inputs.envs),
    networks: list<Inputs>(inputs.networksAdvanced).map((n) => ({
      name: String(n.name),
      aliases: list<string>(n.aliases),
      ...(typeof n.ipv4Address === "string" ? { ipv4Address: n.ipv4Address } : {}),
    })),
    networkMode: typeof inputs.networkMode === "string" ? inputs.networkMode : undefined,
    user: typeof inputs.user === "string" ? inputs.user : undefined,
    // Named volumes are `mounts` of type volume (components/container.ts), host paths `volumes` with a hostPath.
    mounts: [
      ...list<Inputs>(inputs.mounts).map((m) => ({
        kind: "volume" as const,
        source: String(m.source),
        target: String(m.target),
        readOnly: m.readOnly === true,
      })),
      ...list<Inputs>(inputs.volumes).map((v) => ({
        kind: "bind" as const,
        source: String(v.hostPath),
        target: String(v.containerPath),
        readOnly: v.readOnly === true,
      })),
    ],
    ports: list<Inputs>(inputs.ports).map((p) => ({
      internal: Number(p.internal),
      external: p.external === undefined ? undefined : Number(p.external),
      ip: typeof p.ip === "string" ? p.ip : undefined,
    })),
    labels: Object.fromEntries(list<Inputs>(inputs.labels).map((l) => [String(l.label), String(l.value)])),
  };
}

/** Declares the whole stack with `settings` under the mocks and returns what it gives Docker and the host. */
export async function declareStack(
  mocks: MockRecorder,
  settings: Settings,
  secrets: Secrets<string>,
): Promise<DeclaredStack> {
  mocks.reset();
  const { ObservabilityStack } = await import("../../components");
  const outputs: Secrets<pulumi.Output<string>> = Object.fromEntries(
    Object.entries(secrets).flatMap(([name, value]) => (value === undefined ? [] : [[name, pulumi.secret(value)]])),
  );
  new ObservabilityStack("koprogo", { settings, secrets: outputs }, { transformations: [mocks.recordOptions] });
  await settle();
  return {
    containers: mocks.ofType(CONTAINER).map((r) => container(r.inputs)),
    networks: mocks.ofType(NETWORK).map((r) => {
      const subnet = list<Inputs>(r.inputs.ipamConfigs)[0]?.subnet;
      return {
        name: String(r.inputs.name),
        internal: r.inputs.internal === true,
        ...(typeof subnet === "string" ? { subnet } : {}),
      };
    }),
    hostCommands: COMMANDS.flatMap((type) => mocks.ofType(type)).map((r) =>
      typeof r.inputs.create === "string" ? r.inputs.create : "",
    ),
  };
}

/**
 * Declares the whole stack of the committed stack file `stack` (tests/helpers/stacks.ts) under the mocks, recording
 * every resource's options, and returns the component: the resource graph tests read what it declared.
 */
export async function declareCommittedStack(
  mocks: MockRecorder,
  stack: string,
): Promise<import("../../components").ObservabilityStack> {
  mocks.reset();
  const { ObservabilityStack } = await import("../../components");
  const { settings, secrets } = stackSettings(stack);
  const declared = new ObservabilityStack("koprogo", { settings, secrets }, { transformations: [mocks.recordOptions] });
  await settle();
  return declared;
}
