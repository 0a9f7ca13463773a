/**
 * What the log shipping's containers are run with besides their configuration files: the socket proxy's flags and
 * allowlist (logs/socketProxy.ts), Alloy's host binds and healthcheck (logs/alloyContainer.ts), the log gateway's
 * command and healthcheck (logs/gatewayContainer.ts). Pure: the components only pass these on.
 */
import { alloyHealthcheck, alloyHostBinds } from "../../logs/alloyContainer";
import { FURTHER_HOST_ALLOY_LISTEN } from "../../logs/flags";
import { logGatewayCommand, logGatewayHealthcheck } from "../../logs/gatewayContainer";
import { SOCKET_PROXY_ALLOW_GET, SOCKET_PROXY_ALLOW_HEAD, socketProxyFlags } from "../../logs/socketProxy";
import { LOKI_PUSH_PATH } from "../../logs/gateway";
import { parseStackConfig } from "../../settings";
import { stackSettings } from "../helpers/stacks";

const prod = stackSettings("prod").settings;
const scale = stackSettings("scale").settings;

describe("the socket proxy's flags", () => {
  const flags = socketProxyFlags(prod);

  it("answers Alloy's container alone, by its name on the stack", () => {
    expect(flags).toContain(`-allowfrom=${prod.namePrefix}-alloy`);
    expect(flags.filter((f) => f.startsWith("-allowfrom="))).toHaveLength(1);
  });

  it("allows GET and HEAD on the read paths only, and no other method", () => {
    expect(flags).toContain(`-allowGET=${SOCKET_PROXY_ALLOW_GET}`);
    expect(flags).toContain(`-allowHEAD=${SOCKET_PROXY_ALLOW_HEAD}`);
    expect(flags.filter((f) => /^-allow(POST|PUT|DELETE|PATCH)=/.test(f))).toEqual([]);
  });

  it("restarts on a new engine socket (watchdog) and opens its own healthcheck", () => {
    expect(flags).toEqual(expect.arrayContaining(["-watchdoginterval=60", "-stoponwatchdog", "-allowhealthcheck"]));
  });
});

describe("Alloy's container", () => {
  it("is healthy when /-/ready answers 200 on the address it listens on", () => {
    const [cmd, shell, flag, script] = alloyHealthcheck(prod);
    expect([cmd, shell, flag]).toEqual(["CMD", "bash", "-c"]);
    expect(script).toMatch(/^exec 3<>\/dev\/tcp\/[0-9.]+\/12345 /);
    expect(script).toContain("GET /-/ready HTTP/1.0");
    expect(script).toContain("grep -q ' 200 '");
  });

  it("checks a further host's Alloy on its container loopback", () => {
    expect(alloyHealthcheck(prod, FURTHER_HOST_ALLOY_LISTEN)[3]).toContain("/dev/tcp/127.0.0.1/12345");
  });

  it("mounts every host path read-only, the journal only when it is shipped", () => {
    const withJournal = alloyHostBinds(prod, "/opt/stack");
    expect(withJournal.every((bind) => bind.readOnly)).toBe(true);
    expect(withJournal[0]).toEqual({ hostPath: "/opt/stack/alloy", path: expect.any(String), readOnly: true });
    const off = parseStackConfig("dev", { alloy: { journal: { enabled: false } } }, new Set()).settings;
    const withoutJournal = alloyHostBinds(off, "/opt/stack").map((bind) => bind.hostPath);
    expect(withJournal.map((bind) => bind.hostPath)).toEqual(expect.arrayContaining(["/run/log/journal"]));
    expect(withoutJournal).not.toContain("/run/log/journal");
    expect(withoutJournal).not.toContain("/etc/machine-id");
  });

  it("never mounts the Docker socket (the proxy reads it)", () => {
    expect(alloyHostBinds(prod, "/opt/stack").map((bind) => bind.hostPath)).not.toContain("/var/run/docker.sock");
  });
});

describe("the log gateway's container", () => {
  it("runs nginx itself, logging to stderr, on its rendered configuration", () => {
    expect(logGatewayCommand()).toEqual([
      "/usr/sbin/nginx",
      "-e",
      "stderr",
      "-c",
      expect.stringMatching(/nginx\.conf$/),
    ]);
  });

  it("is healthy when an anonymous push is refused with 401 over TLS on its port", () => {
    const [cmd, shell, flag, script] = logGatewayHealthcheck(scale);
    expect([cmd, shell, flag]).toEqual(["CMD", "sh", "-c"]);
    expect(script).toContain(`https://127.0.0.1:${scale.logGateway.port}${LOKI_PUSH_PATH}`);
    expect(script).toMatch(/= 401$/);
  });
});
