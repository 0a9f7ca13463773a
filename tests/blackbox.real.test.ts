/**
 * The blackbox exporter at the deployed version (0.28.0) on the rendered modules, probing a real HTTPS server the
 * way it probes the public API through Traefik: the health URL answers (probe_success 1, the certificate's expiry
 * reported), `/metrics` answering is a failed `http_refused` probe (MetricsPubliclyExposed), a 401 there is a
 * success, and a stopped server fails the health probe (ApiPublicEndpointDown).
 */
import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as https from "https";
import * as path from "path";
import YAML from "yaml";
import { blackboxConfig, blackboxFlags, BLACKBOX_MODULES } from "../blackbox/config";
import { makeTlsMaterial } from "../e2e/tlsMaterial";
import { freePort, waitFor } from "../e2e/processes";
import { describeWithTools, tempDir, toolPath } from "./helpers/tools";

const BLACKBOX = toolPath("blackbox");

describeWithTools("the blackbox exporter's probes, for real", [BLACKBOX, "openssl"], () => {
  const tmp = tempDir("koprogo-blackbox");
  let exporter: ChildProcess | undefined;
  const servers: https.Server[] = [];
  let exporterUrl = "";
  const urls = { exposed: "", refused: "" };

  /** An HTTPS server on loopback answering `/api/v1/health` 200 and `/metrics` with `metricsStatus`. */
  async function serve(tls: { cert: string; key: string }, metricsStatus: number): Promise<string> {
    const port = await freePort();
    const server = https.createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
      if (req.url === "/api/v1/health") res.writeHead(200).end('{"status":"ok"}');
      else if (req.url === "/metrics") res.writeHead(metricsStatus).end("storage_operation_total 1\n");
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    servers.push(server);
    return `https://127.0.0.1:${port}`;
  }

  async function probe(module: string, target: string): Promise<Map<string, number>> {
    const response = await fetch(`${exporterUrl}/probe?module=${module}&target=${encodeURIComponent(target)}`);
    const metrics = new Map<string, number>();
    for (const line of (await response.text()).split("\n")) {
      const match = /^(\w+)(?:\{[^}]*\})? (\S+)$/.exec(line);
      if (match) metrics.set(match[1], Number(match[2]));
    }
    return metrics;
  }

  beforeAll(async () => {
    const tls = makeTlsMaterial(path.join(tmp.dir, "tls"), ["127.0.0.1"]);
    urls.exposed = await serve(tls, 200);
    urls.refused = await serve(tls, 401);
    // The rendered modules, with the test's CA trusted as a VPS trusts Let's Encrypt's root (system store).
    const config = blackboxConfig() as { modules: Record<string, { http: Record<string, unknown> }> };
    const caFile = path.join(tmp.dir, "ca.crt");
    fs.writeFileSync(caFile, tls.caCert);
    for (const module of Object.values(config.modules)) module.http.tls_config = { ca_file: caFile };
    const configFile = path.join(tmp.dir, "blackbox.yml");
    fs.writeFileSync(configFile, YAML.stringify(config));
    const port = await freePort();
    exporterUrl = `http://127.0.0.1:${port}`;
    exporter = spawn(BLACKBOX, blackboxFlags(configFile, `127.0.0.1:${port}`), { stdio: "ignore" });
    await waitFor(
      "the blackbox exporter",
      async () => ((await fetch(`${exporterUrl}/-/healthy`)).ok ? true : undefined),
      20_000,
    );
  });

  afterAll(async () => {
    exporter?.kill("SIGTERM");
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    tmp.remove();
  });

  it("succeeds on the health URL through TLS and reports when its certificate expires", async () => {
    const metrics = await probe(BLACKBOX_MODULES.ok, `${urls.exposed}/api/v1/health`);
    expect(metrics.get("probe_success")).toBe(1);
    expect(metrics.get("probe_http_status_code")).toBe(200);
    // The test certificate lasts two days: TlsCertificateExpiryCritical's range.
    const daysLeft = (metrics.get("probe_ssl_earliest_cert_expiry")! - Date.now() / 1000) / 86400;
    expect(daysLeft).toBeGreaterThan(1.9);
    expect(daysLeft).toBeLessThan(2.1);
  });

  it("fails the refused probe when /metrics answers, and passes it when /metrics asks for a token", async () => {
    expect((await probe(BLACKBOX_MODULES.refused, `${urls.exposed}/metrics`)).get("probe_success")).toBe(0);
    const refused = await probe(BLACKBOX_MODULES.refused, `${urls.refused}/metrics`);
    expect(refused.get("probe_success")).toBe(1);
    expect(refused.get("probe_http_status_code")).toBe(401);
  });

  it("fails the health probe when the server is gone", async () => {
    const gone = `https://127.0.0.1:${await freePort()}/api/v1/health`;
    expect((await probe(BLACKBOX_MODULES.ok, gone)).get("probe_success")).toBe(0);
  });
});
