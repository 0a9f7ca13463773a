/**
 * Grafana's host scripts, run for real: the password change with the real `curl` against a stand-in of Grafana's
 * `PUT /api/user/password` (it checks what Grafana checks: basic auth with the current password, the JSON body),
 * and the readiness wait built for each stack.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import type { AddressInfo } from "net";
import * as path from "path";
import { waitForGrafanaApiScript } from "../../grafana/ready";
import { changePasswordInContainerScript, rotateAdminPasswordScript } from "../../grafana/adminPassword";
import { describeWithTools, run, tempDir } from "../helpers/tools";
import { stackSettings } from "../helpers/stacks";

/** Runs a script without blocking this process's event loop (the stand-in server answers from it). */
function runAsync(
  script: string,
  input: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ status: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn("sh", ["-c", script], { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("close", (status) => resolve({ status: status ?? 1, output }));
    child.stdin.end(input);
  });
}

describeWithTools("changing the admin password through Grafana's API", ["sh", "curl"], () => {
  const tmp = tempDir("grafana-password");
  const file = path.join(tmp.dir, "admin-password");
  let server: http.Server;
  let port: number;
  let password = "old-Password1";
  const requests: { method?: string; url?: string; body: unknown }[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        requests.push({ method: req.method, url: req.url, body: JSON.parse(body || "null") });
        const expected = `Basic ${Buffer.from(`admin:${password}`).toString("base64")}`;
        // `GET /api/user`: the signed-in user, or 401 for a wrong login (as Grafana answers).
        if (req.method === "GET" && req.url === "/api/user")
          return void (req.headers.authorization === expected
            ? res.writeHead(200, { "Content-Type": "application/json" }).end('{"login":"admin"}')
            : res.writeHead(401).end('{"message":"invalid username or password"}'));
        const parsed = JSON.parse(body || "{}") as { oldPassword?: string; newPassword?: string; confirmNew?: string };
        if (req.headers.authorization !== expected)
          return void res.writeHead(401).end('{"message":"invalid username or password"}');
        if (parsed.oldPassword !== password || parsed.newPassword !== parsed.confirmNew)
          return void res.writeHead(400).end();
        password = parsed.newPassword!;
        res.writeHead(200, { "Content-Type": "application/json" }).end('{"message":"User password changed"}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    tmp.remove();
  });
  beforeEach(() => (requests.length = 0));

  // As Pulumi sends a secret on stdin: the value alone, no trailing newline.
  const change = (newPassword: string) =>
    runAsync(changePasswordInContainerScript(port, file), newPassword, { GF_SECURITY_ADMIN_USER: "admin" });

  it("signs in with the password of the mounted file and sets the new one", async () => {
    fs.writeFileSync(file, "old-Password1");
    expect(await change("new.Password2")).toEqual({ status: 0, output: "" });
    expect(password).toBe("new.Password2");
    expect(requests).toEqual([
      // First: does the new password sign in already (an interrupted rotation)? Not yet.
      { method: "GET", url: "/api/user", body: null },
      {
        method: "PUT",
        url: "/api/user/password",
        body: { oldPassword: "old-Password1", newPassword: "new.Password2", confirmNew: "new.Password2" },
      },
    ]);
  });

  it("asks nothing when the password did not change", async () => {
    fs.writeFileSync(file, password);
    expect((await change(password)).status).toBe(0);
    expect(requests).toHaveLength(0);
  });

  it("fails (and the file is then not rewritten) when Grafana refuses the current password", async () => {
    fs.writeFileSync(file, "not-the-password");
    const result = await change("another3");
    expect(result.status).not.toBe(0);
    expect(result.output).toContain("401");
    expect(result.output).toContain("reset-admin-password");
  });

  it("recovers a rotation interrupted after Grafana took the new password, before the file was rewritten", async () => {
    // Grafana has the new password; the mounted file still holds the one before it.
    password = "rotated.Password4";
    fs.writeFileSync(file, "previous-Password3");
    expect(await change("rotated.Password4")).toEqual({ status: 0, output: "" });
    expect(requests).toEqual([{ method: "GET", url: "/api/user", body: null }]);
    expect(password).toBe("rotated.Password4");
  });

  it("refuses a password curl's config or JSON would need to escape, before sending anything", async () => {
    fs.writeFileSync(file, password);
    const result = await change('with"quote');
    expect(result.status).toBe(1);
    expect(result.output).toContain("must be non-empty and use only letters, digits");
    expect(requests).toHaveLength(0);
  });

  it("never puts a password in a command's arguments", () => {
    expect(changePasswordInContainerScript(port, file)).toContain("-K -");
    expect(rotateAdminPasswordScript("koprogo-obs-grafana", 3000)).not.toMatch(/-u /);
  });

  it("fails with what to do when the container does not run", () => {
    const result = run("sh", ["-c", rotateAdminPasswordScript("koprogo-obs-grafana-absent", 3000)], { input: "x\n" });
    expect(result.status).toBe(1);
    expect(result.output).toContain("Grafana (koprogo-obs-grafana-absent) is not running");
    expect(result.output).toContain("docker start koprogo-obs-grafana-absent");
  });
});

describe("waiting for Grafana's API the provider's way", () => {
  it("asks the public URL through Traefik in prod, with what to check when it never answers", () => {
    const script = waitForGrafanaApiScript(stackSettings("prod").settings);
    expect(script).toContain("curl -fsS --max-time 10 'https://grafana.koprogo.com/api/health'");
    expect(script).toContain("check that grafana.koprogo.com resolves to the VPS");
    expect(script).toContain("within 300s");
  });

  it("asks the loopback port on a laptop", () => {
    expect(waitForGrafanaApiScript(stackSettings("dev").settings)).toContain("'http://127.0.0.1:3001/api/health'");
  });

  it.each(["dev", "prod"])("is valid shell for %s", (stack) => {
    expect(run("sh", ["-n", "-c", waitForGrafanaApiScript(stackSettings(stack).settings)]).status).toBe(0);
  });
});
