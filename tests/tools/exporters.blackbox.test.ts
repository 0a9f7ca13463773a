/**
 * The rendered `blackbox.yml` (exporters/blackbox.ts) on the blackbox exporter the stack pins (v0.27.0, built from
 * its Go module into the tool cache), probing local HTTPS servers that stand where Traefik answers on the VPS: a
 * certificate from a test CA (trusted through `SSL_CERT_FILE`, as the system roots trust Let's Encrypt), the API's
 * health, a `/metrics` that answers the public as KoproGo's does today, and one that refuses.
 */
import * as fs from "fs";
import * as https from "https";
import * as http from "http";
import * as path from "path";
import { BLACKBOX_MODULES, blackboxYaml } from "../../exporters/blackbox";
import { freePort, startProcess, stopAll, waitHttpOk } from "../../e2e/processes";
import { makeTlsMaterial } from "../../e2e/tlsMaterial";
import { toolPath } from "../../toolchain/cache";
import { describeWithTools, run, tempDir } from "../helpers/tools";

const BLACKBOX = toolPath("blackboxExporter");

/** A server standing in for Traefik: path → status and body. */
function serve(
  server: http.Server | https.Server,
  routes: Record<string, { status: number; body: string }>,
): Promise<number> {
  server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
    const route = routes[req.url ?? ""] ?? { status: 404, body: "404 page not found\n" };
    res.writeHead(route.status, { "Content-Type": "text/plain" }).end(route.body);
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)),
  );
}

/** The samples of a probe's answer (`/probe?module=...&target=...`), by metric name (unlabelled ones). */
async function probe(exporter: string, module: string, target: string): Promise<Record<string, number>> {
  const response = await fetch(`${exporter}/probe?${new URLSearchParams({ module, target })}`);
  const text = await response.text();
  if (!response.ok) throw new Error(`probe ${module} ${target}: ${response.status} ${text}`);
  return Object.fromEntries(
    text
      .split("\n")
      .filter((line) => /^[a-z_]+ /.test(line))
      .map((line) => [line.split(" ")[0], Number(line.split(" ")[1])]),
  );
}

const EXPOSITION = "# HELP storage_bytes Bytes stored.\n# TYPE storage_bytes gauge\nstorage_bytes 42\n";

describeWithTools("the rendered blackbox.yml on the blackbox exporter", [BLACKBOX, "openssl"], () => {
  const tmp = tempDir("blackbox");
  const servers: (http.Server | https.Server)[] = [];
  let exporter: string;
  let publicApi: string;
  let closedApi: string;
  let plainApi: string;
  let certificateExpiry: number;

  beforeAll(async () => {
    const tls = makeTlsMaterial(path.join(tmp.dir, "tls"), ["127.0.0.1"]);
    const caFile = path.join(tmp.dir, "tls", "ca.crt");
    certificateExpiry = Math.floor(
      new Date(
        run("openssl", ["x509", "-noout", "-enddate", "-in", path.join(tmp.dir, "tls", "host.crt")])
          .output.replace("notAfter=", "")
          .trim(),
      ).getTime() / 1000,
    );
    const tlsServer = () => https.createServer({ cert: tls.cert, key: tls.key });
    const health = { status: 200, body: '{"status":"ok"}' };
    const publicPort = await serve((servers[0] = tlsServer()), {
      "/api/v1/health": health,
      "/metrics": { status: 200, body: EXPOSITION },
      "/api/v1/broken": { status: 503, body: "no database" },
    });
    const closedPort = await serve((servers[1] = tlsServer()), {
      "/api/v1/health": health,
      "/metrics": { status: 401, body: "missing bearer token" },
    });
    const plainPort = await serve((servers[2] = http.createServer()), { "/api/v1/health": health });
    publicApi = `https://127.0.0.1:${publicPort}`;
    closedApi = `https://127.0.0.1:${closedPort}`;
    plainApi = `http://127.0.0.1:${plainPort}`;

    const config = path.join(tmp.dir, "blackbox.yml");
    fs.writeFileSync(config, blackboxYaml());
    const port = await freePort();
    const proc = startProcess({
      name: "blackbox-exporter",
      command: BLACKBOX,
      args: [`--config.file=${config}`, `--web.listen-address=127.0.0.1:${port}`],
      // The test CA instead of the system roots: how Go reads them (crypto/x509, SSL_CERT_FILE).
      env: { SSL_CERT_FILE: caFile },
      logDir: tmp.dir,
    });
    exporter = `http://127.0.0.1:${port}`;
    await waitHttpOk(`${exporter}/-/healthy`, proc);
  }, 60_000);

  afterAll(async () => {
    await stopAll();
    for (const server of servers) server.close();
    tmp.remove();
  });

  it("accepts the file (--config.check)", () => {
    const config = path.join(tmp.dir, "check.yml");
    fs.writeFileSync(config, blackboxYaml());
    const result = run(BLACKBOX, [`--config.file=${config}`, "--config.check"]);
    expect(result).toMatchObject({ status: 0 });
    expect(result.output).toMatch(/Config file is ok/);
  });

  it("succeeds on a healthy API over verified TLS, and reports when its certificate expires", async () => {
    const samples = await probe(exporter, BLACKBOX_MODULES.httpsOk, `${publicApi}/api/v1/health`);
    expect(samples).toMatchObject({ probe_success: 1, probe_http_status_code: 200, probe_http_ssl: 1 });
    expect(samples.probe_ssl_earliest_cert_expiry).toBe(certificateExpiry);
  });

  it("fails on an unhealthy API (503), on plain HTTP, and on a certificate the system does not trust", async () => {
    expect(await probe(exporter, BLACKBOX_MODULES.httpsOk, `${publicApi}/api/v1/broken`)).toMatchObject({
      probe_success: 0,
      probe_http_status_code: 503,
    });
    expect(await probe(exporter, BLACKBOX_MODULES.httpsOk, `${plainApi}/api/v1/health`)).toMatchObject({
      probe_success: 0,
    });
    // By name instead of the certificate's IP: the chain is valid but not for this name.
    expect(
      await probe(exporter, BLACKBOX_MODULES.httpsOk, `${publicApi.replace("127.0.0.1", "localhost")}/api/v1/health`),
    ).toMatchObject({ probe_success: 0 });
  });

  it("fails while /metrics answers the public (as KoproGo's does today), succeeds once it refuses", async () => {
    expect(await probe(exporter, BLACKBOX_MODULES.httpsRefused, `${publicApi}/metrics`)).toMatchObject({
      probe_success: 0,
      probe_http_status_code: 200,
    });
    expect(await probe(exporter, BLACKBOX_MODULES.httpsRefused, `${closedApi}/metrics`)).toMatchObject({
      probe_success: 1,
      probe_http_status_code: 401,
    });
  });
});
