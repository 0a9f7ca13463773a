/**
 * The preflight for KoproGo's own monitoring stack (host/oldMonitoring.ts), on a real Docker engine (Debian's dockerd
 * on private paths, in a network namespace of its own so published ports are really bound, stopped after). The old
 * stack is made here as its Compose file makes it: the same container names, image references, host ports and
 * volumes (`monitoring_<volume>`, the project of the Ansible role's `monitoring/docker-compose.yml`), from a tiny
 * image built here (busybox from the tool cache, `FROM scratch`) whose httpd holds the port. The script runs as the
 * component runs it, in the engine's network namespace so that `ss` sees what the engine binds.
 */
import { spawn, spawnSync, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { startDockerEngine, type DockerEngine } from "../../e2e/dockerEngine";
import { waitFor } from "../../e2e/processes";
import { oldMonitoringPlan, oldMonitoringPreflightScript, stackHostPorts } from "../../host/oldMonitoring";
import type { Settings } from "../../settings";
import { stackSettings } from "../helpers/stacks";
import { describeWithTools, tempDir, toolPath } from "../helpers/tools";

const BUSYBOX = toolPath("busybox");

/** The prod settings with `migration.oldMonitoring.keepRunning`. */
function prodKeeping(keepRunning: Settings["migration"]["oldMonitoring"]["keepRunning"]): Settings {
  const { settings } = stackSettings("prod");
  return { ...settings, migration: { oldMonitoring: { keepRunning } } };
}

describeWithTools(
  "the old monitoring stack's preflight, on a real Docker engine",
  ["/usr/sbin/dockerd", "docker", "ss", BUSYBOX],
  () => {
    const tmp = tempDir("koprogo-oldmon");
    let engine: DockerEngine;
    const hostListeners: ChildProcess[] = [];
    const docker = (...args: string[]) => engine.docker(args);
    /** Runs the preflight in the engine's network namespace; status and both streams. */
    const preflight = (settings: Settings) => {
      const script = oldMonitoringPreflightScript(oldMonitoringPlan(settings));
      const result = spawnSync("ip", ["netns", "exec", engine.netns!, "sh", "-c", script], {
        env: { ...process.env, ...engine.env },
        encoding: "utf8",
        timeout: 60_000,
      });
      return { status: result.status, stdout: result.stdout, stderr: result.stderr };
    };
    /** A container of the old stack as Compose runs it: name, image, `ports:` on every address, its volume. */
    const runOld = (name: string, image: string, ports: string[], volume?: string) =>
      docker(
        "run",
        "-d",
        "--name",
        name,
        ...ports.flatMap((p) => ["-p", p]),
        ...(volume ? ["-v", `${volume}:/data`] : []),
        image,
        "httpd",
        "-f",
        "-p",
        ports[0]?.split(":").at(-1) ?? "8080",
      );

    beforeAll(async () => {
      engine = await startDockerEngine({
        name: "oldmon",
        parentDir: tmp.dir,
        network: { subnet: `10.251.${(process.pid % 30) + 225}` },
      });
      // One tiny image under each old reference: busybox's httpd holds the port, as the real server would.
      const context = path.join(tmp.dir, "image");
      fs.mkdirSync(context);
      fs.copyFileSync(BUSYBOX, path.join(context, "busybox"));
      fs.writeFileSync(
        path.join(context, "Dockerfile"),
        'FROM scratch\nCOPY busybox /bin/busybox\nENTRYPOINT ["/bin/busybox"]\n',
      );
      await engine.docker(["build", "-q", "-t", "koprogo-oldmon-listener:1", context]);
      for (const ref of [
        "prom/prometheus:v2.48.0",
        "grafana/grafana:10.2.2",
        "grafana/loki:2.9.3",
        "prom/alertmanager:v0.26.0",
        "gcr.io/cadvisor/cadvisor:v0.47.2",
      ])
        await docker("tag", "koprogo-oldmon-listener:1", ref);
    }, 180_000);

    afterAll(async () => {
      for (const p of hostListeners) p.kill("SIGKILL");
      await engine?.stop();
      tmp.remove();
    }, 120_000);

    it("refuses while the old stack runs, naming its containers, the ports they hold, what to stop and the data to keep", async () => {
      await runOld("koprogo-prometheus", "prom/prometheus:v2.48.0", ["9090:9090"], "monitoring_prometheus_data");
      await runOld("koprogo-grafana", "grafana/grafana:10.2.2", ["3001:3000"], "monitoring_grafana_data");
      await runOld("koprogo-alertmanager", "prom/alertmanager:v0.26.0", ["9093:9093"], "monitoring_alertmanager_data");
      await runOld("koprogo-cadvisor", "gcr.io/cadvisor/cadvisor:v0.47.2", ["8082:8080"]);
      // The same Loki under a name of another Compose project: found by its image.
      await runOld("obs_loki_1", "grafana/loki:2.9.3", ["3100:3100"], "monitoring_loki_data");
      const result = preflight(prodKeeping([]));
      expect(result.status).toBe(1);
      const message = result.stderr;
      expect(message).toMatch(/koprogo-prometheus \(Prometheus 2\.48, image prom\/prometheus:v2\.48\.0\) is running/);
      expect(message).toMatch(/koprogo-grafana \(Grafana 10\.2, image grafana\/grafana:10\.2\.2\) is running/);
      expect(message).toMatch(/obs_loki_1 \(Loki 2\.9, image grafana\/loki:2\.9\.3\) is running/);
      expect(message).toMatch(
        /koprogo-cadvisor \(cAdvisor 0\.47, image gcr\.io\/cadvisor\/cadvisor:v0\.47\.2\) is running/,
      );
      expect(message).toContain(
        "port 9090 (Prometheus, prometheus.hostPort, on 127.0.0.1) is taken by container koprogo-prometheus (0.0.0.0:9090)",
      );
      expect(message).toContain(
        "port 3001 (Grafana, grafana.hostPort, on 127.0.0.1) is taken by container koprogo-grafana",
      );
      expect(message).toContain(
        "port 9093 (Alertmanager, alertmanager.hostPort, on 127.0.0.1) is taken by container koprogo-alertmanager",
      );
      expect(message).toMatch(/docker stop( \S+)*( koprogo-prometheus| koprogo-grafana| obs_loki_1| koprogo-cadvisor)/);
      for (const volume of [
        "monitoring_prometheus_data",
        "monitoring_grafana_data",
        "monitoring_alertmanager_data",
        "monitoring_loki_data",
      ])
        expect(message).toContain(volume);
      expect(message).toContain("never docker compose down -v");
      expect(message).toContain("koprogo-observability:migration.oldMonitoring.keepRunning");
      expect(message).toContain("docs/operator/migrating.md");
    });

    it("refuses a kept container that still publishes beyond loopback, naming the port", async () => {
      for (const name of ["koprogo-prometheus", "koprogo-grafana", "koprogo-alertmanager", "obs_loki_1"])
        await docker("stop", "-t", "1", name);
      const result = preflight(prodKeeping(["koprogo-cadvisor"]));
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(
        /koprogo-cadvisor \(cAdvisor 0\.47\) is kept running \(migration\.oldMonitoring\.keepRunning\) but publishes 0\.0\.0\.0:8082/,
      );
      expect(result.stderr).not.toContain("koprogo-prometheus");
    });

    it("passes with the old stack stopped (a kept cAdvisor on loopback only), listing the volumes it leaves", async () => {
      await docker("rm", "-f", "koprogo-cadvisor");
      await runOld("koprogo-cadvisor", "gcr.io/cadvisor/cadvisor:v0.47.2", ["127.0.0.1:8082:8080"]);
      const result = preflight(prodKeeping(["koprogo-cadvisor"]));
      expect(result.stderr).toBe("");
      expect(result.status).toBe(0);
      expect(result.stdout).toContain(
        "kept running as asked: koprogo-cadvisor (cAdvisor 0.47), no port beyond loopback",
      );
      expect(result.stdout).toMatch(/old volumes found and left as they are: .*monitoring_prometheus_data/);
      // Without keepRunning, the running cAdvisor is refused even on loopback.
      const strict = preflight(prodKeeping([]));
      expect(strict.status).toBe(1);
      expect(strict.stderr).toContain(
        "koprogo-cadvisor (cAdvisor 0.47, image gcr.io/cadvisor/cadvisor:v0.47.2) is running",
      );
    });

    it("names the port and its holder when something else takes a port of the stack (a container, or a process on the host)", async () => {
      await runOld("some-app", "koprogo-oldmon-listener:1", ["9093:9093"]);
      const onHost = spawn("ip", ["netns", "exec", engine.netns!, BUSYBOX, "httpd", "-f", "-p", "0.0.0.0:3001"], {
        stdio: "ignore",
      });
      hostListeners.push(onHost);
      await waitFor(
        "busybox httpd on 3001 in the engine's namespace",
        () =>
          spawnSync("ip", ["netns", "exec", engine.netns!, "ss", "-Hltn", "sport = :3001"], {
            encoding: "utf8",
          }).stdout.trim()
            ? true
            : undefined,
        10_000,
      );
      const result = preflight(prodKeeping(["koprogo-cadvisor"]));
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(
        "port 9093 (Alertmanager, alertmanager.hostPort, on 127.0.0.1) is taken by container some-app (0.0.0.0:9093): stop it, or set koprogo-observability:alertmanager.hostPort to a free one",
      );
      expect(result.stderr).toContain(
        "port 3001 (Grafana, grafana.hostPort, on 127.0.0.1) is taken by process busybox (0.0.0.0:3001)",
      );
      expect(result.stderr).not.toContain("What to stop");
      onHost.kill("SIGKILL");
      await docker("rm", "-f", "some-app");
    });

    it("passes once this stack holds its own ports (a re-run after the first deploy)", async () => {
      const settings = prodKeeping(["koprogo-cadvisor"]);
      for (const port of stackHostPorts(settings).filter((p) => p.setting.endsWith("hostPort")))
        await runOld(port.container, "koprogo-oldmon-listener:1", [`127.0.0.1:${port.port}:${port.port}`]);
      const result = preflight(settings);
      expect(result.stderr).toBe("");
      expect(result.status).toBe(0);
    });
  },
);
