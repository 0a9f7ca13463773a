/**
 * The policy pack as the Pulumi CLI runs it: `policy/index.ts` started in its own directory (its package.json
 * gives the pack's version), serving the analyzer gRPC API on loopback, asked to analyze resources the way the
 * engine sends them (protobuf structs, secrets and unknowns in the engine's encoding).
 */
import { spawn, type ChildProcess } from "child_process";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import * as analyzerProto from "@pulumi/pulumi/proto/analyzer_pb";
import * as analyzerRpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { RETAIN_ON_DELETE_LABEL } from "../../components/retention";
import { IMAGES } from "../../settings";
import { RESOURCE_TYPES } from "../../policy/policies";
import { PROJECT_DIR } from "../helpers/stacks";

// The protobuf runtime @pulumi/pulumi's generated classes were built with (a second copy would not serialize):
// loaded from a path resolved at run time, which only `require` can do.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Struct } = require(
  require.resolve("google-protobuf/google/protobuf/struct_pb", {
    paths: [path.dirname(require.resolve("@pulumi/pulumi/proto/analyzer_pb"))],
  }),
) as typeof import("google-protobuf/google/protobuf/struct_pb");

/** How the engine marks a secret and an unknown (preview) value in resource properties. */
const SECRET_SIG = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };
const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

interface Diagnostic {
  readonly policy: string;
  readonly message: string;
  readonly mandatory: boolean;
}

let pack: ChildProcess | undefined;
let client: analyzerRpc.AnalyzerClient;

function startPack(): Promise<number> {
  // ts-node as the CLI's policy runner registers it; transpile only, because `npm test` type-checks first.
  const script = `require("ts-node").register({ transpileOnly: true, project: "tsconfig.json" }); require("../index.ts");`;
  const child = spawn(process.execPath, ["-e", script], {
    cwd: path.join(PROJECT_DIR, "policy"),
    stdio: ["ignore", "pipe", "pipe"],
  });
  pack = child;
  return new Promise((resolve, reject) => {
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout!.once("data", (chunk: Buffer) => {
      const port = Number(chunk.toString().trim().split("\n")[0]);
      if (Number.isInteger(port) && port > 0) resolve(port);
      else reject(new Error(`the pack printed ${JSON.stringify(chunk.toString())} instead of its port`));
    });
    child.once("exit", (code) => reject(new Error(`the policy pack exited (${code}) before serving: ${stderr}`)));
  });
}

function analyze(type: string, props: Record<string, unknown>, protect = false): Promise<Diagnostic[]> {
  const request = new analyzerProto.AnalyzeRequest();
  request.setType(type);
  request.setName("test");
  request.setUrn(`urn:pulumi:test::koprogo-observability::${type}::test`);
  request.setProperties(Struct.fromJavaScript(props as Record<string, never>));
  const options = new analyzerProto.AnalyzerResourceOptions();
  options.setProtect(protect);
  request.setOptions(options);
  return new Promise((resolve, reject) => {
    client.analyze(request, (error, response) => {
      if (error || !response) return reject(error ?? new Error("no response"));
      resolve(
        response.getDiagnosticsList().map((d) => ({
          policy: d.getPolicyname(),
          message: d.getMessage(),
          mandatory: d.getEnforcementlevel() === analyzerProto.EnforcementLevel.MANDATORY,
        })),
      );
    });
  });
}

beforeAll(async () => {
  const port = await startPack();
  client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}, 30_000);

afterAll(() => {
  client?.close();
  if (pack && pack.exitCode === null) pack.kill();
});

test("the pack refuses a container that breaks every container policy, each as mandatory", async () => {
  const diagnostics = await analyze(RESOURCE_TYPES.container, {
    name: "bad",
    image: "grafana/grafana:latest",
    ports: [{ internal: 3000, external: 3000, ip: "0.0.0.0" }],
    envs: ["GF_SECURITY_ADMIN_PASSWORD=admin"],
  });
  expect(diagnostics.map((d) => d.policy).sort()).toEqual([
    "container-memory-limit",
    "exact-image-version",
    "no-public-port",
    "no-secret-in-clear",
  ]);
  expect(diagnostics.every((d) => d.mandatory)).toBe(true);
});

test("the pack passes the stack's kind of container", async () => {
  expect(
    await analyze(RESOURCE_TYPES.container, {
      name: "ok",
      image: IMAGES.prometheus,
      memory: 256,
      ports: [{ internal: 9090, external: 9090, ip: "127.0.0.1" }],
    }),
  ).toEqual([]);
});

test("a secret output is seen in clear by the pack, so a secret in an environment variable is refused anyway", async () => {
  const diagnostics = await analyze(RESOURCE_TYPES.container, {
    name: "grafana",
    image: IMAGES.grafana,
    memory: 160,
    envs: [{ ...SECRET_SIG, value: "GF_SECURITY_ADMIN_PASSWORD=generated" }],
  });
  expect(diagnostics.map((d) => d.policy)).toEqual(["no-secret-in-clear"]);
  expect(diagnostics[0].message).not.toContain("generated");
});

test("a value unknown during preview makes the policy advisory for that resource, not a pass or a crash", async () => {
  const diagnostics = await analyze(RESOURCE_TYPES.localCommand, { create: UNKNOWN_STRING });
  expect(diagnostics).toEqual([
    {
      policy: "no-secret-in-clear",
      message: expect.stringContaining("can't be known during preview"),
      mandatory: false,
    },
  ]);
});

test("the pack refuses a volume without retention and accepts a retained or protected one", async () => {
  expect((await analyze(RESOURCE_TYPES.volume, { name: "v" })).map((d) => d.policy)).toEqual(["data-volume-retained"]);
  expect(
    await analyze(RESOURCE_TYPES.volume, { name: "v", labels: [{ label: RETAIN_ON_DELETE_LABEL, value: "true" }] }),
  ).toEqual([]);
  expect(await analyze(RESOURCE_TYPES.volume, { name: "v" }, true)).toEqual([]);
});
