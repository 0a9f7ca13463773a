/**
 * Suricata's files by structure: every local rule parses into header and options, has a unique sid in the local
 * range, a classtype, a `msg` with a contract category, and a regex that compiles and matches the attack it names
 * (and not the normal traffic next to it). The overrides, the capture template, the update configuration and the
 * systemd timer are read back; systemd checks the units and the schedule. Suricata itself reads them, and real
 * traffic, in tests/lab/security.suricata.run.test.ts; the deploy script that finds the interfaces runs in
 * tests/lab/security.suricata.capture.test.ts.
 */
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import {
  categoryOfSignature,
  LOCAL_RULE_MESSAGE_PREFIX,
  SECURITY_CATEGORIES,
  type SecurityCategory,
} from "../../contract/securityCategories";
import { etcPathOf, renderSecurityFiles } from "../../security/files";
import { OWNED_MARK_LINE } from "../../security/ownership";
import {
  localRules,
  localRulesFile,
  LOCAL_SID_RANGE,
  LOGIN_PATH,
  quoteOption,
  ruleText,
  suricataHttpPorts,
  type SuricataRule,
} from "../../security/suricataRules";
import { CAPTURE_TOKENS, SURICATA_PATHS } from "../../security/suricata";
import { placeholderSecrets, settingsSchema, type Settings } from "../../settings";
import { describeWithTools, run, tempDir } from "../helpers/tools";
import { stackSettings } from "../helpers/stacks";
import { documentationText } from "../helpers/docs";

const { settings } = stackSettings("prod");
const files = new Map(renderSecurityFiles(settings, placeholderSecrets()).map((f) => [f.path, f.content]));

interface ParsedRule {
  readonly action: string;
  readonly protocol: string;
  readonly source: string;
  readonly destinationPort: string;
  readonly options: { readonly keyword: string; readonly value?: string }[];
}

/** Splits a rule as Suricata does: the header, then options separated by `;` that is not escaped. */
function parseRule(line: string): ParsedRule {
  const match = /^(alert|drop|pass|reject) (\w+) (\S+) (\S+) -> (\S+) (\S+) \((.*)\)$/.exec(line);
  if (!match) throw new Error(`not a rule: ${line}`);
  const body = match[7];
  const options: { keyword: string; value?: string }[] = [];
  let current = "";
  for (let i = 0; i < body.length; i++) {
    if (body[i] === "\\") {
      current += body[i] + body[i + 1];
      i++;
    } else if (body[i] === ";") {
      const text = current.trim();
      const colon = text.indexOf(":");
      options.push(
        colon < 0 ? { keyword: text } : { keyword: text.slice(0, colon).trim(), value: text.slice(colon + 1).trim() },
      );
      current = "";
    } else {
      current += body[i];
    }
  }
  if (current.trim() !== "") throw new Error(`option without a closing ';' in: ${line}`);
  return { action: match[1], protocol: match[2], source: match[3], destinationPort: match[6], options };
}

/**
 * The text inside a quoted option. In `content` a backslash escapes `"`, `;` and itself; a `pcre` goes to the
 * regex engine as written, only `\"` and `\;` being Suricata's own escapes.
 */
function unquote(value: string, kind: "content" | "pcre" = "content"): string {
  if (!/^".*"$/.test(value)) throw new Error(`not quoted: ${value}`);
  return value.slice(1, -1).replace(kind === "content" ? /\\([";\\])/g : /\\([";])/g, "$1");
}

/** A rule's pcre as a JavaScript RegExp (the syntax used here is common to both). */
function pcreOf(rule: ParsedRule): RegExp | undefined {
  const pcre = rule.options.find((o) => o.keyword === "pcre");
  if (!pcre?.value) return undefined;
  const [, pattern, flags] = /^\/(.*)\/([a-zA-Z]*)$/.exec(unquote(pcre.value, "pcre"))!;
  return new RegExp(pattern, flags.replace(/[^imsx]/g, ""));
}

const ruleLines = files
  .get("suricata/rules/koprogo-local.rules")!
  .split("\n")
  .filter((line) => line && !line.startsWith("#"));
const parsed = ruleLines.map(parseRule);
const bySid = new Map(parsed.map((rule) => [Number(rule.options.find((o) => o.keyword === "sid")!.value), rule]));

describe("the local Suricata rules", () => {
  it("are one rule per line, each parsing into a header and options", () => {
    expect(ruleLines).toHaveLength(localRules(settings).length);
    for (const rule of parsed) {
      expect(rule.action).toBe("alert");
      expect(rule.options[0].keyword).toBe("msg");
    }
    // The rules counting connections or logins per source leave the Docker networks out (on the bridge the source
    // is Traefik, every user at once, or the backend's connection pool); the others match from anywhere.
    const sidsFrom = (source: string) =>
      parsed.filter((r) => r.source === source).map((r) => Number(r.options.find((o) => o.keyword === "sid")!.value));
    expect(sidsFrom("!$DOCKER_NETS")).toEqual([1_000_302, 1_000_401, 1_000_402, 1_000_403]);
    expect(sidsFrom("$EXTERNAL_NET")).toHaveLength(parsed.length - 4);
  });

  it("have unique sids in the local range, a rev and a classtype", () => {
    const sids = parsed.map((rule) => Number(rule.options.find((o) => o.keyword === "sid")?.value));
    expect(new Set(sids).size).toBe(sids.length);
    for (const sid of sids) expect(sid >= LOCAL_SID_RANGE.min && sid <= LOCAL_SID_RANGE.max).toBe(true);
    for (const rule of parsed) {
      expect(rule.options.find((o) => o.keyword === "rev")?.value).toBe("1");
      expect(rule.options.find((o) => o.keyword === "classtype")?.value).toMatch(/^[a-z-]+$/);
    }
  });

  it("start every msg with a category of the contract, and cover every category", () => {
    const categories = parsed.map((rule) => categoryOfSignature(unquote(rule.options[0].value!)));
    expect(categories).not.toContain(undefined);
    expect(new Set(categories)).toEqual(new Set(Object.keys(SECURITY_CATEGORIES)));
    for (const { prefix } of Object.values(SECURITY_CATEGORIES))
      expect(prefix.startsWith(`${LOCAL_RULE_MESSAGE_PREFIX} `)).toBe(true);
  });

  it("put a sticky buffer before every content or pcre of an http rule", () => {
    for (const rule of parsed.filter((r) => r.protocol === "http")) {
      const firstMatch = rule.options.findIndex((o) => o.keyword === "content" || o.keyword === "pcre");
      expect(rule.options.slice(0, firstMatch).some((o) => /^http\./.test(o.keyword))).toBe(true);
    }
  });

  it("quote every content and pcre value", () => {
    for (const rule of parsed)
      for (const option of rule.options.filter((o) => o.keyword === "content" || o.keyword === "pcre"))
        expect(() => unquote(option.value!)).not.toThrow();
  });

  it("track thresholds by source", () => {
    for (const rule of parsed) {
      const threshold = rule.options.find((o) => o.keyword === "threshold");
      if (threshold)
        expect(threshold.value).toMatch(/^type (both|limit|threshold), track by_src, count \d+, seconds \d+$/);
    }
  });

  const CASES: [number, SecurityCategory, string[], string[]][] = [
    [
      1_000_001,
      "sqli",
      [
        "/api/v1/buildings?id=1 UNION SELECT password FROM users",
        "/api/v1/x?q=1+union+all+select+1,2",
        "/x?id=1 union/**/select 1",
      ],
      ["/api/v1/unions/select-plan", "/api/v1/trade-union?select=name"],
    ],
    [1_000_002, "sqli", ["/login?user=admin' or '1'='1", "/x?id=1' OR 1=1--"], ["/api/v1/owners?name=O'Brien"]],
    [1_000_003, "sqli", ["/x?id=1;select pg_sleep(10)", "/x?id=1 and sleep(5)"], ["/api/v1/sleep-schedule"]],
    [
      1_000_102,
      "xss",
      ["/search?q=<img src=x onerror=alert(1)>", "/x?next=javascript:alert(1)"],
      ["/api/v1/online-payments", "/x?next=/dashboard"],
    ],
    [
      1_000_201,
      "pathTraversal",
      ["/static/../../etc/passwd", "/x/%2e%2e%2fetc", "/x/..%5cwindows"],
      ["/api/v1/docs/v1.2.3/readme", "/x/...hidden"],
    ],
    [
      1_000_202,
      "pathTraversal",
      ["/download?file=/etc/passwd", "/x?f=/proc/self/environ"],
      ["/api/v1/etc/password-reset"],
    ],
    [
      1_000_301,
      "scan",
      ["sqlmap/1.7.2#stable (https://sqlmap.org)", "Mozilla/5.00 (Nikto/2.1.6)", "Mozilla/5.0 zgrab/0.x"],
      ["Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0", "KoproGo-Mobile/1.2"],
    ],
  ];
  it.each(CASES)(
    "sid %d (%s) matches its attacks and not the traffic beside them",
    (sid, category, attacks, normal) => {
      const rule = bySid.get(sid)!;
      expect(categoryOfSignature(unquote(rule.options[0].value!))).toBe(category);
      const regex = pcreOf(rule)!;
      for (const text of attacks) expect([text, regex.test(text)]).toEqual([text, true]);
      for (const text of normal) expect([text, regex.test(text)]).toEqual([text, false]);
    },
  );

  it("count POSTs to the login endpoint per source for the brute-force rule", () => {
    const rule = bySid.get(1_000_401)!;
    expect(rule.options.map((o) => o.keyword)).toEqual(
      expect.arrayContaining(["http.method", "http.uri", "startswith", "threshold"]),
    );
    expect(rule.options.filter((o) => o.keyword === "content").map((o) => unquote(o.value!))).toEqual([
      "POST",
      LOGIN_PATH,
    ]);
  });

  it("watch the configured SSH port and leave the services' ports (SSH, HTTPS, HTTP and the backend's) out of the SYN sweep", () => {
    const custom: Settings = {
      ...settings,
      security: { ...settings.security, sshPort: 2222 },
      targets: { ...settings.targets, api: { ...settings.targets.api, address: "koprogo-backend:9000" } },
    };
    const text = localRulesFile(custom);
    expect(text).toContain('-> $HOME_NET 2222 (msg:"KOPROGO BRUTEFORCE SSH connection flood"');
    expect(text).toContain('-> $HOME_NET ![2222,443,80,9000] (msg:"KOPROGO SCAN TCP SYN sweep');
    expect(suricataHttpPorts(custom)).toEqual([80, 9000]);
    expect(suricataHttpPorts(settings)).toEqual([80, 8080]);
  });

  it("escapes quotes and semicolons in option values", () => {
    expect(quoteOption('a"b;c\\d')).toBe('"a\\"b\\;c\\\\d"');
  });

  it("refuses a sid outside the local range", () => {
    const rule: SuricataRule = { ...localRules(settings)[0], sid: 2_100_498 };
    expect(() => ruleText(rule)).toThrow("sid 2100498 is outside the local range 1000000-1999999");
  });
});

describe("the Suricata configuration overlay", () => {
  const overrides = files.get("suricata/koprogo.yaml")!;

  it("starts with the YAML 1.1 directive Suricata requires, then the stack's mark (security/ownership.ts)", () => {
    expect(overrides.startsWith(`%YAML 1.1\n${OWNED_MARK_LINE}\n---\n`)).toBe(true);
  });

  const parse = (text: string) => YAML.parse(text.replace(/^%YAML 1\.1\n/, ""));
  const render = (security: Record<string, unknown>) =>
    new Map(
      renderSecurityFiles(
        settingsSchema.parse({ environment: "prod", security: { enabled: true, ...security } }),
        placeholderSecrets(),
      ).map((f) => [f.path, f.content]),
    );

  it("reads the rules suricata-update writes, logs where Alloy reads, and includes the capture file the deploy writes", () => {
    const config = parse(overrides);
    expect(config["default-rule-path"]).toBe(SURICATA_PATHS.ruleDir);
    expect(config["rule-files"]).toEqual(["suricata.rules"]);
    expect(config["default-log-dir"]).toBe("/var/log/suricata/");
    expect(config.include).toBe("koprogo-capture.yaml");
    expect(`${SURICATA_PATHS.configDir}/${config.include}`).toBe(SURICATA_PATHS.capture);
    expect(config.vars["address-groups"]).toMatchObject({
      HOME_NET: "any",
      EXTERNAL_NET: "any",
      DOCKER_NETS: "[172.16.0.0/12,192.168.0.0/16]",
    });
    expect(config.vars["port-groups"]).toMatchObject({
      HTTP_PORTS: "[80,8080]",
      SSH_PORTS: "22",
      SHELLCODE_PORTS: "!$HTTP_PORTS",
    });
  });

  it("captures the public interface and the application's bridge, both left as tokens for the deploy script", () => {
    const capture = parse(files.get("suricata/koprogo-capture.yaml.in")!);
    expect(capture["af-packet"]).toEqual([
      { interface: CAPTURE_TOKENS.publicInterface, "cluster-id": 99, "cluster-type": "cluster_flow", defrag: true },
      { interface: CAPTURE_TOKENS.appBridge, "cluster-id": 98, "cluster-type": "cluster_flow", defrag: true },
      { interface: "default" },
    ]);
    expect(`/etc/${etcPathOf("suricata/koprogo-capture.yaml.in")}`).toBe(SURICATA_PATHS.captureTemplate);
  });

  it("captures the public interface only when appBridge is null", () => {
    const capture = parse(render({ suricata: { appBridge: null } }).get("suricata/koprogo-capture.yaml.in")!);
    expect(capture["af-packet"].map((e: { interface: string }) => e.interface)).toEqual([
      CAPTURE_TOKENS.publicInterface,
      "default",
    ]);
  });

  it("sets HOME_NET to the host's addresses and the Docker networks when given, EXTERNAL_NET to any (Traefik is inside)", () => {
    const vars = parse(render({ suricata: { homeNet: ["203.0.113.7", "2001:db8::7"] } }).get("suricata/koprogo.yaml")!)
      .vars["address-groups"];
    expect(vars).toMatchObject({
      HOME_NET: "[203.0.113.7,2001:db8::7,172.16.0.0/12,192.168.0.0/16]",
      EXTERNAL_NET: "any",
    });
  });

  it("sets EXTERNAL_NET to the rest when the bridge is not captured", () => {
    const vars = parse(
      render({ suricata: { homeNet: ["203.0.113.7"], appBridge: null } }).get("suricata/koprogo.yaml")!,
    ).vars["address-groups"];
    expect(vars).toMatchObject({ HOME_NET: "[203.0.113.7]", EXTERNAL_NET: "!$HOME_NET" });
  });

  it("merges the local rules file from where it is written", () => {
    expect(YAML.parse(files.get("suricata/update.yaml")!).local).toEqual([SURICATA_PATHS.localRules]);
    expect(`/etc/${etcPathOf("suricata/rules/koprogo-local.rules")}`).toBe(SURICATA_PATHS.localRules);
    expect(`/etc/${etcPathOf("suricata/koprogo.yaml")}`).toBe(SURICATA_PATHS.overrides);
    expect(etcPathOf("suricata/systemd/koprogo-suricata-update.timer")).toBe(
      "systemd/system/koprogo-suricata-update.timer",
    );
  });
});

describeWithTools("the Suricata update schedule with systemd", ["systemd-analyze"], () => {
  let dir: string;
  let removeDir: () => void;
  let verify: ReturnType<typeof run>;
  let calendar: ReturnType<typeof run>;

  beforeAll(() => {
    ({ dir, remove: removeDir } = tempDir("koprogo-suricata"));
    for (const [file, content] of files)
      if (file.startsWith("suricata/systemd/")) fs.writeFileSync(path.join(dir, path.basename(file)), content);
    verify = run("systemd-analyze", [
      "verify",
      "--man=no",
      path.join(dir, "koprogo-suricata-update.timer"),
      path.join(dir, "koprogo-suricata-update.service"),
    ]);
    calendar = run("systemd-analyze", ["calendar", settings.security.suricata.updateSchedule]);
  });

  afterAll(() => removeDir());

  it("has units systemd accepts", () => {
    // The binaries named by the service are not installed here; anything else is a unit error.
    const problems = verify.output
      .split("\n")
      .filter(
        (line) =>
          line.trim() &&
          !/(suricata-update|systemctl).*(No such file|not executable|is not executable)|Command .* is not executable/.test(
            line,
          ),
      );
    expect(problems).toEqual([]);
  });

  it("runs on a calendar expression systemd understands", () => {
    expect(calendar.status).toBe(0);
    expect(calendar.output).toContain("Next elapse:");
  });
});

describe("the documented rule list", () => {
  it("lists every local rule with its sid and msg", () => {
    const readme = documentationText();
    for (const rule of localRules(settings))
      expect(readme).toContain(
        `| ${rule.sid} | \`${SECURITY_CATEGORIES[rule.category].prefix} ${rule.description}\` |`,
      );
  });
});
