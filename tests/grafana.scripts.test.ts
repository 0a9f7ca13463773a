/**
 * The host scripts of the Grafana component, run for real with `sh` against a stand-in `docker` command that
 * records its arguments and stdin and answers like Grafana would.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { syncAdminPasswordScript, waitForHealthyScript } from "../components/grafana";

let dir: string;

/** Puts a `docker` on PATH that logs its arguments and stdin, then runs `body` (a shell snippet). */
function fakeDocker(body: string): void {
  fs.writeFileSync(path.join(dir, "docker"), `#!/bin/sh\necho "$@" >> "${dir}/calls"\n[ -t 0 ] || cat >> "${dir}/stdin"\n${body}\n`, { mode: 0o755 });
}

function run(script: string, stdin = "") {
  const result = spawnSync("/bin/sh", ["-c", script], { input: stdin, env: { ...process.env, PATH: `${dir}:${process.env.PATH}` }, timeout: 20_000 });
  return { status: result.status, stderr: result.stderr.toString(), calls: fs.existsSync(path.join(dir, "calls")) ? fs.readFileSync(path.join(dir, "calls"), "utf8") : "" };
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "grafana-scripts-"));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("waiting for Grafana", () => {
  it("returns once /api/health reports the database ok, asking inside the container", () => {
    fakeDocker(`echo '{\n  "database": "ok",\n  "version": "12.1.1"\n}'`);
    const { status, calls } = run(waitForHealthyScript("koprogo-obs-grafana", 10));
    expect(status).toBe(0);
    expect(calls.trim().split("\n")[0]).toBe("exec koprogo-obs-grafana wget -q -O - http://127.0.0.1:3000/api/health");
  });

  it("keeps asking while Grafana is starting", () => {
    // Fails twice (container starting, then database migrating), answers on the third call.
    fakeDocker(`n=$(wc -l < "${dir}/calls"); if [ "$n" -lt 3 ]; then echo '{"database": "failing"}'; exit 0; fi; echo '{"database": "ok"}'`);
    const { status, calls } = run(waitForHealthyScript("g", 20, 0.1));
    expect(status).toBe(0);
    expect(calls.trim().split("\n")).toHaveLength(3);
  });

  it("fails with a clear message when Grafana never becomes healthy", () => {
    fakeDocker("exit 1");
    const { status, stderr } = run(waitForHealthyScript("koprogo-obs-grafana", 1, 0.2));
    expect(status).toBe(1);
    expect(stderr).toContain("Grafana (koprogo-obs-grafana) did not answer http://127.0.0.1:3000/api/health within 1s");
  });
});

describe("syncing the admin password", () => {
  it("passes the password on stdin only, never as an argument", () => {
    fakeDocker("exit 0");
    const { status, calls } = run(syncAdminPasswordScript("koprogo-obs-grafana"), "s3cret-Value");
    expect(status).toBe(0);
    expect(calls.trim()).toBe("exec -i koprogo-obs-grafana grafana cli admin reset-admin-password --password-from-stdin");
    expect(calls).not.toContain("s3cret-Value");
    expect(fs.readFileSync(path.join(dir, "stdin"), "utf8")).toBe("s3cret-Value");
  });

  it("fails when Grafana's CLI fails", () => {
    fakeDocker("exit 3");
    expect(run(syncAdminPasswordScript("g"), "x").status).not.toBe(0);
  });
});
