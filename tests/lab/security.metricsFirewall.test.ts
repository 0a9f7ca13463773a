/**
 * CrowdSec's metrics endpoint (no authentication) is kept to the monitoring network by the rule its systemd drop-in
 * adds and removes (security/crowdsec.ts). Run for real: the drop-in's own `ExecStartPre`/`ExecStopPost` lines in a
 * network namespace standing for the host, a listener on the rendered listen address, and three clients: a
 * container on the monitoring network (Prometheus), one on the application's network (its gateway is the host),
 * and a neighbour on the host's link that routes the monitoring subnet through the host.
 */
import { HostLab } from "../../e2e/harness/hostLab";
import { waitFor } from "../../e2e/harness/waitFor";
import { renderSecurityFiles } from "../../security/files";
import { placeholderSecrets } from "../../settings";
import { stackSettings } from "../helpers/stacks";
import { describeWithTools } from "../helpers/tools";

const { settings } = stackSettings("prod");
const dropIn = renderSecurityFiles(settings, placeholderSecrets()).find(
  (f) => f.path === "crowdsec/systemd/crowdsec.service.d/koprogo.conf",
)!.content;
const { listenAddress, port } = settings.security.crowdsec.metrics;

/** `Key=value` lines of the drop-in for one key, the `-` (ignore failure) prefix split off. */
function commands(key: "ExecStartPre" | "ExecStopPost"): { ignoreFailure: boolean; argv: string[] }[] {
  return dropIn
    .split("\n")
    .filter((line) => line.startsWith(`${key}=`))
    .map((line) => line.slice(key.length + 1))
    .map((value) => ({ ignoreFailure: value.startsWith("-"), argv: value.replace(/^-/, "").split(" ") }));
}

describeWithTools(
  "CrowdSec's metrics behind the drop-in's firewall rule, in namespaces",
  ["/usr/sbin/ip", "/usr/sbin/iptables", "/usr/bin/curl", "python3"],
  () => {
    const lab = new HostLab("secp");
    const ns = { host: lab.ns("host"), monitoring: lab.ns("mon"), app: lab.ns("app"), lan: lab.ns("lan") };
    const inNs = (name: string, ...argv: string[]) => lab.namespaces.run(name, argv[0], argv.slice(1));

    beforeAll(async () => {
      const monitoringHost = `${listenAddress}/24`;
      for (const role of ["host", "mon", "app", "lan"]) lab.addNamespace(role);
      const link = (peer: "monitoring" | "app" | "lan", hostAddress: string, peerAddress: string, route?: string[]) => {
        lab.veth(
          { ns: ns.host, name: `h-${peer}`, address: hostAddress },
          { ns: ns[peer], name: "eth0", address: peerAddress },
        );
        if (route) lab.namespaces.ip(ns[peer], "route", "add", ...route);
      };
      // The monitoring network: the host holds its gateway (the listen address), Prometheus an address on it.
      link("monitoring", monitoringHost, `${listenAddress.replace(/\.1$/, ".10")}/24`);
      // The application's network: its containers' default route is the host's address there (Docker's gateway).
      link("app", "10.239.1.1/24", "10.239.1.10/24", ["default", "via", "10.239.1.1"]);
      // A neighbour on the public link that routes the monitoring subnet through the host's public address.
      link("lan", "10.239.2.1/24", "10.239.2.10/24", [settings.docker.monitoringSubnet, "via", "10.239.2.1"]);
      await lab.start(ns.host, "python3", ["-m", "http.server", "--bind", listenAddress, String(port)], undefined);
      await waitFor(
        "the stand-in metrics listener to answer from the monitoring network",
        () =>
          inNs(ns.monitoring, "/usr/bin/curl", "-s", "-o", "/dev/null", "-m", "1", `http://${listenAddress}:${port}/`),
        10_000,
        100,
      );
    }, 30_000);

    afterAll(() => lab.destroy());

    const run = (key: "ExecStartPre" | "ExecStopPost") => {
      for (const { ignoreFailure, argv } of commands(key)) {
        try {
          inNs(ns.host, ...argv);
        } catch (error) {
          if (!ignoreFailure) throw error;
        }
      }
    };
    const reaches = (from: string) => {
      try {
        inNs(from, "/usr/bin/curl", "-s", "-o", "/dev/null", "-m", "2", `http://${listenAddress}:${port}/metrics`);
        return true;
      } catch {
        return false;
      }
    };

    it("is open to every client without the rule: the hole the rule closes", () => {
      expect([reaches(ns.monitoring), reaches(ns.app), reaches(ns.lan)]).toEqual([true, true, true]);
    });

    it("lets only the monitoring network in once CrowdSec's ExecStartPre lines ran (twice: a restart adds no second rule)", () => {
      run("ExecStartPre");
      run("ExecStartPre");
      expect(
        inNs(ns.host, "/usr/sbin/iptables", "-S", "INPUT")
          .split("\n")
          .filter((l) => l.includes("koprogo-crowdsec-metrics")),
      ).toHaveLength(1);
      expect({ prometheus: reaches(ns.monitoring), application: reaches(ns.app), lan: reaches(ns.lan) }).toEqual({
        prometheus: true,
        application: false,
        lan: false,
      });
    }, 20_000);

    it("takes the rule away with CrowdSec (ExecStopPost)", () => {
      run("ExecStopPost");
      expect(inNs(ns.host, "/usr/sbin/iptables", "-S", "INPUT")).not.toContain("koprogo-crowdsec-metrics");
    });
  },
);
