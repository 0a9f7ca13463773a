/**
 * Issue 20, item 7: does a neighbour on the VPS's provider network reach a container port through Docker's own
 * chains? On Debian's real dockerd (20.10, iptables on, its own network namespace), with the stack's networks and
 * published ports as the program declares them (e2e/attack/neighbour.ts states the kernel preconditions it sets).
 *
 * Measured: Docker's chains alone let the neighbour in on every port published on 127.0.0.1 (Grafana's 3000,
 * Alertmanager's 9093, Prometheus's 9090), on the container's address of the non-internal network that carries the
 * publication, whatever the FORWARD policy: the `DOCKER` chain's ACCEPT for a published port has no condition on
 * the address it was published on. The program's rules (host/directAccess.ts, in DOCKER-USER) close it; the
 * published public port, the loopback publications and Traefik to Grafana still work.
 */
import { attackSettings } from "../../e2e/attack/settings";
import type { DockerEngine } from "../../e2e/dockerEngine";
import { buildBaseImage } from "../../lab/images/build";
import { neighbourExperiment, type NeighbourResult } from "../../e2e/attack/neighbour";
import { e2eSecrets } from "../../e2e/stack";
import { containerName, networkName } from "../../settings";
import { toolPath } from "../../toolchain/cache";
import { declareStack } from "../helpers/declaredStack";
import { installPulumiMocks } from "../helpers/pulumiMocks";
import { describeWithTools } from "../helpers/tools";

jest.setTimeout(240_000);
const mocks = installPulumiMocks("koprogo-observability", "prod");

const summary = (result: NeighbourResult) =>
  [
    `kernel: ${result.kernel.join("; ")}`,
    `program rules applied: ${result.applied}`,
    ...result.dockerChain.map((rule) => `DOCKER: ${rule}`),
    ...result.attempts.map((a) => `neighbour -> ${a.container} ${a.network} ${a.address}:${a.port}: ${a.got}`),
    ...result.harness.map((h) => `harness ${h.ok ? "ok" : "FAILED"}: ${h.what}: ${h.got}`),
  ].join("\n");

describeWithTools(
  "a LAN neighbour against Docker's own chains (real engine)",
  ["dockerd", "docker", "unshare", "nsenter", "iptables", "curl", "ip", toolPath("busybox")],
  () => {
    const settings = attackSettings("10.232");
    const options = async () => ({
      declared: await declareStack(mocks, settings, e2eSecrets()),
      applicationNetwork: settings.docker.network.name,
      standInImage: (engine: DockerEngine) => buildBaseImage(engine, "prometheus-busybox"),
      grafana: {
        container: containerName(settings, "grafana"),
        network: networkName(settings, "grafanaIngress"),
        port: 3000,
      },
    });

    it("Docker's chains alone let the neighbour reach Grafana's 3000 on its container address (FORWARD policy DROP)", async () => {
      const result = await neighbourExperiment({ ...(await options()), engineSubnet: "10.251.42", rules: "none" });
      console.log(`Docker's chains alone:\n${summary(result)}`);
      expect(result.kernel).toEqual([
        "net.ipv4.ip_forward = 1",
        "net.bridge.bridge-nf-call-iptables = 1",
        "FORWARD policy DROP",
      ]);
      expect(result.applied).toBe(0);
      const grafana = result.attempts.filter((a) => a.container === containerName(settings, "grafana"));
      expect(grafana.filter((a) => a.reached).map((a) => a.network)).toEqual([networkName(settings, "grafanaIngress")]);
      // The internal monitoring network's isolation rules do stop it there.
      expect(grafana.find((a) => a.network === networkName(settings, "monitoring"))?.reached).toBe(false);
      expect(result.dockerChain.some((rule) => /--dport 3000 -j ACCEPT/.test(rule))).toBe(true);
    });

    it("the program's DOCKER-USER rules stop every such connection, and what must work still works", async () => {
      const result = await neighbourExperiment({ ...(await options()), engineSubnet: "10.251.44", rules: "declared" });
      console.log(`with the program's rules:\n${summary(result)}`);
      expect(result.applied).toBe(1);
      expect(result.attempts.length).toBeGreaterThanOrEqual(3);
      expect(result.attempts.filter((a) => a.reached)).toEqual([]);
      expect(result.harness.filter((h) => !h.ok)).toEqual([]);
      expect(result.harness.length).toBeGreaterThanOrEqual(3);
    });
  },
);
