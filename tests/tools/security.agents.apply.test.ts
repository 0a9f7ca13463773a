/**
 * The host agents' apply scripts where they touch files: a Traefik or PostgreSQL log file that does not exist
 * yet on the first deploy (fail2ban refuses to start a jail without its log file), run for real in a test
 * directory and checked against the deployed fail2ban's own configuration test; and the CrowdSec repository
 * line, whose URL reaches a root shell.
 */
import * as fs from "fs";
import * as path from "path";
import { agentSpec, ensureLogFileScript, installScript } from "../../security/agents";
import type { Settings } from "../../settings";
import { DEPLOYED_FAIL2BAN, fail2banConfigDir, runFail2ban } from "../helpers/fail2ban";
import { prodSettingsWithLogsIn } from "../helpers/securitySettings";
import { stackSettings } from "../helpers/stacks";
import { describeWithTools, run, tempDir } from "../helpers/tools";
import { withJailDisabled } from "../helpers/securitySettings";

const isRoot = process.getuid?.() === 0;

describe("ensureLogFileScript", () => {
  let dir: string;
  let removeDir: () => void;
  beforeEach(() => ({ dir, remove: removeDir } = tempDir("koprogo-logfile")));
  afterEach(() => removeDir());

  const sh = (script: string) => run("sh", ["-ec", script]);

  (isRoot || process.env.CI === "true" ? it : it.skip)(
    "creates a missing file owned like its directory (the writer's), mode 0640",
    () => {
      const logDir = path.join(dir, "postgresql");
      fs.mkdirSync(logDir);
      fs.chownSync(logDir, 70, 70); // postgres in postgres:15-alpine
      const file = path.join(logDir, "postgresql.log");
      expect(sh(ensureLogFileScript(file)).status).toBe(0);
      const stat = fs.statSync(file);
      expect([stat.uid, stat.gid, stat.mode & 0o777, stat.size]).toEqual([70, 70, 0o640, 0]);
    },
  );

  it("leaves an existing file, its content, owner and mode as they are", () => {
    const file = path.join(dir, "access.log");
    fs.writeFileSync(file, "203.0.113.7 - - [...]\n", { mode: 0o600 });
    const before = fs.statSync(file);
    expect(sh(ensureLogFileScript(file)).status).toBe(0);
    const after = fs.statSync(file);
    expect(fs.readFileSync(file, "utf8")).toBe("203.0.113.7 - - [...]\n");
    expect([after.uid, after.gid, after.mode, after.ino]).toEqual([before.uid, before.gid, before.mode, before.ino]);
  });

  it("creates a missing directory (0755) and the file in it", () => {
    const file = path.join(dir, "traefik", "access.log");
    expect(sh(ensureLogFileScript(file)).status).toBe(0);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o755);
    expect(fs.statSync(file).mode & 0o777).toBe(0o640);
  });
});

describeWithTools(
  "the fail2ban apply on a first deploy, with the deployed fail2ban",
  DEPLOYED_FAIL2BAN.requires,
  () => {
    let dir: string;
    let removeDir: () => void;
    let settings: Settings;
    let conf: string;

    beforeAll(() => {
      ({ dir, remove: removeDir } = tempDir("koprogo-f2b-apply"));
      settings = prodSettingsWithLogsIn(dir);
      conf = fail2banConfigDir(DEPLOYED_FAIL2BAN, path.join(dir, "etc-fail2ban"), settings);
    });
    afterAll(() => removeDir());

    it("creates the Traefik and PostgreSQL logs before fail2ban's check, so a first deploy passes it", () => {
      const { traefikAccess, postgres } = settings.security.logs;
      fs.rmSync(traefikAccess);
      fs.rmSync(postgres);
      // Without them, the check refuses the jails (what the apply used to fail on).
      const refused = runFail2ban(DEPLOYED_FAIL2BAN, "fail2ban-client", ["-c", conf, "-t"]);
      expect(refused.status).not.toBe(0);
      expect(refused.output).toContain("Have not found any log file for api-abuse jail");
      const apply = agentSpec("fail2ban", settings).apply.split("\n");
      const check = apply.indexOf("fail2ban-client -t >/dev/null");
      const creates = apply.slice(0, check).filter((line) => line.includes("install -m 0640"));
      expect(creates).toEqual([ensureLogFileScript(traefikAccess), ensureLogFileScript(postgres)]);
      for (const line of creates) expect(run("sh", ["-ec", line]).status).toBe(0);
      const passed = runFail2ban(DEPLOYED_FAIL2BAN, "fail2ban-client", ["-c", conf, "-t"]);
      expect(passed.output).toContain("OK: configuration test is successful");
    });

    it("does not create auth.log (nobody would write it) nor the log of a disabled jail", () => {
      const off = withJailDisabled(settings, "postgresql");
      const apply = agentSpec("fail2ban", off).apply;
      expect(apply).not.toContain(ensureLogFileScript(settings.security.logs.auth));
      expect(apply).not.toContain(ensureLogFileScript(settings.security.logs.postgres));
      expect(apply).toContain(ensureLogFileScript(settings.security.logs.traefikAccess));
    });
  },
);

describe("the CrowdSec repository line", () => {
  it("passes the URL and the keyring to printf as quoted arguments, never inside a double-quoted string", () => {
    const { settings } = stackSettings("prod");
    const script = installScript(agentSpec("crowdsec", settings));
    const line = script.split("\n").find((l) => l.includes("sources.list.d/crowdsec.list"))!;
    expect(line).toBe(
      `printf 'deb [signed-by=%s] %s %s main\\n' '/etc/apt/keyrings/crowdsec.gpg' '${settings.security.crowdsec.repository!.url}' "$(. /etc/os-release && echo "$VERSION_CODENAME")" > '/etc/apt/sources.list.d/crowdsec.list'`,
    );
    expect(run("sh", ["-n", "-c", script]).status).toBe(0);
  });
});
