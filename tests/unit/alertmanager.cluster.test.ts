/** The ports a clustered Alertmanager publishes for its gossip (alertmanager/cluster.ts `alertmanagerGossipPorts`). */
import { alertmanagerGossipPorts } from "../../alertmanager/cluster";
import { stackSettings } from "../helpers/stacks";

describe("Alertmanager's gossip ports", () => {
  const scale = stackSettings("scale").settings;

  it("publish the cluster port over TCP and UDP on the peer's private address only", () => {
    expect(alertmanagerGossipPorts(scale)).toEqual([
      { internal: 9094, hostPort: 9094, ip: "10.0.0.10", protocol: "tcp" },
      { internal: 9094, hostPort: 9094, ip: "10.0.0.10", protocol: "udp" },
    ]);
    expect(alertmanagerGossipPorts(scale, "api-2").map((port) => port.ip)).toEqual(["10.0.0.12", "10.0.0.12"]);
  });

  it("are none without a cluster", () => {
    expect(alertmanagerGossipPorts(stackSettings("prod").settings)).toEqual([]);
  });

  it("refuse a host that is no peer, naming it", () => {
    expect(() => alertmanagerGossipPorts(scale, "db-1")).toThrow('alertmanager.cluster.peers does not name "db-1"');
  });
});
