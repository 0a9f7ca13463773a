/**
 * Child process of `programGraph` (graph.ts): `graphWorker.ts <request.json> <graph.json>`. Installs the SDK's
 * mocks, reads every RegisterResource request, runs `index.ts`, and writes the resources once the program is done.
 */
import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { deserializeProperties } from "@pulumi/pulumi/runtime/rpc";
import { generatedValue, type GraphRequest, type GraphResource } from "./graph";

/**
 * bcrypt of a generated password, as @pulumi/random's `bcryptHash` (computed once by the provider, kept in the
 * state): the salt is derived from the resource's name so both phases' graphs see the same hash, as the state would.
 */
function bcryptOf(password: string, name: string): string {
  const alphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const digest = crypto.createHash("sha256").update(name).digest();
  // 22 salt characters; the last one carries 2 bits only, so it is one of `.Oeu` (a canonical bcrypt salt).
  const salt = [...digest.subarray(0, 21)].map((b) => alphabet[b % 64]).join("") + ".Oeu"[digest[21] % 4];
  const script = "import crypt, sys; print(crypt.crypt(sys.stdin.read(), sys.argv[1]))";
  const hash = execFileSync("python3", ["-W", "ignore", "-c", script, `$2b$10$${salt}`], {
    input: password,
    encoding: "utf8",
  }).trim();
  if (!/^\$2b\$10\$[./A-Za-z0-9]{53}$/.test(hash)) throw new Error(`python3's crypt made no bcrypt hash for ${name}`);
  return hash;
}

/** How a secret input arrives deserialized: Pulumi's secret signature around the value. */
const SECRET_SIGNATURE = { key: "4dabf18193072939515e22adb298388d", value: "1b47061264138c4ac30d75fd1eb44270" };

function unwrapSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (record[SECRET_SIGNATURE.key] === SECRET_SIGNATURE.value) return unwrapSecrets(record.value);
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, unwrapSecrets(v)]));
  }
  return value;
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getDependenciesList(): string[];
  getDeletebeforereplace(): boolean;
  getRetainondelete(): boolean;
  getReplaceonchangesList(): string[];
  getObject(): unknown;
}

interface MockMonitorInternals {
  registerResource(req: RegisterRequest, callback: unknown): Promise<void>;
  newUrn(parent: string, type: string, name: string): string;
}

async function main(): Promise<void> {
  const [requestFile, resultFile] = process.argv.slice(2);
  const request = JSON.parse(fs.readFileSync(requestFile, "utf8")) as GraphRequest;
  const resources: GraphResource[] = [];
  const prototype = MockMonitor.prototype as unknown as MockMonitorInternals;
  const original = prototype.registerResource;
  prototype.registerResource = function (this: MockMonitorInternals, req: RegisterRequest, callback: unknown) {
    const urn = this.newUrn(req.getParent(), req.getType(), req.getName());
    const order = resources.length;
    const inputs = deserializeProperties(req.getObject() as never, true) as Record<string, unknown>;
    resources.push({
      urn,
      type: req.getType(),
      name: req.getName(),
      parent: req.getParent(),
      order,
      dependencies: req.getDependenciesList(),
      deleteBeforeReplace: req.getDeletebeforereplace(),
      retainOnDelete: req.getRetainondelete(),
      replaceOnChanges: req.getReplaceonchangesList(),
      inputs: unwrapSecrets(inputs) as Record<string, unknown>,
    });
    return original.call(this, req, callback);
  };
  // setMocks is async in its signature only: it installs the mock monitor synchronously (runtime/mocks.js).
  void pulumi.runtime.setMocks(
    {
      newResource(args) {
        const state: Record<string, unknown> = { ...args.inputs };
        if (args.type === "random:index/randomPassword:RandomPassword") {
          state.result = generatedValue(request.generatedSecret, args.name);
          state.bcryptHash = bcryptOf(String(state.result), args.name);
        }
        if (args.type === "docker:index/network:Network" && !state.name) state.name = args.name;
        return { id: `${args.name}-id`, state };
      },
      call: (args) => args.inputs,
    },
    "koprogo-observability",
    request.stack,
    false,
  );
  pulumi.runtime.setAllConfig(request.config, [...request.secretKeys]);
  await import("../index");
  // The program is done when no request is added for a while (outputs resolve over several turns).
  let seen = -1;
  while (seen !== resources.length) {
    seen = resources.length;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  resources.sort((a, b) => a.order - b.order);
  fs.writeFileSync(resultFile, JSON.stringify(resources), { mode: 0o600 });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : String(error));
  process.exit(1);
});
