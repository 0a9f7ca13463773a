/**
 * Settings that render valid files and then break the product in silence are refused, each with the key, the rule
 * and the fix (issue 22): intervals that blind the rate alerts or delay a `for`, a public or impossible address,
 * a memory budget no host has, a mistyped key, a number where a duration belongs, a stack file that is not YAML.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadStackFile, parseStackConfig } from "../../settings";
import { editDistance, keysAt, nearest } from "../../settings/didYouMean";
import { settingsSchema } from "../../settings/schema";
import { SCRAPES_PER_WINDOW } from "../../settings/timing";
import { FOR, WINDOWS } from "../../contract/ruleTiming";
import { durationToMs } from "../../settings/primitives";
import { problemsOf } from "../helpers/configProblems";

const KEY = "koprogo-observability:";

function accepts(values: Record<string, unknown>): void {
  expect(() => parseStackConfig("dev", values, new Set())).not.toThrow();
}

describe("the scrape interval against the rules' range windows", () => {
  const shortestWindow = Math.min(...Object.values(WINDOWS).map(durationToMs));

  it("states the rule on the numbers the rules use: the 5m rate window takes a scrape interval up to 1m15s", () => {
    expect(shortestWindow).toBe(5 * 60_000);
    expect(SCRAPES_PER_WINDOW).toBe(4);
    accepts({ prometheus: { scrapeInterval: "1m15s" } });
  });

  it("refuses 10m, which leaves every [5m] rate without two samples, naming the key, the rule and the fix", () => {
    const [problem] = problemsOf({ prometheus: { scrapeInterval: "10m" } });
    expect(problem).toContain(`${KEY}prometheus.scrapeInterval: 10m is too long for the rules' range windows`);
    expect(problem).toContain("rate() and increase() need two samples in a window");
    expect(problem).toContain("the shortest window is the rate window (5m)");
    expect(problem).toContain("at most 1/4 of it (1m15s)");
    expect(problem).toContain("Set prometheus.scrapeInterval to 15s");
  });

  it("refuses 1m16s, just over a quarter of the window", () => {
    expect(problemsOf({ prometheus: { scrapeInterval: "1m16s" } })[0]).toContain("prometheus.scrapeInterval");
  });

  it("counts the settings' own rate window: security.alerts.silentLogFor", () => {
    const [problem] = problemsOf({
      prometheus: { scrapeInterval: "1m" },
      security: { alerts: { silentLogFor: "2m" } },
    });
    expect(problem).toContain("the shortest window is security.alerts.silentLogFor (2m)");
  });
});

describe("the evaluation interval against the shortest `for`", () => {
  it("is checked against the shortest non-zero `for` of the rules (DatabaseDown's 30s; the Watchdog's 0s is by design)", () => {
    const nonZero = Object.values(FOR)
      .map(durationToMs)
      .filter((ms) => ms > 0);
    expect(Math.min(...nonZero)).toBe(30_000);
    accepts({ prometheus: { evaluationInterval: "30s" } });
  });

  it("refuses 1m, which would make DatabaseDown fire after a minute instead of 30s", () => {
    expect(problemsOf({ prometheus: { evaluationInterval: "1m" } })).toEqual([
      `${KEY}prometheus.evaluationInterval: 1m is longer than the shortest \`for\` of the alerts (databaseDown: 30s): Prometheus checks \`for\` only at evaluations, so that alert would fire 1m after its condition, not 30s. Set prometheus.evaluationInterval to at most 30s (the default is 15s)`,
    ]);
  });
});

describe("addresses", () => {
  it.each(["127.0.0.1", "172.17.0.1", "10.1.2.3", "192.168.1.10", "172.31.255.254"])(
    "accepts nodeExporter.listenAddress %s (loopback, private, the Docker bridge)",
    (address) => accepts({ nodeExporter: { listenAddress: address } }),
  );

  it.each(["203.0.113.5", "8.8.8.8", "172.32.0.1", "100.64.0.1"])(
    "refuses the public nodeExporter.listenAddress %s with the reason and the fix",
    (address) => {
      const [problem] = problemsOf({ nodeExporter: { listenAddress: address } });
      expect(problem).toContain(
        `${KEY}nodeExporter.listenAddress: must be a loopback (127.0.0.0/8) or private address`,
      );
      expect(problem).toContain("every host metric would be on the internet");
      expect(problem).toContain("ip -4 addr show docker0");
      expect(problem).toContain(`(got "${address}")`);
    },
  );

  it.each<[string, Record<string, unknown>, string]>([
    [
      "nodeExporter.listenAddress",
      { nodeExporter: { listenAddress: "999.999.1.1" } },
      "must be an IPv4 address (four parts, each 0 to 255)",
    ],
    ["docker.bindAddress", { docker: { bindAddress: "999.999.1.1" } }, "must be an IP address such as 127.0.0.1"],
    [
      "ssh.host",
      { ssh: { host: "999.999.1.1" } },
      "must be a valid IPv4 address (four parts, each 0 to 255, like 10.0.0.5) or a DNS name",
    ],
    ["ssh.host", { ssh: { host: "10.0.0.256" } }, "must be a valid IPv4 address"],
  ])("refuses the impossible address in %s", (key, values, message) => {
    expect(problemsOf(values).join("\n")).toContain(`${KEY}${key}: ${message}`);
  });

  it.each(["vps.example.com", "203.0.113.10", "2001:db8::10"])("still takes %s where a host is asked for", (host) => {
    // The stack still wants ssh.hostKey then; the address itself is not among the problems.
    expect(problemsOf({ ssh: { host } }).filter((p) => p.startsWith(`${KEY}ssh.host:`))).toEqual([]);
  });
});

describe("the memory budget", () => {
  it("refuses 512g on the 2 GB VPS: at most docker.hostMemory less the application's 448m and the OS's 192m", () => {
    expect(problemsOf({ docker: { memoryBudget: "512g" } })).toEqual([
      `${KEY}docker.memoryBudget: 512g is more than the host can give the stack: docker.hostMemory (2048m) less 448m for the application's containers and 192m for the OS and Docker leaves 1408m. Lower docker.memoryBudget, or set docker.hostMemory to the host's real RAM (the total of \`free -m\`) if it has more`,
    ]);
  });

  it("accepts a larger budget on a host that says it has the memory", () => {
    accepts({ docker: { memoryBudget: "3g", hostMemory: "4g" } });
    expect(problemsOf({ docker: { memoryBudget: "3500m", hostMemory: "4g" } })[0]).toContain("leaves 3456m");
  });
});

describe("a number where a unit belongs", () => {
  it.each<[string, Record<string, unknown>, string]>([
    [
      "prometheus.scrapeInterval",
      { prometheus: { scrapeInterval: 15 } },
      'must be a duration with its unit, like 30s, 5m, 12h or 30d: a bare number has none (write "15s" for seconds, "15m" for minutes) (got 15)',
    ],
    [
      "prometheus.memory",
      { prometheus: { memory: 256 } },
      'must be a memory size with its unit, like 128m or 1g: a bare number has none (write "256m" for MiB, "256g" for GiB) (got 256)',
    ],
  ])("explains %s", (key, values, message) => {
    expect(problemsOf(values)).toEqual([`${KEY}${key}: ${message}`]);
  });
});

describe("did you mean", () => {
  it.each<[Record<string, unknown>, string]>([
    [
      { prometheus: { scrapeInterva: "15s" } },
      "prometheus.scrapeInterva: unknown key; did you mean prometheus.scrapeInterval?",
    ],
    [
      { prometheus: { scrape_interval: "15s" } },
      "prometheus.scrape_interval: unknown key; did you mean prometheus.scrapeInterval?",
    ],
    [{ prometeus: {} }, "prometeus: unknown key; did you mean prometheus?"],
    [
      { security: { fail2ban: { jails: { sshd: { maxretry: 3 } } } } },
      "security.fail2ban.jails.sshd.maxretry: unknown key; did you mean security.fail2ban.jails.sshd.maxRetry?",
    ],
    [
      { hosts: [{ name: "api-2", address: "10.0.0.2", adress: "x" }] },
      "hosts.0.adress: unknown key; did you mean hosts.0.address?",
    ],
  ])("suggests the key the schema accepts there for %j", (values, message) => {
    expect(problemsOf(values)).toContain(`${KEY}${message}`);
  });

  it("gives one line per unknown key, and no guess when nothing is near", () => {
    expect(problemsOf({ prometheus: { retentoin: "3d", zzzzzzzz: 1 } })).toEqual([
      `${KEY}prometheus.retentoin: unknown key; did you mean prometheus.retention?`,
      `${KEY}prometheus.zzzzzzzz: unknown key`,
    ]);
  });

  it("measures edits with transpositions, case-insensitively", () => {
    expect(editDistance("retentoin", "retention")).toBe(1);
    expect(editDistance("SCRAPEINTERVAL", "scrapeInterval")).toBe(0);
    expect(editDistance("", "abc")).toBe(3);
    expect(nearest("grafna", ["grafana", "loki"])).toBe("grafana");
    expect(nearest("x", ["grafana", "loki"])).toBeUndefined();
  });

  it("reads the keys from the schema through defaults, arrays and records", () => {
    expect(keysAt(settingsSchema, [])).toContain("prometheus");
    expect(keysAt(settingsSchema, ["prometheus"])).toContain("scrapeInterval");
    expect(keysAt(settingsSchema, ["hosts", 0])).toContain("address");
  });
});

describe("the stack file", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "settings-guards-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("names the file, the line and the column of a YAML error", () => {
    const file = path.join(dir, "Pulumi.dev.yaml");
    fs.writeFileSync(file, "config:\n  koprogo-observability:prometheus:\n    scrapeInterval: 15s\n   retention: 3d\n");
    expect(() => loadStackFile("dev", dir)).toThrow(
      `${file}: not valid YAML: All mapping items must start at the same column at line 4, column 1.`,
    );
  });

  it("refuses a document that is not a mapping", () => {
    fs.writeFileSync(path.join(dir, "Pulumi.list.yaml"), "- config\n");
    expect(() => loadStackFile("list", dir)).toThrow(
      "Pulumi.list.yaml: must be a YAML mapping with a `config:` key, not a list",
    );
  });
});
