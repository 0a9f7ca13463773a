/**
 * The program's resource graph for one stack config, as the Pulumi engine would receive it: `index.ts` run under
 * the SDK's mocks, every `RegisterResource` request read as it reaches the (mock) resource monitor.
 *
 * Why the request and not `newResource` or a stack transformation: the request is exactly what the engine gets
 * (@pulumi/pulumi 3.248 `runtime/mocks.js` `MockMonitor.registerResource`): its `dependencies` are the URNs of
 * every explicit `dependsOn` AND of every resource an input came from, with components already expanded to their
 * custom-resource children (`runtime/resource.js` `gatherExplicitDependencies` / `getAllTransitivelyReferenced
 * ResourceURNs`); `deleteBeforeReplace` and `replaceOnChanges` are the options as sent. A transformation sees only the options the
 * program wrote, before inputs' dependencies are known.
 *
 * The SDK sends a request only after every dependency's URN is resolved (`prepareResource` awaits them), so the
 * order of requests is already a dependency order; `topologicalOrder` still sorts by the recorded edges and keeps
 * that order only to break ties, so the plan does not rest on a scheduling detail.
 *
 * Each graph is computed in a child process (graphWorker.ts): a fresh runtime, config and module cache per config.
 */
import { execFile } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** One resource as registered, secrets unwrapped (the rehearsal needs their values to send and to search). */
export interface GraphResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly parent: string;
  /** Position of the request: a dependency order already. */
  readonly order: number;
  readonly dependencies: readonly string[];
  readonly deleteBeforeReplace: boolean;
  readonly retainOnDelete: boolean;
  /** Property paths whose change replaces the resource (@pulumi/command adds `triggers[*]` to every Command). */
  readonly replaceOnChanges: readonly string[];
  readonly inputs: Record<string, unknown>;
}

export interface GraphRequest {
  readonly stack: string;
  /** Full config, `koprogo-observability:key` → text as the engine passes it (objects as JSON). */
  readonly config: Record<string, string>;
  readonly secretKeys: readonly string[];
  /** Seed of the values the mocks return for each RandomPassword's `result` (generatedValue): stable across phases. */
  readonly generatedSecret: string;
}

/** The `result` the mocks give the RandomPassword named `name`: one value per password, the same in both graphs. */
export function generatedValue(seed: string, name: string): string {
  return `${seed}-${crypto.createHash("sha256").update(name).digest("hex").slice(0, 16)}`;
}

export const PROJECT_DIR = path.resolve(__dirname, "..");

/** Runs the program under mocks in a child process and returns its resources in request order. */
export async function programGraph(request: GraphRequest): Promise<GraphResource[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kreh-graph-"));
  try {
    const requestFile = path.join(dir, "request.json");
    const resultFile = path.join(dir, "graph.json");
    fs.writeFileSync(requestFile, JSON.stringify(request), { mode: 0o600 });
    await new Promise<void>((resolve, reject) =>
      execFile(
        process.execPath,
        [
          require.resolve("ts-node/dist/bin"),
          "--transpile-only",
          path.join(__dirname, "graphWorker.ts"),
          requestFile,
          resultFile,
        ],
        {
          cwd: PROJECT_DIR,
          env: { ...process.env, PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(request.secretKeys) },
          maxBuffer: 16 * 1024 * 1024,
        },
        (error, _stdout, stderr) =>
          error ? reject(new Error(`the program failed under mocks: ${stderr.trim() || error.message}`)) : resolve(),
      ),
    );
    return JSON.parse(fs.readFileSync(resultFile, "utf8")) as GraphResource[];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Resources sorted so each comes after all its dependencies (request order breaks ties). Throws on a cycle. */
export function topologicalOrder(resources: readonly GraphResource[]): GraphResource[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const sorted: GraphResource[] = [];
  const visit = (resource: GraphResource): void => {
    if (done.has(resource.urn)) return;
    if (visiting.has(resource.urn)) throw new Error(`dependency cycle through ${resource.urn}`);
    visiting.add(resource.urn);
    for (const dependency of [...resource.dependencies]
      .map((urn) => byUrn.get(urn))
      .filter((r): r is GraphResource => r !== undefined)
      .sort((a, b) => a.order - b.order))
      visit(dependency);
    visiting.delete(resource.urn);
    done.add(resource.urn);
    sorted.push(resource);
  };
  for (const resource of [...resources].sort((a, b) => a.order - b.order)) visit(resource);
  return sorted;
}
