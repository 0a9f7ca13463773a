/**
 * The logins of contract/webAccess.ts on the deployed versions of the servers (tool cache: Prometheus 3.5,
 * Alertmanager 0.28, node exporter 1.9), started with the rendered `web.yml` and `prometheus.yml`: without a login
 * every endpoint answers 401, each caller's own login answers 200, Prometheus signs in to Alertmanager and to its
 * targets with its password files, and the lifecycle API stays off.
 */
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { loginsOf, WEB_CONFIG_SERVERS, type WebCaller, type WebConfigServer } from "../../contract/webAccess";
import { basicAuthorization, bcryptHash, e2ePassword } from "../../e2e/logins";
import { freePort, startProcess, stopAll, waitFor, waitHttpOk, type ManagedProcess } from "../../e2e/processes";
import { e2eSettings } from "../../e2e/settings";
import { writeRendered } from "../../e2e/stack";
import { nodeExporterFlags } from "../../exporters/node";
import { renderAll } from "../../stack/files";
import { placeholderSecrets } from "../../settings";
import { toolPath } from "../../toolchain/cache";
import { authenticatedHealthcheck } from "../../webauth/healthcheck";
import { CONFIG_DIRS, webConfigFile } from "../../webauth/paths";
import { stackSettings } from "../helpers/stacks";
import { describeWithTools, run, tempDir } from "../helpers/tools";

const PROMTOOL = toolPath("promtool");
const PROMETHEUS = toolPath("prometheus");
const ALERTMANAGER = toolPath("alertmanager");
const NODE_EXPORTER = toolPath("nodeExporter");
const BUSYBOX = toolPath("busybox");

describeWithTools("the rendered web configs under promtool 3.5", [PROMTOOL], () => {
  it.each(["dev", "prod", "staging"])("stack %s: every web.yml is a valid web config with bcrypt users", (stack) => {
    const tmp = tempDir(`webcfg-${stack}`);
    try {
      for (const file of renderAll(stackSettings(stack).settings, placeholderSecrets()).filter((f) =>
        f.path.endsWith("/web.yml"),
      )) {
        const target = path.join(tmp.dir, file.path);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, file.content);
        expect(`${file.path}: ${run(PROMTOOL, ["check", "web-config", target]).output.trim()}`).toBe(
          `${file.path}: ${target} SUCCESS`,
        );
      }
    } finally {
      tmp.remove();
    }
  });
});

describeWithTools(
  "the deployed servers behind their rendered web config",
  [PROMETHEUS, ALERTMANAGER, NODE_EXPORTER],
  () => {
    const tmp = tempDir("webauth");
    const config = path.join(tmp.dir, "config");
    const urls = {} as Record<WebConfigServer, string>;
    const processes: ManagedProcess[] = [];

    beforeAll(async () => {
      const [prometheus, alertmanager, nodeExporter] = await Promise.all([freePort(), freePort(), freePort()]);
      const addresses = {
        prometheus: `127.0.0.1:${prometheus}`,
        alertmanager: `127.0.0.1:${alertmanager}`,
        nodeExporter: `127.0.0.1:${nodeExporter}`,
      };
      const settings = e2eSettings({
        addresses: {
          ...addresses,
          postgresExporter: "127.0.0.1:9",
          stubTarget: "127.0.0.1:9",
          api: "127.0.0.1:9",
          postgres: "127.0.0.1:9",
        },
        receiverUrl: () => "http://127.0.0.1:9/",
      });
      writeRendered(settings, config);
      const logDir = path.join(tmp.dir, "logs");
      const web = (server: WebConfigServer) => `--web.config.file=${path.join(config, webConfigFile(server).rendered)}`;
      processes.push(
        startProcess({
          name: "node-exporter",
          command: NODE_EXPORTER,
          args: nodeExporterFlags(
            addresses.nodeExporter,
            "/",
            path.join(config, webConfigFile("nodeExporter").rendered),
          ),
          logDir,
        }),
        startProcess({
          name: "alertmanager",
          command: ALERTMANAGER,
          args: [
            `--config.file=${path.join(config, "alertmanager/alertmanager.yml")}`,
            `--storage.path=${path.join(tmp.dir, "am")}`,
            `--web.listen-address=${addresses.alertmanager}`,
            "--cluster.listen-address=",
            web("alertmanager"),
          ],
          logDir,
        }),
        // The product's flags but for paths: no --web.enable-lifecycle (components/prometheus.ts).
        startProcess({
          name: "prometheus",
          command: PROMETHEUS,
          args: [
            `--config.file=${path.join(config, "prometheus/prometheus.yml")}`,
            `--storage.tsdb.path=${path.join(tmp.dir, "prom")}`,
            `--web.listen-address=${addresses.prometheus}`,
            web("prometheus"),
          ],
          logDir,
        }),
      );
      urls.nodeExporter = `http://${addresses.nodeExporter}`;
      urls.alertmanager = `http://${addresses.alertmanager}`;
      urls.prometheus = `http://${addresses.prometheus}`;
      await Promise.all([
        waitHttpOk(
          `${urls.nodeExporter}/metrics`,
          processes[0],
          20_000,
          basicAuthorization("nodeExporter", "prometheus"),
        ),
        waitHttpOk(
          `${urls.alertmanager}/-/ready`,
          processes[1],
          20_000,
          basicAuthorization("alertmanager", "operator"),
        ),
        waitHttpOk(`${urls.prometheus}/-/ready`, processes[2], 30_000, basicAuthorization("prometheus", "operator")),
      ]);
    }, 60_000);

    afterAll(async () => {
      await Promise.allSettled(processes.map((p) => p.stop(3000)));
      await stopAll();
      tmp.remove();
    });

    const get = (url: string, authorization?: string, method = "GET") =>
      fetch(url, {
        method,
        signal: AbortSignal.timeout(5000),
        headers: authorization ? { Authorization: authorization } : {},
      }).then((r) => r.status);

    const PATHS: Record<"prometheus" | "alertmanager" | "nodeExporter", string[]> = {
      prometheus: [
        "/-/healthy",
        "/-/ready",
        "/metrics",
        "/api/v1/query?query=up",
        "/api/v1/status/config",
        "/api/v1/labels",
      ],
      alertmanager: ["/-/healthy", "/-/ready", "/metrics", "/api/v2/alerts", "/api/v2/silences", "/api/v2/status"],
      nodeExporter: ["/metrics", "/"],
    };
    const cases = (Object.keys(PATHS) as (keyof typeof PATHS)[]).flatMap((server) =>
      PATHS[server].map((p) => [server, p] as const),
    );

    it.each(cases)("%s %s answers 401 without a login, and with a wrong password", async (server, p) => {
      expect(await get(`${urls[server]}${p}`)).toBe(401);
      expect(
        await get(`${urls[server]}${p}`, basicAuthorization(server, loginsOf(server)[0].user, "wrong-password")),
      ).toBe(401);
    });

    it.each(cases)("%s %s answers 200 to each of its callers' logins", async (server, p) => {
      for (const login of loginsOf(server))
        expect(`${login.user}: ${await get(`${urls[server]}${p}`, basicAuthorization(server, login.user))}`).toBe(
          `${login.user}: 200`,
        );
    });

    it("refuses one server's login on another (a password opens one door)", async () => {
      expect(
        await get(
          `${urls.alertmanager}/api/v2/alerts`,
          basicAuthorization("prometheus", "operator", e2ePassword("prometheus", "operator")),
        ),
      ).toBe(401);
    });

    it("refuses to silence or post alerts without a login", async () => {
      const silence = {
        matchers: [{ name: "alertname", value: ".+", isRegex: true }],
        startsAt: new Date().toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        createdBy: "x",
        comment: "x",
      };
      const post = (p: string, body: unknown) =>
        fetch(`${urls.alertmanager}${p}`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(body),
        }).then((r) => r.status);
      expect(await post("/api/v2/silences", silence)).toBe(401);
      expect(await post("/api/v2/alerts", [{ labels: { alertname: "Fake", severity: "critical" } }])).toBe(401);
    });

    it("has no lifecycle API: /-/quit and /-/reload are refused even with a login, and Prometheus keeps running", async () => {
      expect(await get(`${urls.prometheus}/-/quit`)).toBe(401);
      expect(await get(`${urls.prometheus}/-/quit`, basicAuthorization("prometheus", "operator"), "POST")).toBe(403);
      expect(await get(`${urls.prometheus}/-/reload`, basicAuthorization("prometheus", "operator"), "POST")).toBe(403);
      expect(await get(`${urls.prometheus}/-/healthy`, basicAuthorization("prometheus", "operator"))).toBe(200);
    });

    it("signs Prometheus in to Alertmanager: the Watchdog arrives there", async () => {
      const names = await waitFor(
        "the Watchdog in Alertmanager",
        async () => {
          const alerts = (await (
            await fetch(`${urls.alertmanager}/api/v2/alerts`, {
              headers: { Authorization: basicAuthorization("alertmanager", "operator") },
            })
          ).json()) as { labels: Record<string, string> }[];
          return alerts.some((a) => a.labels.alertname === "Watchdog")
            ? alerts.map((a) => a.labels.alertname)
            : undefined;
        },
        // Prometheus 3.5 sends its first batch about a minute after start (measured here: 3 alerts sent within 70 s).
        100_000,
        1000,
      );
      expect(names).toContain("Watchdog");
    }, 110_000);

    it("scrapes itself, Alertmanager and the node exporter with its password files", async () => {
      const up = await waitFor(
        "prometheus, alertmanager and node up",
        async () => {
          const response = await fetch(`${urls.prometheus}/api/v1/targets?state=active`, {
            headers: { Authorization: basicAuthorization("prometheus", "operator") },
          });
          const targets = (
            (await response.json()) as {
              data: { activeTargets: { labels: { job: string }; health: string; lastError: string }[] };
            }
          ).data.activeTargets;
          const byJob = Object.fromEntries(
            targets.map((t) => [t.labels.job, `${t.health}${t.lastError ? ` ${t.lastError}` : ""}`]),
          );
          return ["prometheus", "alertmanager", "node"].every((job) => byJob[job] === "up") ? byJob : undefined;
        },
        30_000,
        500,
      );
      expect([up.prometheus, up.alertmanager, up.node]).toEqual(["up", "up", "up"]);
    }, 40_000);

    it("re-reads web.yml on each request: a new hash locks the old password out without a restart", async () => {
      const file = path.join(config, webConfigFile("nodeExporter").rendered);
      const original = fs.readFileSync(file, "utf8");
      const users = YAML.parse(original) as { basic_auth_users: Record<WebCaller, string> };
      fs.writeFileSync(
        file,
        YAML.stringify({
          basic_auth_users: { ...users.basic_auth_users, nodeExporter: bcryptHash("rotated-password") },
        }),
      );
      try {
        expect(await get(`${urls.nodeExporter}/metrics`, basicAuthorization("nodeExporter", "nodeExporter"))).toBe(401);
        expect(
          await get(
            `${urls.nodeExporter}/metrics`,
            basicAuthorization("nodeExporter", "nodeExporter", "rotated-password"),
          ),
        ).toBe(200);
      } finally {
        fs.writeFileSync(file, original);
      }
    });

    /**
     * The containers' healthchecks as the images run them: busybox's sh, cat and wget (the `busybox:glibc` base of
     * the Prometheus images), nothing else on PATH, the container's paths mapped to the rendered files.
     */
    describeWithTools("the healthcheck commands under busybox 1.37", [BUSYBOX], () => {
      const bin = path.join(tmp.dir, "busybox-bin");
      beforeAll(() => {
        fs.mkdirSync(bin, { recursive: true });
        for (const applet of ["sh", "cat", "wget"]) fs.symlinkSync(BUSYBOX, path.join(bin, applet));
      });
      const healthcheck = (
        server: "prometheus" | "alertmanager" | "nodeExporter",
        address: string,
        p: string,
        dirs = CONFIG_DIRS,
      ) => {
        const [, , , script] = authenticatedHealthcheck(server, address, p);
        const local = script.replace(dirs[server].container, path.join(config, dirs[server].host));
        return run(path.join(bin, "sh"), ["-c", local], { env: { PATH: bin } });
      };

      it.each([
        ["prometheus", "/-/healthy"],
        ["alertmanager", "/-/healthy"],
        ["nodeExporter", "/metrics"],
      ] as const)("signs %s's own healthcheck in and succeeds", (server, p) => {
        expect(healthcheck(server, new URL(urls[server]).host, p)).toEqual({ status: 0, output: "" });
      });

      it("fails when the login is wrong (the check proves the login, not only the port)", () => {
        const file = path.join(config, CONFIG_DIRS.alertmanager.host, "secrets/web-alertmanager");
        const original = fs.readFileSync(file, "utf8");
        fs.writeFileSync(file, "not-the-password");
        try {
          expect(healthcheck("alertmanager", new URL(urls.alertmanager).host, "/-/healthy").status).not.toBe(0);
        } finally {
          fs.writeFileSync(file, original);
        }
      });
    });

    it("covers every server with a web config", () => {
      expect([...WEB_CONFIG_SERVERS].sort()).toEqual([
        "alertmanager",
        "nodeExporter",
        "postgresExporter",
        "prometheus",
      ]);
    });
  },
);
