/**
 * The preflight's plan and settings, pure: which host ports the stack holds, what `migration.oldMonitoring.keepRunning`
 * accepts, and the facts the script looks for (the real run is tests/lab/migration.oldMonitoring.test.ts).
 */
import { OLD_MONITORING_CONTAINERS } from "../../contract/oldMonitoring";
import { oldMonitoringPlan, oldMonitoringPreflightScript, stackHostPorts } from "../../host/oldMonitoring";
import { parseStackConfig } from "../../settings";
import { stackSettings } from "../helpers/stacks";
import { problemsOf } from "../helpers/configProblems";

describe("the old monitoring stack's facts", () => {
  it("are the Compose file's: every host port it publishes, and the four data volumes", () => {
    expect(OLD_MONITORING_CONTAINERS.flatMap((c) => c.hostPorts).sort()).toEqual(
      [3001, 3100, 8082, 9090, 9093, 9100, 9187].sort(),
    );
    expect(OLD_MONITORING_CONTAINERS.flatMap((c) => ("volume" in c ? [c.volume] : []))).toEqual([
      "prometheus_data",
      "grafana_data",
      "loki_data",
      "alertmanager_data",
    ]);
  });
});

describe("the host ports the stack holds", () => {
  it("are Prometheus, Alertmanager and Grafana on loopback and the node exporter on docker0 in prod", () => {
    expect(stackHostPorts(stackSettings("prod").settings)).toEqual([
      {
        port: 9090,
        address: "127.0.0.1",
        setting: "prometheus.hostPort",
        what: "Prometheus",
        container: "koprogo-obs-prometheus",
      },
      {
        port: 9093,
        address: "127.0.0.1",
        setting: "alertmanager.hostPort",
        what: "Alertmanager",
        container: "koprogo-obs-alertmanager",
      },
      {
        port: 3001,
        address: "127.0.0.1",
        setting: "grafana.hostPort",
        what: "Grafana",
        container: "koprogo-obs-grafana",
      },
      {
        port: 9100,
        address: "172.17.0.1",
        setting: "nodeExporter.listenAddress",
        what: "node exporter",
        container: "koprogo-obs-node-exporter",
      },
    ]);
  });

  it("leave out a service published nowhere", () => {
    const { settings } = stackSettings("prod");
    const ports = stackHostPorts({ ...settings, prometheus: { ...settings.prometheus, hostPort: null } });
    expect(ports.map((p) => p.port)).toEqual([9093, 3001, 9100]);
  });
});

describe("migration.oldMonitoring.keepRunning", () => {
  it("defaults to none: every old container must be stopped", () => {
    expect(stackSettings("prod").settings.migration.oldMonitoring.keepRunning).toEqual([]);
  });

  it("accepts the old stack's container names only, refusing another with its key path", () => {
    expect(() =>
      parseStackConfig("dev", { migration: { oldMonitoring: { keepRunning: ["koprogo-cadvisor"] } } }, new Set()),
    ).not.toThrow();
    const problems = problemsOf({ migration: { oldMonitoring: { keepRunning: ["koprogo-cadvisr"] } } });
    expect(problems.join("\n")).toContain("migration.oldMonitoring.keepRunning.0");
    expect(problems.join("\n")).toContain("koprogo-cadvisor");
  });

  it("refuses a name given twice and an unknown key beside it", () => {
    expect(
      problemsOf({ migration: { oldMonitoring: { keepRunning: ["koprogo-cadvisor", "koprogo-cadvisor"] } } }).join(
        "\n",
      ),
    ).toContain("migration.oldMonitoring.keepRunning");
    expect(problemsOf({ migration: { oldMonitoring: { allowAll: true } } }).join("\n")).toContain(
      "migration.oldMonitoring",
    );
  });
});

describe("the preflight script", () => {
  const script = oldMonitoringPreflightScript(oldMonitoringPlan(stackSettings("prod").settings));

  it("knows every old container by name and by image, and lets this stack's own containers be", () => {
    for (const c of OLD_MONITORING_CONTAINERS) {
      expect(script).toContain(`'${c.name}') what='${c.what}'`);
      expect(script).toContain(`'${c.image}') what='${c.what}'`);
    }
    expect(script).toContain(`case "$name" in 'koprogo-obs-'*|'') continue ;; esac`);
  });

  it("lets through, with keepRunning, exactly the names given", () => {
    const { settings } = stackSettings("prod");
    const kept = oldMonitoringPreflightScript(
      oldMonitoringPlan({ ...settings, migration: { oldMonitoring: { keepRunning: ["koprogo-cadvisor"] } } }),
    );
    expect(kept).toContain("case ' ''koprogo-cadvisor'' ' in");
  });
});
