/**
 * The further hosts' log shipping, from the generators: each host's Alloy (same generator as the monitoring
 * host's, its own target), the log gateway's settings and its nginx.conf, as the scale stack renders them.
 */
import { renderAll } from "../../stack/files";
import { alloyConfig, alloyConfigText, furtherHostAlloy } from "../../logs/alloy";
import type { AlloyBlock, AlloyStatement, AlloyValue } from "../../logs/alloySyntax";
import { LOG_LABELS } from "../../contract/logs";
import { logGatewayConfig, logGatewayUsers, LOG_GATEWAY_CONTAINER_PATHS } from "../../logs/gateway";
import { directive, renderNginx } from "../../logs/nginxSyntax";
import { logGatewayPasswordName, placeholderSecrets } from "../../settings";
import { parseAlloy, pipelineSelectors, withoutComments } from "../helpers/alloyParser";
import { assertValidLogql } from "../helpers/logql";
import { stackSettings } from "../helpers/stacks";
import { problemsOf } from "../helpers/configProblems";

const scale = stackSettings("scale").settings;
const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBIgHMKRxkycQTctsSDWa9pydMYpd2fwcA9j5BUtTcbD";
const host = (name: string, address: string) => ({ name, address, ssh: { hostKey: KEY } });

function labelled(statements: readonly AlloyStatement[]): string[] {
  return statements.flatMap((s) => (s.kind === "block" && s.label !== undefined ? [`${s.name}.${s.label}`] : []));
}
function child(b: AlloyBlock, name: string): AlloyBlock | undefined {
  return b.body.find((s): s is AlloyBlock => s.kind === "block" && s.name === name);
}
function attrs(b: AlloyBlock | undefined): Record<string, AlloyValue> {
  return Object.fromEntries((b?.body ?? []).flatMap((s) => (s.kind === "attribute" ? [[s.name, s.value]] : [])));
}

describe.each(["api-2", "db-1"])("further host %s's Alloy", (name) => {
  const statements = alloyConfig(scale, furtherHostAlloy(scale, { name }));
  const write = statements.find((s): s is AlloyBlock => s.kind === "block" && s.name === "loki.write")!;
  const endpoint = child(write, "endpoint")!;

  it("reads the journal and the agents' files, and no Docker engine (it has no socket proxy)", () => {
    expect(labelled(statements)).toEqual([
      "discovery.relabel.journal",
      "loki.source.journal.journal",
      "local.file_match.host_files",
      "loki.source.file.host_files",
      "loki.process.koprogo",
      "loki.write.loki",
    ]);
  });

  it("pushes to the log gateway over https, verified against the hosts' CA, with its own login from a file", () => {
    expect(attrs(endpoint).url).toBe("https://10.0.0.10:3101/loki/api/v1/push");
    expect(attrs(child(endpoint, "basic_auth"))).toEqual({
      username: name,
      password_file: "/etc/alloy/secrets/gateway-password",
    });
    expect(attrs(child(endpoint, "tls_config"))).toEqual({
      ca_file: "/etc/alloy/secrets/hosts-ca.crt",
      min_version: "TLS12",
    });
    expect(attrs(endpoint)).toMatchObject({ max_backoff_period: "5m", max_backoff_retries: 20 });
  });

  it("labels every stream with its own host name, and keeps the contract's labels only", () => {
    expect(attrs(write).external_labels).toEqual({ environment: "prod", host: name });
    const process = statements.find((s): s is AlloyBlock => s.kind === "block" && s.name === "loki.process")!;
    expect(attrs(child(process, "stage.label_keep")).values).toEqual([...LOG_LABELS]);
  });

  it("has only valid LogQL selectors, and its file parses back to the generator's tree", () => {
    const selectors = pipelineSelectors(statements);
    expect(selectors.length).toBeGreaterThan(20);
    for (const selector of selectors) assertValidLogql(selector, `selector ${selector}`);
    expect(parseAlloy(alloyConfigText(scale, furtherHostAlloy(scale, { name })))).toEqual(withoutComments(statements));
  });
});

describe("the scale stack's rendered log files", () => {
  const secrets = { ...placeholderSecrets(scale), [logGatewayPasswordName("api-2")]: "real-password-of-api-2" };
  const files = new Map(renderAll(scale, secrets).map((f) => [f.path, f]));

  it("writes each further host's Alloy config, password and CA under hosts/<name>/alloy, secrets marked", () => {
    for (const name of ["api-2", "db-1"]) {
      expect(files.get(`hosts/${name}/alloy/config.alloy`)?.secret).toBeFalsy();
      expect(files.get(`hosts/${name}/alloy/secrets/gateway-password`)?.secret).toBe(true);
      expect(files.get(`hosts/${name}/alloy/secrets/hosts-ca.crt`)?.secret).toBe(true);
    }
    expect(files.get("hosts/api-2/alloy/secrets/gateway-password")?.content).toBe("real-password-of-api-2");
    expect(files.get("hosts/api-2/alloy/config.alloy")?.content).not.toContain("real-password-of-api-2");
  });

  it("writes the gateway's config, one login per further host and its TLS pair on the monitoring host", () => {
    expect([...files.keys()].filter((p) => p.startsWith("log-gateway/")).sort()).toEqual([
      "log-gateway/nginx.conf",
      "log-gateway/tls.crt",
      "log-gateway/tls.key",
      "log-gateway/users",
    ]);
    expect(files.get("log-gateway/users")).toMatchObject({ secret: true });
    expect(
      files
        .get("log-gateway/users")!
        .content.split("\n")
        .filter(Boolean)
        .map((l) => l.split(":")[0]),
    ).toEqual(["api-2", "db-1"]);
    const conf = files.get("log-gateway/nginx.conf")!.content;
    expect(conf).toBe(logGatewayConfig(scale, { listen: "3101", paths: LOG_GATEWAY_CONTAINER_PATHS }));
    expect(conf).toContain(
      "location = /loki/api/v1/push {\n      limit_except POST {\n        deny all;\n      }\n      auth_basic",
    );
    expect(conf).toContain("set $loki http://koprogo-obs-loki:3100;");
  });

  it("renders no gateway and no host Alloy for a one-VPS stack", () => {
    const prod = stackSettings("prod").settings;
    expect(
      renderAll(prod, placeholderSecrets(prod)).filter(
        (f) => f.path.startsWith("log-gateway/") || f.path.includes("/alloy/secrets/"),
      ),
    ).toEqual([]);
  });

  it("refuses a user file entry that is no bcrypt hash", () => {
    expect(() => logGatewayUsers(scale, { ...placeholderSecrets(scale), "logGateway.db-1.bcrypt": "plain" })).toThrow(
      "secret logGateway.db-1.bcrypt must be a bcrypt hash",
    );
  });
});

describe("log gateway settings", () => {
  it.each([
    [
      "further hosts without a gateway address",
      { hosts: [host("api-2", "10.0.0.2")] },
      "koprogo-observability:logGateway.address: is required with hosts",
    ],
    [
      "a public gateway address",
      { hosts: [host("api-2", "10.0.0.2")], logGateway: { address: "203.0.113.10" } },
      "koprogo-observability:logGateway.address: must be a private IPv4 address",
    ],
    [
      "an address out of range",
      { logGateway: { address: "10.0.0.300" } },
      "koprogo-observability:logGateway.address: must be an IPv4 address",
    ],
    [
      "a body size that injects a directive",
      { logGateway: { maxBodySize: "4m; allow all" } },
      "koprogo-observability:logGateway.maxBodySize: must be a size in nginx notation",
    ],
    ["an unknown key", { logGateway: { auth: false } }, "koprogo-observability:logGateway.auth: unknown key"],
  ])("refuses %s", (_, values, message) => {
    expect(problemsOf(values).join("\n")).toContain(message);
  });

  it("defaults the address to the Alertmanager cluster's monitoring host address", () => {
    expect(furtherHostAlloy(scale, { name: "api-2" }).write.url).toBe("https://10.0.0.10:3101/loki/api/v1/push");
  });

  it("renders nginx arguments so that none can end a directive early", () => {
    expect(renderNginx([directive("auth_basic", "a realm; allow all")])).toBe('auth_basic "a realm; allow all";\n');
    expect(() => renderNginx([directive("auth_basic", 'x"; allow all; #')])).toThrow("holds a quote");
    expect(() => renderNginx([directive("bad name", "x")])).toThrow("not an nginx directive name");
  });
});
