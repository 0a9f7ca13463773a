import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { renderAll } from "../../stack/files";
import { affectedStacks, ciStacks, EXAMPLE_STACKS, stackFileNames } from "../../scripts/ciStacks";
import { loadStackFile, placeholderSecrets, requiredSecrets, StackConfigError } from "../../settings";
import { PROJECT_DIR } from "../helpers/stacks";

const STACKS = stackFileNames(PROJECT_DIR);

function stackConfig(stack: string): Record<string, unknown> {
  const document = YAML.parse(fs.readFileSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8")) as {
    config: Record<string, unknown>;
  };
  return document.config;
}

/** Every leaf path (`koprogo-observability:docker.host`) whose value differs between two config objects. */
function differingPaths(a: unknown, b: unknown, prefix = ""): string[] {
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((key) => differingPaths(a[key], b[key], prefix ? `${prefix}.${key}` : key));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix];
}

describe("the stack files", () => {
  it("are dev, staging and prod at least", () => {
    expect(STACKS).toEqual(expect.arrayContaining(["dev", "prod", "staging"]));
  });

  describe.each(STACKS)("Pulumi.%s.yaml", (stack) => {
    it("parses with the settings schema and names its environment (an example stack says which in its file)", () => {
      const { settings } = loadStackFile(stack, PROJECT_DIR);
      expect(settings.environment).toBe(
        EXAMPLE_STACKS.includes(stack) ? stackConfig(stack)["koprogo-observability:environment"] : stack,
      );
    });

    it("sets every secret its settings require, as a secure value", () => {
      const { settings, secretNames } = loadStackFile(stack, PROJECT_DIR);
      for (const { name } of requiredSecrets(settings)) expect(secretNames).toContain(name);
      for (const name of secretNames)
        expect(stackConfig(stack)[`koprogo-observability:${name}`]).toEqual({ secure: expect.stringMatching(/^v1:/) });
    });

    it("renders, and only files marked secret hold a secret", () => {
      const { settings } = loadStackFile(stack, PROJECT_DIR);
      const files = renderAll(settings, placeholderSecrets(settings));
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) {
        expect(file.content.length).toBeGreaterThan(0);
        if (file.content.includes("<secret:"))
          expect(`${file.path}: ${file.secret === true}`).toBe(`${file.path}: true`);
      }
    });
  });

  it("keep dev local: the Docker socket, loopback, no notification leaving the machine", () => {
    const { settings, secretNames } = loadStackFile("dev", PROJECT_DIR);
    expect(settings.docker.host).toMatch(/^unix:\/\//);
    expect(settings.docker.bindAddress).toBe("127.0.0.1");
    expect(settings.notifications.pager.kind).toBe("disabled");
    expect(secretNames).toEqual([]);
  });

  it("let staging differ from prod only in its host, its Grafana URL and its receivers", () => {
    const differences = differingPaths(stackConfig("prod"), stackConfig("staging"));
    const allowed = [
      /^koprogo-observability:docker\.host$/,
      // Each VPS has its own SSH host key.
      /^koprogo-observability:ssh\.hostKey$/,
      /^koprogo-observability:alerts\.grafanaUrl$/,
      /^koprogo-observability:grafana\.domain$/,
      // The probes' URLs are each environment's public addresses (prod probes api.koprogo.com).
      /^koprogo-observability:blackbox(\.|$)/,
      /^koprogo-observability:notifications\./,
      // Secrets are per stack: their ciphertext always differs, and staging does not page (no PagerDuty/SMS keys).
      /^koprogo-observability:(slackWebhookUrl|pagerdutyRoutingKey|smsWebhookToken|metricsBearerToken|postgresExporterPassword|watchdogHeartbeatUrl)(\.secure)?$/,
    ];
    expect(differences.filter((p) => !allowed.some((pattern) => pattern.test(p)))).toEqual([]);
    expect(differences).toEqual(
      expect.arrayContaining(["koprogo-observability:docker.host", "koprogo-observability:alerts.grafanaUrl"]),
    );
  });

  it("never page from staging", () => {
    const { settings } = loadStackFile("staging", PROJECT_DIR);
    expect(settings.notifications.pager.kind).toBe("disabled");
    expect(settings.notifications.sms.kind).toBe("disabled");
    expect(settings.notifications.chat).toEqual({ kind: "slack", channel: "#alerts-staging" });
  });

  it("refuse a stack file that sets a secret in clear, naming the key", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-"));
    try {
      fs.writeFileSync(
        path.join(dir, "Pulumi.staging.yaml"),
        "config:\n  koprogo-observability:slackWebhookUrl: https://hooks.slack.com/services/x\n",
      );
      expect(() => loadStackFile("staging", dir)).toThrow(StackConfigError);
      expect(() => loadStackFile("staging", dir)).toThrow("koprogo-observability:slackWebhookUrl: is a secret");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the stacks CI previews", () => {
  it("are the server stacks, not dev", () => {
    expect(ciStacks(PROJECT_DIR)).toEqual(["prod", "staging"]);
  });

  it.each([
    ["a stack file changes only its stack", ["Pulumi.staging.yaml"], ["staging"]],
    ["two stack files", ["Pulumi.prod.yaml", "Pulumi.staging.yaml"], ["prod", "staging"]],
    ["the dev stack file touches no CI stack", ["Pulumi.dev.yaml"], []],
    ["tests and prose touch nothing", ["tests/unit/policy.test.ts", "README.md", "renovate.json"], []],
    ["a runbook is deployed content", ["alerts/runbooks/ApiDown.md"], ["prod", "staging"]],
    ["code touches every stack", ["components/prometheus.ts"], ["prod", "staging"]],
    ["the project file touches every stack", ["Pulumi.yaml"], ["prod", "staging"]],
    ["the policy pack touches every stack", ["policy/containers.ts"], ["prod", "staging"]],
    ["the lock file touches every stack", ["package-lock.json"], ["prod", "staging"]],
    ["a workflow change is previewed everywhere", [".github/workflows/deploy.yml"], ["prod", "staging"]],
    ["a deleted stack's file touches nothing", ["Pulumi.qa.yaml"], []],
    ["no change", [], []],
  ])("%s", (_case, changed, expected) => {
    expect(affectedStacks(changed, ["prod", "staging"])).toEqual(expected);
  });
});
