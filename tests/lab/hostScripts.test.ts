/**
 * The host scripts run for real with this machine's `sh`, coreutils and `sudo`: as root (what `sudo -n` gives the
 * deploy user) and as `nobody` (a deploy user without the sudo rule, or a developer without root).
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import type { AddressInfo } from "net";
import * as path from "path";
import {
  asRoot,
  contentHash,
  dockerCli,
  restartContainerScript,
  shellQuote,
  signalContainerScript,
  sudoRule,
  waitForHttpScript,
  withRerunKey,
  writeFileScript,
} from "../../host/scripts";
import { PROJECT_DIR } from "../helpers/stacks";
import { describeWithTools, run, tempDir } from "../helpers/tools";

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

/** Runs `script` as `nobody` (through `runuser`, which only root may use). */
function runAsNobody(script: string, input?: string) {
  return run("runuser", ["-u", "nobody", "--", "sh", "-c", script], { input });
}

describeWithTools("writing a file on the host", ["sh", "mktemp", "runuser", "sudo"], () => {
  const tmp = tempDir("host-files");
  beforeAll(() => fs.chmodSync(tmp.dir, 0o755));
  afterAll(() => tmp.remove());

  it("writes stdin to the file, creating its directories root's and 0755, with the owner and mode asked", () => {
    if (!isRoot) throw new Error("these tests run as root, like CI");
    const file = path.join(tmp.dir, "root/alertmanager/secrets/slack-webhook-url");
    expect(
      run("sh", ["-c", writeFileScript(file, { mode: "0600", owner: NOBODY })], { input: "https://hooks.example/x" }),
    ).toEqual({ status: 0, output: "" });
    expect(fs.readFileSync(file, "utf8")).toBe("https://hooks.example/x");
    const stat = fs.statSync(file);
    expect({ mode: stat.mode & 0o777, uid: stat.uid, gid: stat.gid }).toEqual({
      mode: 0o600,
      uid: NOBODY,
      gid: NOBODY,
    });
    for (const dir of [path.dirname(file), path.dirname(path.dirname(file))]) {
      const d = fs.statSync(dir);
      expect({ mode: d.mode & 0o777, uid: d.uid }).toEqual({ mode: 0o755, uid: 0 });
    }
  });

  it("lets the owner read a 0600 secret and no other user", () => {
    const file = path.join(tmp.dir, "root/grafana/secrets/admin-password");
    run("sh", ["-c", writeFileScript(file, { mode: "0600", owner: 472 })], { input: "s3cret" });
    expect(run("runuser", ["-u", "nobody", "--", "cat", file]).status).not.toBe(0);
    expect(run("setpriv", ["--reuid=472", "--regid=0", "--clear-groups", "cat", file])).toEqual({
      status: 0,
      output: "s3cret",
    });
  });

  it("never shows the content under another owner or a wider mode, even while it is being written", async () => {
    const dir = path.join(tmp.dir, "root/prometheus/secrets");
    const file = path.join(dir, "metrics-bearer-token");
    const child = spawn("sh", ["-c", writeFileScript(file, { mode: "0600", owner: NOBODY })], {
      stdio: ["pipe", "ignore", "ignore"],
    });
    child.stdin.write("first half of a secret");
    // The script now waits in `cat` for the rest: the temporary file exists, with part of the content.
    // Wait until the first half is in the temporary file (`cat` runs): that is the moment that matters, and it
    // comes after mktemp/chown/chmod, which a loaded machine may not have reached yet when the file first appears.
    let temps: string[] = [];
    const filled = () =>
      fs.existsSync(dir)
        ? fs
            .readdirSync(dir)
            .filter((f) => f.startsWith(".metrics-bearer-token.") && fs.statSync(path.join(dir, f)).size > 0)
        : [];
    for (let i = 0; i < 250 && temps.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      temps = filled();
    }
    expect(temps).toHaveLength(1);
    const stat = fs.statSync(path.join(dir, temps[0]));
    expect({ mode: stat.mode & 0o777, uid: stat.uid }).toEqual({ mode: 0o600, uid: NOBODY });
    const done = new Promise<number | null>((resolve) => child.on("close", resolve));
    child.stdin.end(" and the rest");
    expect(await done).toBe(0);
    expect(fs.readdirSync(dir)).toEqual(["metrics-bearer-token"]);
    expect(fs.readFileSync(file, "utf8")).toBe("first half of a secret and the rest");
  });

  it("leaves no copy of the secret behind when a step fails (a user who may not chown)", () => {
    const dir = path.join(tmp.dir, "nobody-owned");
    fs.mkdirSync(dir, { mode: 0o755 });
    fs.chownSync(dir, NOBODY, NOBODY);
    const result = runAsNobody(
      writeFileScript(path.join(dir, "admin-password"), { mode: "0600", owner: 472 }),
      "s3cret",
    );
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/chown/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("leaves no temporary file when it is interrupted", async () => {
    const dir = path.join(tmp.dir, "root/interrupted");
    const child = spawn("sh", ["-c", writeFileScript(path.join(dir, "f"), { mode: "0644" })], {
      stdio: ["pipe", "ignore", "ignore"],
    });
    child.stdin.write("partial");
    // Interrupt while `cat` fills the temporary file (after the traps are set), as a dropped SSH session would.
    const filling = () =>
      fs.existsSync(dir) && fs.readdirSync(dir).some((f) => fs.statSync(path.join(dir, f)).size > 0);
    for (let i = 0; i < 250 && !filling(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    const done = new Promise<number | null>((resolve) => child.on("close", resolve));
    child.kill("SIGTERM");
    child.stdin.end();
    expect(await done).not.toBe(0);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("replaces a file atomically: the same inode is never rewritten in place", () => {
    const file = path.join(tmp.dir, "root/loki/loki.yaml");
    run("sh", ["-c", writeFileScript(file, { mode: "0644" })], { input: "old" });
    const before = fs.statSync(file).ino;
    run("sh", ["-c", writeFileScript(file, { mode: "0644" })], { input: "new" });
    expect(fs.readFileSync(file, "utf8")).toBe("new");
    expect(fs.statSync(file).ino).not.toBe(before);
    expect(fs.readdirSync(path.dirname(file))).toEqual(["loki.yaml"]);
  });

  it("survives paths with spaces and quotes", () => {
    const file = path.join(tmp.dir, "root/it's a dir/f.yml");
    expect(run("sh", ["-c", writeFileScript(file, { mode: "0644" })], { input: "x" }).status).toBe(0);
    expect(fs.readFileSync(file, "utf8")).toBe("x");
  });

  it.each([
    ["relative/path", { mode: "0644" }, "must be absolute"],
    ["/etc/x", { mode: "644" }, "octal mode"],
    ["/etc/x", { mode: "0644", owner: -1 }, "owner `-1`"],
    ["/etc/x", { mode: "0644", owner: 1.5 }, "numeric id"],
  ])("refuses %s %j", (file, ownership, message) => {
    expect(() => writeFileScript(file, ownership)).toThrow(message);
  });
});

describeWithTools("running a script as root", ["sh", "runuser", "sudo"], () => {
  it("runs it directly for a root SSH user, and passes stdin through every wrapper", () => {
    for (const access of ["root", "sudo", "detect"] as const)
      expect(run("sh", ["-c", asRoot("id -u; cat", access)], { input: "in" })).toEqual({ status: 0, output: "0\nin" });
  });

  it("fails at once, naming the missing sudo rule, for a user without it", () => {
    for (const access of ["sudo", "detect"] as const) {
      const result = runAsNobody(asRoot("echo ran", access), "");
      expect(result.status).not.toBe(0);
      expect(result.output).toContain("user nobody cannot run /bin/sh through sudo without a password");
      expect(result.output).toContain("docs/operator/deploying.md");
      expect(result.output).not.toContain("ran");
    }
  });

  it("keeps the script intact through the quoting", () => {
    const script = `printf '%s' "it's $((1 + 1))"`;
    expect(run("sh", ["-c", asRoot(script, "detect")]).output).toBe("it's 2");
  });
});

describeWithTools(
  "the sudo rule of docs/operator/deploying.md",
  ["sudo", "visudo", "unshare", "mount", "runuser"],
  () => {
    const tmp = tempDir("sudo-rule");
    const rules = path.join(tmp.dir, "sudoers.d");
    beforeAll(() => {
      fs.chmodSync(tmp.dir, 0o755);
      fs.mkdirSync(rules, { mode: 0o755 });
      fs.writeFileSync(path.join(rules, "koprogo-observability"), `${sudoRule("nobody")}\n`, { mode: 0o440 });
    });
    afterAll(() => tmp.remove());

    /** Runs `script` as `nobody` with the rule installed, in a mount namespace of its own: /etc/sudoers.d stays as it is. */
    const withRule = (script: string, input = "") =>
      run(
        "unshare",
        [
          "--mount",
          "--propagation",
          "private",
          "sh",
          "-c",
          `mount --bind ${shellQuote(rules)} /etc/sudoers.d && exec runuser -u nobody -- sh -c "$1"`,
          "sh",
          script,
        ],
        { input },
      );

    it("is the one the docs give", () => {
      expect(fs.readFileSync(path.join(PROJECT_DIR, "docs/operator/deploying.md"), "utf8")).toContain(
        `echo '${sudoRule("deploy")}' | sudo tee /etc/sudoers.d/koprogo-observability`,
      );
      expect(run("visudo", ["-cf", path.join(rules, "koprogo-observability")]).status).toBe(0);
    });

    it("lets a deploy user write a secret file owned by its reader, through the same wrapper as the host commands", () => {
      const file = path.join(tmp.dir, "root/grafana/secrets/admin-password");
      expect(withRule(asRoot(writeFileScript(file, { mode: "0600", owner: 472 }), "sudo"), "s3cret")).toEqual({
        status: 0,
        output: "",
      });
      const stat = fs.statSync(file);
      expect({ content: fs.readFileSync(file, "utf8"), mode: stat.mode & 0o777, uid: stat.uid }).toEqual({
        content: "s3cret",
        mode: 0o600,
        uid: 472,
      });
    });

    it("grants the shell and nothing else", () => {
      expect(withRule("sudo -n /usr/bin/id -u").status).not.toBe(0);
    });
  },
);

describe("scripts that talk to the Docker engine", () => {
  it.each([
    signalContainerScript("koprogo-obs-prometheus"),
    restartContainerScript("koprogo-obs-loki", dockerCli("unix:///var/run/docker.sock")),
  ])("are valid shell: %s", (script) => {
    expect(run("sh", ["-n", "-c", script]).status).toBe(0);
  });

  it("name the provider's engine for a local engine, and follow the host's default on the VPS", () => {
    expect(dockerCli("unix:///var/run/docker.sock")).toBe("docker -H 'unix:///var/run/docker.sock'");
    expect(dockerCli(undefined)).toBe("docker");
    expect(signalContainerScript("c", "HUP", dockerCli("unix:///x.sock"))).toContain(
      "docker -H 'unix:///x.sock' kill --signal=HUP 'c'",
    );
  });
});

describe("the rerun key", () => {
  const key = "k".repeat(48);

  it("changes the script text when a value changes, and only then", () => {
    expect(withRerunKey("true", ["a", "b"], key)).toBe(withRerunKey("true", ["a", "b"], key));
    expect(withRerunKey("true", ["a", "b"], key)).not.toBe(withRerunKey("true", ["a", "c"], key));
    expect(run("sh", ["-c", withRerunKey("echo ok", ["x"], key)]).output).toBe("ok\n");
  });

  it("keys the digest with the stack's secret: the text holds no plain hash of a secret to guess offline", () => {
    const secret = "Summer2026!";
    const text = withRerunKey("true", [contentHash(secret)], key);
    // What the text used to carry: sha256(sha256(secret)), which a dictionary run against the state would find.
    expect(text).not.toContain(contentHash(contentHash(secret)));
    expect(text).toMatch(/^# rerun when changed: hmac-sha256 [0-9a-f]{64}\ntrue$/);
    expect(text).not.toBe(withRerunKey("true", [contentHash(secret)], "j".repeat(48)));
  });

  it("refuses a short key", () => {
    expect(() => withRerunKey("true", ["a"], "short")).toThrow("at least 16 characters");
  });
});

describeWithTools("waiting for an HTTP endpoint the way the caller goes", ["sh", "curl"], () => {
  let server: http.Server;
  let url: string;
  let answers: { status: number; body: string }[] = [];
  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      const next = answers.shift() ?? { status: 200, body: '{"database": "ok"}' };
      res.writeHead(next.status, { "Content-Type": "application/json" });
      res.end(next.body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/health`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const wait = (timeoutSeconds: number) =>
    waitForHttpScript(url, {
      timeoutSeconds,
      pollSeconds: 1,
      bodyPattern: '"database": *"ok"',
      hint: "Check Traefik.",
    });
  /** Asynchronous: the server answers from this process's event loop, which `spawnSync` would block. */
  const runWait = (timeoutSeconds: number) =>
    new Promise<{ status: number; output: string }>((resolve) => {
      const child = spawn("sh", ["-c", wait(timeoutSeconds)], { stdio: ["ignore", "pipe", "pipe"] });
      let output = "";
      child.stdout.on("data", (chunk) => (output += chunk));
      child.stderr.on("data", (chunk) => (output += chunk));
      child.on("close", (status) => resolve({ status: status ?? 1, output }));
    });

  it("keeps asking through 404s (Traefik has no route yet) until the health answers", async () => {
    answers = [
      { status: 404, body: "404 page not found" },
      { status: 404, body: "404 page not found" },
    ];
    expect(await runWait(20)).toEqual({ status: 0, output: "" });
    expect(answers).toHaveLength(0);
  });

  it("fails after the timeout with the last error and the hint", async () => {
    answers = Array.from({ length: 10 }, () => ({ status: 503, body: "starting" }));
    const result = await runWait(2);
    expect(result.status).toBe(1);
    expect(result.output).toContain(`${url} did not answer within 2s`);
    expect(result.output).toMatch(/last: curl: \(22\).*503/);
    expect(result.output).toContain("Check Traefik.");
  });

  it("does not take a 200 without the database ready", async () => {
    answers = Array.from({ length: 10 }, () => ({ status: 200, body: '{"database": "failing"}' }));
    const result = await runWait(2);
    expect(result.status).toBe(1);
    expect(result.output).toContain("answered without");
  });
});

describeWithTools("waiting through a certificate nobody trusts yet", ["sh", "curl", "openssl"], () => {
  // What Traefik serves until Let's Encrypt's certificate arrives: its own self-signed default certificate.
  const tmp = tempDir("wait-tls");
  let server: https.Server;
  let url: string;
  beforeAll(async () => {
    const key = path.join(tmp.dir, "key.pem");
    const cert = path.join(tmp.dir, "cert.pem");
    const made = run("openssl", [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=TRAEFIK DEFAULT CERT",
      "-keyout",
      key,
      "-out",
      cert,
    ]);
    expect(made.status).toBe(0);
    server = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (_req, res) =>
      res.end('{"database": "ok"}'),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/api/health`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    tmp.remove();
  });

  it("does not accept it (the Grafana provider would not either) and says so when the time is up", async () => {
    const script = waitForHttpScript(url, {
      timeoutSeconds: 2,
      pollSeconds: 1,
      bodyPattern: '"database": *"ok"',
      hint: "Check the certificate.",
    });
    const result = await new Promise<{ status: number; output: string }>((resolve) => {
      const child = spawn("sh", ["-c", script], { stdio: ["ignore", "pipe", "pipe"] });
      let output = "";
      child.stdout.on("data", (chunk) => (output += chunk));
      child.stderr.on("data", (chunk) => (output += chunk));
      child.on("close", (status) => resolve({ status: status ?? 1, output }));
    });
    expect(result.status).toBe(1);
    expect(result.output).toMatch(/last: curl: \(60\) SSL certificate problem/);
    expect(result.output).toContain("Check the certificate.");
  });
});

test("shellQuote round-trips through sh", () => {
  const value = `a'b"c $HOME \`x\``;
  expect(run("sh", ["-c", `printf %s ${shellQuote(value)}`]).output).toBe(value);
});

test("contentHash is stable and content-sensitive", () => {
  expect(contentHash("a")).toBe(contentHash("a"));
  expect(contentHash("a")).not.toBe(contentHash("b"));
});
