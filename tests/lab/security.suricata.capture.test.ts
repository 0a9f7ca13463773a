/**
 * The deploy script that finds Suricata's capture interfaces (security/suricataCapture.ts), run for real with
 * `sh` inside network namespaces made here, with Ubuntu- and Docker-style interface names: the default route's
 * interface (one route, several metrics, multipath, IPv6 only), a configured name that exists or not, no
 * default route at all, a hostile name reported by `ip`, and a bridge to find without a Docker engine. The names
 * that reach the capture file are checked by reading the file it writes.
 */
import * as fs from "fs";
import * as path from "path";
import { captureScript, CAPTURE_FUNCTIONS } from "../../security/suricataCapture";
import { CAPTURE_TOKENS, captureTemplate } from "../../security/suricata";
import { isInterfaceName } from "../../settings/security";
import { parseStackConfig, type Settings } from "../../settings";
import { stackSettings } from "../helpers/stacks";
import { Lab, ipBatch } from "../helpers/suricataLab";
import { describeWithTools, run, tempDir } from "../helpers/tools";

const prod = stackSettings("prod").settings;

function withCapture(publicInterface: string, appBridge: string | null): Settings {
  return {
    ...prod,
    security: { ...prod.security, publicInterface, suricata: { ...prod.security.suricata, appBridge } },
  };
}

describe("interface names", () => {
  it.each(["eth0", "ens3", "enp1s0", "br-0a1b2c3d4e5f", "wan.100", "veth_x", "a", "abcdefghijklmno"])(
    "accepts %s",
    (name) => {
      expect(isInterfaceName(name)).toBe(true);
    },
  );

  it.each(["", "abcdefghijklmnop", "-eth0", ".", "..", "a/b", "eth0:1", "eth 0", "eth0\n", "$(id)", "a;b", "é0"])(
    "refuses %j",
    (name) => {
      expect(isInterfaceName(name)).toBe(false);
    },
  );

  it.each([
    [
      { publicInterface: "eth0; rm -rf /" },
      "koprogo-observability:security.publicInterface: must be a network interface name like eth0, ens3 or br-koprogo",
    ],
    [{ publicInterface: "ens3:1" }, "security.publicInterface: must be a network interface name"],
    [
      { suricata: { appBridge: "br-0123456789abcd" } },
      "koprogo-observability:security.suricata.appBridge: must be a network interface name",
    ],
    [
      { suricata: { dockerNetworks: ["bridge"] } },
      "security.suricata.dockerNetworks.0: must be an IP address or CIDR block",
    ],
  ])("the settings refuse %j", (security, message) => {
    expect(() => parseStackConfig("prod", { security }, new Set())).toThrow(message);
  });

  it("defaults to finding both at deploy time", () => {
    const { security } = parseStackConfig("dev", {}, new Set()).settings;
    expect([security.publicInterface, security.suricata.appBridge]).toEqual(["auto", "auto"]);
    expect([prod.security.publicInterface, prod.security.suricata.appBridge]).toEqual(["auto", "auto"]);
  });
});

describe("the bridge name from `docker network inspect`", () => {
  const ID = "5e1c7a9d03f2b6e4aa0c1d2e3f405162738495a6b7c8d9e0f1a2b3c4d5e6f708";
  it.each([
    [`${ID} `, "br-5e1c7a9d03f2"],
    [`${ID} <no value>`, "br-5e1c7a9d03f2"],
    [`${ID} br-koprogo`, "br-koprogo"],
    [`${ID} docker0`, "docker0"],
  ])("reads %j as %s", (inspect, bridge) => {
    const result = run("sh", ["-c", `${CAPTURE_FUNCTIONS.join("\n")}\nkoprogo_bridge_of "$1"`, "sh", inspect]);
    expect([result.status, result.output]).toEqual([0, `${bridge}\n`]);
  });
});

describeWithTools("the capture script on hosts with Ubuntu-style interfaces", ["ip", "sh"], () => {
  const lab = new Lab("ksurc");
  let dir: string;
  let removeDir: () => void;
  let template: string;

  /** A host namespace with veth interfaces of these names (peers in a second namespace), up, addressed. */
  function host(role: string, names: readonly string[], extra: readonly string[] = []): string {
    const ns = lab.addNamespace(role);
    const peer = lab.addNamespace(`${role}p`);
    names.forEach((name, i) => {
      lab.veth({ ns, name }, { ns: peer, name: `p${i}` });
      ipBatch(ns, [`addr add 10.215.${10 + i}.1/24 dev ${name}`, `link set ${name} up`]);
      ipBatch(peer, [`addr add 10.215.${10 + i}.2/24 dev p${i}`, `link set p${i} up`]);
    });
    if (extra.length > 0) ipBatch(ns, extra);
    return ns;
  }

  /** Runs the deploy script in `ns`; returns its status, output and the interfaces of the file it wrote. */
  function apply(
    ns: string,
    settings: Settings,
    env: NodeJS.ProcessEnv = process.env,
    templateFrom: Settings = settings,
  ): { status: number; output: string; interfaces?: string[] } {
    const output = path.join(dir, `${ns}.yaml`);
    fs.rmSync(output, { force: true });
    // The template rendered from the same settings, as the agent's files are.
    fs.writeFileSync(template, captureTemplate(templateFrom));
    const result = run("ip", ["netns", "exec", ns, "sh", "-c", captureScript(settings, { template, output })], { env });
    const interfaces = fs.existsSync(output)
      ? [...fs.readFileSync(output, "utf8").matchAll(/interface: (\S+)/g)].map((m) => m[1])
      : undefined;
    return { ...result, interfaces };
  }

  beforeAll(() => {
    ({ dir, remove: removeDir } = tempDir("koprogo-suricata-capture"));
    template = path.join(dir, "koprogo-capture.yaml.in");
  });

  afterAll(async () => {
    await lab.destroy();
    removeDir?.();
  });

  it("takes the default route's interface (enp1s0 beside an eth0 without a route) and the configured bridge", () => {
    const ns = host("one", ["enp1s0", "eth0", "br-0a1b2c3d4e5f"], ["route add default via 10.215.10.2 dev enp1s0"]);
    const result = apply(ns, withCapture("auto", "br-0a1b2c3d4e5f"));
    expect([result.status, result.output]).toEqual([0, "suricata captures: enp1s0 br-0a1b2c3d4e5f\n"]);
    expect(result.interfaces).toEqual(["enp1s0", "br-0a1b2c3d4e5f", "default"]);
  });

  it("takes the lowest metric of two default routes", () => {
    const ns = host(
      "metric",
      ["ens3", "enp7s0"],
      [
        "route add default via 10.215.10.2 dev ens3 metric 200",
        "route add default via 10.215.11.2 dev enp7s0 metric 50",
      ],
    );
    expect(apply(ns, withCapture("auto", null))).toMatchObject({ status: 0, interfaces: ["enp7s0", "default"] });
  });

  it("takes the first path of a multipath default route, names with dots included", () => {
    const ns = host(
      "multi",
      ["wan.100", "ens4"],
      ["route add default nexthop via 10.215.10.2 dev wan.100 nexthop via 10.215.11.2 dev ens4"],
    );
    expect(apply(ns, withCapture("auto", null))).toMatchObject({ status: 0, interfaces: ["wan.100", "default"] });
  });

  it("falls back to the IPv6 default route on an IPv6-only host", () => {
    const ns = host(
      "six",
      ["ens5"],
      ["addr add 2001:db8:215::1/64 dev ens5 nodad", "route add default via 2001:db8:215::2 dev ens5"],
    );
    expect(apply(ns, withCapture("auto", null))).toMatchObject({ status: 0, interfaces: ["ens5", "default"] });
  });

  it("uses a configured public interface that exists, without a default route", () => {
    const ns = host("named", ["ens3"]);
    expect(apply(ns, withCapture("ens3", null))).toMatchObject({ status: 0, interfaces: ["ens3", "default"] });
  });

  it("refuses a host without a default route, naming the setting, and writes nothing", () => {
    const ns = host("noroute", ["ens3"]);
    const result = apply(ns, withCapture("auto", null));
    expect(result.status).toBe(1);
    expect(result.output).toBe(
      "suricata: no default route to find the public interface from (security.publicInterface: auto); set security.publicInterface to the interface name (ip -br link)\n",
    );
    expect(result.interfaces).toBeUndefined();
  });

  it("refuses a configured interface that does not exist, naming the setting and the host's interfaces", () => {
    const ns = host("missing", ["enp1s0"]);
    const result = apply(ns, withCapture("eth0", null));
    expect(result.status).toBe(1);
    expect(result.output).toBe(
      "suricata: the public interface 'eth0' (security.publicInterface) does not exist on this host; its interfaces: enp1s0 lo . Set security.publicInterface to one of them\n",
    );
    expect(result.interfaces).toBeUndefined();
  });

  it("refuses a configured bridge that does not exist, naming security.suricata.appBridge", () => {
    const ns = host("nobridge", ["enp1s0"], ["route add default via 10.215.10.2 dev enp1s0"]);
    const result = apply(ns, withCapture("auto", "br-koprogo"));
    expect(result.status).toBe(1);
    expect(result.output).toContain(
      "suricata: the application bridge 'br-koprogo' (security.suricata.appBridge) does not exist on this host; its interfaces: enp1s0 lo . Set security.suricata.appBridge to one of them",
    );
    expect(result.interfaces).toBeUndefined();
  });

  it("refuses a detected name the shell could misread, before it reaches sed or the file", () => {
    const ns = host("hostile", ["a;touch${IFS}x"], ["route add default via 10.215.10.2 dev a;touch${IFS}x"]);
    const result = apply(ns, withCapture("auto", null));
    expect(result.status).toBe(1);
    expect(result.output).toBe(
      "suricata: the public interface 'a;touch${IFS}x' is not a usable interface name (security.publicInterface)\n",
    );
    expect(result.interfaces).toBeUndefined();
  });

  it("refuses to find the bridge of docker.network without a Docker command, naming both settings", () => {
    const ns = host("nodocker", ["enp1s0"], ["route add default via 10.215.10.2 dev enp1s0"]);
    // A PATH with the tools the script uses and no docker (this machine may have the CLI, never an engine).
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin, { recursive: true });
    for (const tool of ["sh", "ip", "sed", "head", "ls", "tr", "mv", "grep", "rm"]) {
      const found = run("sh", ["-c", `command -v ${tool}`]).output.trim();
      if (!fs.existsSync(path.join(bin, tool))) fs.symlinkSync(found, path.join(bin, tool));
    }
    const result = apply(ns, withCapture("auto", "auto"), { ...process.env, PATH: bin });
    expect(result.status).toBe(1);
    expect(result.output).toBe(
      `suricata: no docker command to find the bridge of the Docker network ${prod.docker.network.name} (docker.network.name, security.suricata.appBridge: auto); set security.suricata.appBridge to the bridge's interface name (ip -br link | grep br-), or null to capture the public interface only\n`,
    );
  });

  it("refuses a Docker that cannot answer for docker.network, naming both settings (the machine's PATH: a CLI without an engine, or none)", () => {
    const result = apply(lab.ns("nodocker"), withCapture("auto", "auto"));
    expect(result.status).toBe(1);
    expect(result.output).toMatch(
      new RegExp(
        `^suricata: (no docker command|cannot inspect the Docker network) .*${prod.docker.network.name}.*docker\\.network\\.name.*security\\.suricata\\.appBridge`,
        "s",
      ),
    );
  });

  it("refuses a template with a token it does not fill (files and script from different settings), and writes nothing", () => {
    const result = apply(lab.ns("named"), withCapture("ens3", null), process.env, withCapture("ens3", "auto"));
    expect(result.status).toBe(1);
    expect(result.output).toBe(
      `suricata: ${template} has an interface token this script does not fill: apply the agent's files and this script from the same settings\n`,
    );
    expect(result.interfaces).toBeUndefined();
    expect(fs.readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("leaves no token in the file it writes", () => {
    const written = fs.readFileSync(path.join(dir, `${lab.ns("one")}.yaml`), "utf8");
    for (const token of Object.values(CAPTURE_TOKENS)) expect(written).not.toContain(token);
  });
});
