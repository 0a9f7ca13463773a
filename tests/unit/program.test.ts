/** The Pulumi program itself (`index.ts`): config from the runtime, validated before anything is declared. */
import * as pulumi from "@pulumi/pulumi";
import { installPulumiMocks, secretInput, settle } from "../helpers/pulumiMocks";

const mocks = installPulumiMocks("koprogo-observability", "dev");

function setStackConfig(config: Record<string, string>, secretKeys: string[] = []): void {
  pulumi.runtime.setAllConfig(config, secretKeys);
  process.env.PULUMI_CONFIG_SECRET_KEYS = JSON.stringify(secretKeys);
}

async function loadProgram(): Promise<Record<string, unknown>> {
  let program: Record<string, unknown> = {};
  await jest.isolateModulesAsync(async () => {
    program = await import("../../index");
  });
  await settle();
  return program;
}

afterEach(() => {
  delete process.env.PULUMI_CONFIG_SECRET_KEYS;
  mocks.reset();
});

test("declares the stack from the runtime config, with structured values decoded", async () => {
  setStackConfig(
    {
      "koprogo-observability:prometheus": JSON.stringify({ retention: "15d" }),
      "koprogo-observability:targets": JSON.stringify({ api: { bearerToken: true } }),
      "koprogo-observability:metricsBearerToken": "runtime-token",
    },
    ["koprogo-observability:metricsBearerToken"],
  );
  const program = await loadProgram();
  expect(program.environment).toBe("dev");
  expect(program.prometheusUrl).toBe("http://koprogo-obs-prometheus:9090");
  const prometheus = mocks.one("docker:index/container:Container", "-prometheus");
  expect(prometheus.inputs.command).toContain("--storage.tsdb.retention.time=15d");
  const tokenWrite = mocks
    .ofType("command:local:Command")
    .find((c) => String(c.inputs.create).includes("metrics-bearer-token"));
  expect(secretInput(tokenWrite?.inputs.stdin)).toEqual({ secret: true, value: "runtime-token" });
});

test("an invalid config stops the program before any resource is declared", async () => {
  setStackConfig({ "koprogo-observability:prometheus": JSON.stringify({ retention: "30x" }) });
  await expect(loadProgram()).rejects.toThrow(
    'koprogo-observability:prometheus.retention: must be a positive duration like 30s, 5m, 12h or 30d (got "30x")',
  );
  expect(mocks.resources).toHaveLength(0);
});

test("a secret set in clear through the CLI is refused", async () => {
  setStackConfig({ "koprogo-observability:slackWebhookUrl": "https://hooks.slack.com/services/x" });
  await expect(loadProgram()).rejects.toThrow("koprogo-observability:slackWebhookUrl: is a secret");
  expect(mocks.resources).toHaveLength(0);
});
