/**
 * The log gateway for real: Debian's nginx (toolchain/versions.ts `nginx`) runs the gateway's nginx.conf from the
 * same generator as the render, with only its listen address (loopback, a free port) and its directories (a temp
 * directory) changed, and the rendered user file and TLS pair. A recorder on loopback stands in for Loki's push
 * endpoint (the rendered upstream is Loki's container; here `serviceAddresses.loki` points at the recorder) and
 * checks each forwarded request is a valid Loki push. nginx runs as an unprivileged uid that owns its files 0400,
 * as the container does (uid 64310 there, `nobody` here).
 */
import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as net from "net";
import * as path from "path";
import * as tls from "tls";
import { E2E_HOST_KEY, e2eLogGatewayPassword, logGatewaySecrets } from "../../e2e/furtherHosts";
import { makeTlsMaterial } from "../../e2e/tlsMaterial";
import { renderAll } from "../../stack/files";
import { LOG_GATEWAY_CONTAINER_PATHS, logGatewayConfig, LOKI_PUSH_PATH } from "../../logs/gateway";
import { logGatewayHashName, placeholderSecrets, settingsSchema, type Settings } from "../../settings";
import { freePort } from "../helpers/freePort";
import { decodePush, encodePushRequest, snappyLiteral, type PushedStream } from "../helpers/lokiPush";
import { describeWithTools, tempDir, toolPath } from "../helpers/tools";

const NGINX = toolPath("nginx");
const NOBODY = 65534;

interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly streams: PushedStream[];
}

interface Reply {
  readonly status: number;
  readonly body: string;
}

describeWithTools("the log gateway on the real nginx", [NGINX], () => {
  const work = tempDir("khl-gateway");
  const recorded: Recorded[] = [];
  const invalid: string[] = [];
  let recorder: http.Server;
  let nginx: ChildProcess | undefined;
  let logFile = "";
  const nginxLog = () => (logFile && fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8") : "");
  let port = 0;
  let settings: Settings;
  let ca = "";
  let configText = "";

  beforeAll(async () => {
    // Loki's stand-in: 204 for a valid push (as Loki answers), 400 for anything else.
    recorder = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        try {
          const streams = decodePush(req.headers["content-type"], Buffer.concat(chunks));
          recorded.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, streams });
          res.writeHead(204).end();
        } catch (error) {
          invalid.push((error as Error).message);
          res.writeHead(400).end((error as Error).message);
        }
      });
    });
    const lokiPort = await freePort();
    await new Promise<void>((resolve) => recorder.listen(lokiPort, "127.0.0.1", resolve));
    port = await freePort();
    const host = (name: string, address: string) => ({ name, address, ssh: { hostKey: E2E_HOST_KEY } });
    settings = settingsSchema.parse({
      environment: "prod",
      hosts: [host("api-2", "10.245.0.12"), host("db-1", "10.245.0.13")],
      logGateway: { address: "10.245.0.10", port, maxBodySize: "1m" },
      serviceAddresses: { loki: `127.0.0.1:${lokiPort}` },
    });
    const material = makeTlsMaterial(path.join(work.dir, "tls"), ["127.0.0.1"]);
    ca = material.caCert;
    const logins = logGatewaySecrets(settings.hosts);
    // db-1 gets the `$2a$` form @pulumi/random's bcryptHash writes (Go's bcrypt); api-2 keeps `$2b$`.
    logins[logGatewayHashName("db-1")] = logins[logGatewayHashName("db-1")]!.replace(/^\$2b\$/, "$2a$");
    const files = renderAll(settings, {
      ...placeholderSecrets(settings),
      ...logins,
      hostsTlsCaCert: material.caCert,
      hostsTlsCert: material.cert,
      hostsTlsKey: material.key,
    });
    const dir = path.join(work.dir, "gateway");
    const temp = path.join(work.dir, "temp");
    fs.mkdirSync(dir);
    fs.mkdirSync(temp);
    for (const file of files.filter((f) => f.path.startsWith("log-gateway/"))) {
      const target = path.join(dir, path.basename(file.path));
      fs.writeFileSync(target, file.content, { mode: file.secret ? 0o400 : 0o444 });
      fs.chownSync(target, NOBODY, NOBODY);
    }
    // The only changes to the rendered file: where it listens and its two directories.
    configText = logGatewayConfig(settings, { listen: `127.0.0.1:${port}`, paths: { dir, temp } });
    const rendered = files.find((f) => f.path === "log-gateway/nginx.conf")!.content;
    expect(
      configText
        .replace(`listen 127.0.0.1:${port} ssl;`, `listen ${port} ssl;`)
        .replaceAll(dir, LOG_GATEWAY_CONTAINER_PATHS.dir)
        .replaceAll(temp, LOG_GATEWAY_CONTAINER_PATHS.temp),
    ).toBe(rendered);
    fs.writeFileSync(path.join(dir, "nginx.conf"), configText);
    // /root (the tool cache) is closed to other uids: nginx needs only the system's libraries, so a copy runs as nobody.
    const binary = path.join(work.dir, "nginx");
    fs.copyFileSync(NGINX, binary);
    fs.chmodSync(binary, 0o755);
    for (const d of [work.dir, temp]) fs.chmodSync(d, 0o755);
    fs.chownSync(temp, NOBODY, NOBODY);
    // stdout and stderr to a file, as Docker gives the container a pipe: `access_log /dev/stdout` re-opens fd 1,
    // which fails (ENXIO) on the socket pair Node's "pipe" would be.
    logFile = path.join(work.dir, "nginx.log");
    const log = fs.openSync(logFile, "a");
    nginx = spawn(binary, ["-p", temp, "-e", "stderr", "-c", path.join(dir, "nginx.conf")], {
      uid: NOBODY,
      gid: NOBODY,
      stdio: ["ignore", log, log],
    });
    fs.closeSync(log);
    // Bounded wait for the listener.
    for (let i = 0; ; i++) {
      const open = await new Promise<boolean>((resolve) => {
        const socket = net
          .connect(port, "127.0.0.1", () => resolve(socket.end() !== undefined))
          .on("error", () => resolve(false));
      });
      if (open) break;
      if (i >= 100 || nginx.exitCode !== null)
        throw new Error(`nginx did not listen on 127.0.0.1:${port}:\n${nginxLog()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 30_000);

  afterAll(async () => {
    if (nginx && nginx.exitCode === null) {
      const exited = new Promise((resolve) => nginx!.once("exit", resolve));
      nginx.kill("SIGQUIT");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (nginx.exitCode === null) nginx.kill("SIGKILL");
    }
    await new Promise((resolve) => recorder?.close(resolve));
    work.remove();
  });

  beforeEach(() => {
    recorded.length = 0;
    invalid.length = 0;
  });

  function request(options: {
    method?: string;
    path?: string;
    user?: string;
    password?: string;
    body?: Buffer;
    contentType?: string;
    headers?: Record<string, string>;
  }): Promise<Reply> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.user !== undefined)
      headers.authorization = `Basic ${Buffer.from(`${options.user}:${options.password ?? ""}`).toString("base64")}`;
    if (options.contentType) headers["content-type"] = options.contentType;
    if (options.body) headers["content-length"] = String(options.body.length);
    return new Promise((resolve, reject) => {
      // Verified against the CA, as Alloy's tls_config.ca_file does: the certificate must name 127.0.0.1.
      const req = https.request(
        {
          host: "127.0.0.1",
          port,
          method: options.method ?? "POST",
          path: options.path ?? LOKI_PUSH_PATH,
          ca,
          headers,
          agent: false,
          timeout: 10_000,
        },
        (res) => {
          let body = "";
          res.on("data", (d: Buffer) => (body += d.toString()));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on("error", reject);
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.end(options.body);
    });
  }

  const stream = (host: string): PushedStream => ({
    labels: `{environment="prod", host="${host}", job="auth"}`,
    lines: [`Failed password for invalid user admin from 203.0.113.7 port 4242 ssh2 (${host})`],
  });
  const protobufPush = (host: string) => ({
    body: snappyLiteral(encodePushRequest([stream(host)])),
    contentType: "application/x-protobuf",
  });

  it("forwards a protobuf+snappy push with a host's login to Loki, without the login or a tenant header", async () => {
    const reply = await request({
      user: "api-2",
      password: e2eLogGatewayPassword("api-2"),
      ...protobufPush("api-2"),
      headers: { "x-scope-orgid": "someone-else" },
    });
    expect(reply.status).toBe(204);
    expect(invalid).toEqual([]);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ method: "POST", url: LOKI_PUSH_PATH, streams: [stream("api-2")] });
    expect(recorded[0].headers.authorization).toBeUndefined();
    expect(recorded[0].headers["x-scope-orgid"]).toBeUndefined();
  });

  it("accepts the $2a$ hash form too (db-1), and a JSON push", async () => {
    const body = Buffer.from(
      JSON.stringify({
        streams: [
          {
            stream: { host: "db-1", job: "fail2ban" },
            values: [[`${Date.now()}000000`, "fail2ban.actions [1]: NOTICE [sshd] Ban 203.0.113.7"]],
          },
        ],
      }),
    );
    const reply = await request({
      user: "db-1",
      password: e2eLogGatewayPassword("db-1"),
      body,
      contentType: "application/json",
    });
    expect(reply.status).toBe(204);
    expect(recorded.map((r) => r.streams)).toEqual([
      [{ labels: '{host="db-1", job="fail2ban"}', lines: ["fail2ban.actions [1]: NOTICE [sshd] Ban 203.0.113.7"] }],
    ]);
  });

  it.each([
    ["no login", {}],
    ["a wrong password", { user: "api-2", password: "guessed" }],
    ["another host's password", { user: "db-1", password: e2eLogGatewayPassword("api-2") }],
    ["a user that is no host", { user: "vps", password: e2eLogGatewayPassword("api-2") }],
  ])("answers 401 to a push with %s, and forwards nothing", async (_, login) => {
    const reply = await request({ ...login, ...protobufPush("api-2") });
    expect(reply.status).toBe(401);
    expect(recorded).toEqual([]);
  });

  it.each([
    ["GET", "/loki/api/v1/query?query=%7Bjob%3D%22auth%22%7D"],
    ["GET", "/loki/api/v1/query_range?query=%7Bjob%3D%22auth%22%7D"],
    ["POST", "/loki/api/v1/delete?query=%7Bjob%3D%22auth%22%7D&start=0"],
    ["GET", "/loki/api/v1/labels"],
    ["GET", "/ready"],
    ["GET", LOKI_PUSH_PATH],
    ["DELETE", LOKI_PUSH_PATH],
  ])("refuses %s %s even with a login", async (method, target) => {
    const reply = await request({ method, path: target, user: "api-2", password: e2eLogGatewayPassword("api-2") });
    expect([403, 404]).toContain(reply.status);
    expect(recorded).toEqual([]);
  });

  it("answers 413 to a push over logGateway.maxBodySize, before Loki sees it", async () => {
    const big = Buffer.alloc(1024 * 1024 + 1, 0x61);
    const reply = await request({
      user: "api-2",
      password: e2eLogGatewayPassword("api-2"),
      body: snappyLiteral(big),
      contentType: "application/x-protobuf",
    });
    expect(reply.status).toBe(413);
    expect(recorded).toEqual([]);
  });

  it("refuses plain HTTP on its port", async () => {
    const reply = await new Promise<Reply>((resolve, reject) => {
      const body = protobufPush("api-2").body;
      const req = http.request(
        {
          host: "127.0.0.1",
          port,
          method: "POST",
          path: LOKI_PUSH_PATH,
          agent: false,
          headers: {
            authorization: `Basic ${Buffer.from(`api-2:${e2eLogGatewayPassword("api-2")}`).toString("base64")}`,
            "content-type": "application/x-protobuf",
          },
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: "" }));
        },
      );
      req.on("error", reject);
      req.end(body);
    });
    expect(reply.status).toBe(400);
    expect(recorded).toEqual([]);
  });

  it("offers no TLS below 1.2", async () => {
    const outcome = await new Promise<string>((resolve) => {
      const socket = tls.connect({ host: "127.0.0.1", port, ca, maxVersion: "TLSv1.1", minVersion: "TLSv1" }, () =>
        resolve(`connected ${socket.getProtocol() ?? ""}`),
      );
      socket.on("error", (e: Error) => resolve(`refused: ${e.message}`));
    });
    expect(outcome).toMatch(/^refused/);
  });

  it("logs every refused login on stderr, by user, and never a password", async () => {
    await request({ user: "api-2", password: "guessed-wrong", ...protobufPush("api-2") });
    await request({ user: "vps", password: "guessed-wrong", ...protobufPush("api-2") });
    // nginx writes its error log line before the response; bounded wait for the file to show it.
    for (let i = 0; i < 50 && !/user "vps" was not found/.test(nginxLog()); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(nginxLog()).toMatch(/\[error\].*user "api-2": password mismatch/);
    expect(nginxLog()).toMatch(/\[error\].*user "vps" was not found/);
    for (const secret of ["guessed-wrong", e2eLogGatewayPassword("api-2"), e2eLogGatewayPassword("db-1")])
      expect(nginxLog()).not.toContain(secret);
    expect(configText).toContain("access_log off;");
  });
});
