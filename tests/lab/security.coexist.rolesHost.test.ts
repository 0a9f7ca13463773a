/**
 * The host agents beside KoproGo's own (security/coexist.ts), run for real: a host whose fail2ban and CrowdSec
 * already carry the files of KoproGo's Ansible roles (tests/fixtures/koprogo-ansible-roles), made from this
 * machine's root in a private mount namespace (overlays on /etc, /var/lib and /var/log whose upper layers are a
 * test folder: the machine's own files never change). On it, the agent's commands run as the program chains them:
 * the coexistence check, then (only when it passes) each file written by the script the component runs
 * (`writeFileScript`, content on stdin), then the agent's own configuration test on the merged configuration:
 * `fail2ban-client -t` (Debian's 1.0.2, installed here "by the operator") and `crowdsec -t` (Debian's 1.4.6).
 * The packages are already there, as on the roles' VPS, so the install step has nothing to install.
 *
 * Shown: the operator's files byte for byte the same after every step, the stack's files present and marked, a
 * jail the operator defines too refused with the file and the setting named and nothing written, a version the
 * stack did not install refused, a second acquisition of a log file refused.
 */
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { writeFileScript } from "../../host/scripts";
import { agentSpec } from "../../security/agents";
import { coexistScript } from "../../security/coexist";
import { etcPathOf, renderSecurityFiles, type SecurityAgent } from "../../security/files";
import { OWNED_MARK } from "../../security/ownership";
import { placeholderSecrets, type Settings } from "../../settings";
import { stackSettings } from "../helpers/stacks";
import { describeWithTools, tempDir, toolPath } from "../helpers/tools";
import { toolLibraryPath, toolRoot } from "../../toolchain/cache";
import { withJailDisabled } from "../helpers/securitySettings";

const FIXTURES = path.resolve(__dirname, "../fixtures/koprogo-ansible-roles");

/** The versions installed on this machine: the operator's packages on the test host. */
function installedVersion(name: string): string {
  return spawnSync("dpkg-query", ["-W", "-f=${Version}", name], { encoding: "utf8" }).stdout.trim();
}

/** The prod settings, with the machine's versions as the operator's (as the deploy rehearsal does) and `edit` applied. */
function settingsWith(edit: (s: Settings) => Settings = (s) => s): Settings {
  const { settings } = stackSettings("prod");
  const security = settings.security;
  return edit({
    ...settings,
    security: {
      ...security,
      fail2ban: { ...security.fail2ban, version: installedVersion("fail2ban") },
      crowdsec: { ...security.crowdsec, version: installedVersion("crowdsec"), repository: null },
    },
  });
}

const withoutSshdJail = (s: Settings): Settings => withJailDisabled(s, "sshd");

/** Every file under `dir`, relative, with its sha256. */
function digests(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    out[path.relative(dir, file)] = crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
  }
  return out;
}

describeWithTools(
  "the host agents beside KoproGo's Ansible roles, on an overlay of this machine's root",
  ["unshare", "dpkg-query", "/usr/bin/fail2ban-client", "/usr/bin/crowdsec", toolPath("suricata")],
  () => {
    const tmp = tempDir("koprogo-coexist");
    const layers = ["etc", "var/lib", "var/log"];
    const mounts = layers.flatMap((d) => [
      `mkdir -p ${tmp.dir}/upper/${d} ${tmp.dir}/work/${d}`,
      `mount -t overlay overlay -o lowerdir=/${d},upperdir=${tmp.dir}/upper/${d},workdir=${tmp.dir}/work/${d} /${d}`,
    ]);
    /** Runs `script` on the test host (a new mount namespace each time; the upper layers keep the host's state). */
    const onHost = (script: string, input?: string, env: NodeJS.ProcessEnv = process.env) => {
      const result = spawnSync(
        "unshare",
        [
          "--mount",
          "--propagation",
          "private",
          "sh",
          "-c",
          `set -e\n${mounts.join("\n")}\nexec sh -c "$1"`,
          "sh",
          script,
        ],
        { input, encoding: "utf8", timeout: 120_000, env },
      );
      return { status: result.status, stdout: result.stdout, stderr: result.stderr };
    };
    /** The host's `/etc/<dir>` as the test host sees it, read through a copy. */
    const hostEtc = (dir: string) => {
      const copy = path.join(tmp.dir, "copies", `${dir}-${Date.now()}`);
      fs.mkdirSync(path.dirname(copy), { recursive: true });
      const result = onHost(`cp -a /etc/${dir} ${copy}`);
      if (result.status !== 0) throw new Error(result.stderr);
      return copy;
    };
    /** The agent's files as they land under /etc. */
    const filesOf = (agent: SecurityAgent, settings: Settings) =>
      renderSecurityFiles(settings, placeholderSecrets())
        .filter((f) => f.path.startsWith(`${agent}/`))
        .map((f) => ({ path: `/etc/${etcPathOf(f.path)}`, content: f.content as string }));
    /**
     * The agent's commands in the program's order up to its own configuration test: the check; then each file;
     * stopping at the first failure, as the engine does with dependent resources.
     */
    const deploy = (agent: SecurityAgent, settings: Settings) => {
      const files = filesOf(agent, settings);
      const check = onHost(coexistScript(agentSpec(agent, settings), settings, files));
      if (check.status !== 0) return { check, written: false };
      for (const file of files) {
        const write = onHost(writeFileScript(file.path, { mode: "0644" }), file.content);
        if (write.status !== 0) throw new Error(`writing ${file.path}: ${write.stderr}`);
      }
      return { check, written: true };
    };
    const roleFiles = (agent: string) => digests(path.join(FIXTURES, "etc", agent));
    const unchanged = (agent: string) => {
      const now = digests(hostEtc(agent));
      for (const [file, digest] of Object.entries(roleFiles(agent))) expect([file, now[file]]).toEqual([file, digest]);
    };

    beforeAll(() => {
      // The roles' files, and the log files their jails and the stack's read.
      const setup = onHost(
        [
          // Suricata as a package installs it (the deployed 6.0's own files, from the tool cache), then the roles' rules.
          `mkdir -p /etc/suricata && cp -a ${toolRoot("suricata")}/etc/suricata/. /etc/suricata/`,
          `cp -a ${FIXTURES}/etc/. /etc/`,
          "mkdir -p /var/log/traefik /var/log/koprogo/postgresql /var/log/postgresql",
          "touch /var/log/auth.log /var/log/traefik/access.log /var/log/koprogo/postgresql/postgresql.log /var/log/postgresql/postgresql-15-main.log",
          "rm -rf /var/lib/koprogo-observability",
        ].join("\n"),
      );
      expect(setup.stderr).toBe("");
      expect(setup.status).toBe(0);
    });

    afterAll(() => tmp.remove());

    it("refuses fail2ban's jail [sshd], which the roles define in jail.d/koprogo.conf, naming the file and the setting, and writes nothing", () => {
      const { check, written } = deploy("fail2ban", settingsWith());
      expect(written).toBe(false);
      expect(check.status).toBe(1);
      expect(check.stderr).toContain(
        "koprogo-observability fail2ban: refused, nothing installed or written (the operator's files stay as they are):",
      );
      expect(check.stderr).toContain(
        "fail2ban: the jail [sshd] is already defined in /etc/fail2ban/jail.d/koprogo.conf; the stack's jail of that name would be merged into it key by key. Keep yours: set koprogo-observability:security.fail2ban.jails.sshd.enabled to false; or take the stack's: remove [sshd] from /etc/fail2ban/jail.d/koprogo.conf",
      );
      // The other jails of the roles have other names: only sshd is refused.
      expect(check.stderr.match(/the jail \[/g)).toHaveLength(1);
      const etc = hostEtc("fail2ban");
      expect(fs.readdirSync(path.join(etc, "jail.d")).sort()).toEqual(["defaults-debian.conf", "koprogo.conf"]);
      expect(fs.readdirSync(path.join(etc, "filter.d")).filter((f) => f.startsWith("koprogo"))).toEqual([
        "koprogo-api-abuse.conf",
      ]);
      unchanged("fail2ban");
    });

    it("refuses a fail2ban the stack did not install when it is off the pinned release line, naming the version setting", () => {
      const settings = withoutSshdJail(settingsWith((s) => s));
      const pinned = {
        ...settings,
        security: { ...settings.security, fail2ban: { ...settings.security.fail2ban, version: "0.11.2-6" } },
      };
      const { check, written } = deploy("fail2ban", pinned);
      expect(written).toBe(false);
      expect(check.stderr).toContain(
        `fail2ban ${installedVersion("fail2ban")} is installed, not by the stack, and is not on the release line it deploys (0.11.*): the stack never changes the version of a package it did not install. Set koprogo-observability:security.fail2ban.version to ${installedVersion("fail2ban")} to keep it`,
      );
    });

    it("with the operator's sshd jail kept, writes only its own marked files beside the roles', and fail2ban -t passes on the merged configuration", () => {
      const settings = withoutSshdJail(settingsWith());
      const { check, written } = deploy("fail2ban", settings);
      expect(check.stderr).toBe("");
      expect(written).toBe(true);
      expect(check.stdout).toContain(
        "koprogo-observability fail2ban: writes only its own files: /etc/fail2ban/jail.d/koprogo-observability.local",
      );
      expect(check.stdout).toContain(`fail2ban ${installedVersion("fail2ban")} was installed before the stack: kept`);
      expect(check.stdout).toContain(
        "fail2ban: /etc/fail2ban/jail.d/koprogo.conf has a jail on /var/log/traefik/access.log too, as the stack's do: a client may be banned by both",
      );
      unchanged("fail2ban");
      const etc = hostEtc("fail2ban");
      for (const file of filesOf("fail2ban", settings))
        expect(fs.readFileSync(path.join(etc, path.relative("/etc/fail2ban", file.path)), "utf8")).toContain(
          OWNED_MARK,
        );
      const test = onHost("fail2ban-client -t");
      expect(test.stdout + test.stderr).toContain("OK: configuration test is successful");
      expect(test.status).toBe(0);
      // The merged configuration: the roles' four jails, and the stack's two, each with its own filter.
      const dump = onHost("fail2ban-client -d");
      expect(dump.status).toBe(0);
      const jails = [...dump.stdout.matchAll(/\['add', '([^']+)'/g)].map((m) => m[1]).sort();
      expect(jails).toEqual([
        "api-abuse",
        "koprogo-api-abuse",
        "postgres-bruteforce",
        "postgresql",
        "sshd",
        "traefik-auth",
      ]);
      // The roles' sshd jail is theirs: their maxretry 3, not the stack's.
      expect(dump.stdout).toContain("['set', 'sshd', 'maxretry', 3]");
      // A second run (a changed file of the stack's) finds its own files and passes again.
      expect(deploy("fail2ban", settings).check.status).toBe(0);
    });

    it("refuses CrowdSec's second acquisition of auth.log (the roles' installer's acquis.yaml), naming the file, and writes nothing", () => {
      const { check, written } = deploy("crowdsec", settingsWith());
      expect(written).toBe(false);
      expect(check.status).toBe(1);
      expect(check.stderr).toContain(
        "crowdsec: /etc/crowdsec/acquis.yaml already reads /var/log/auth.log, which the stack reads too (type syslog): every line would count twice. Remove /var/log/auth.log from /etc/crowdsec/acquis.yaml",
      );
      expect(fs.existsSync(path.join(hostEtc("crowdsec"), "acquis.d"))).toBe(false);
      unchanged("crowdsec");
    });

    it("with auth.log left to the stack, writes its acquisitions in acquis.d beside the operator's acquis.yaml, and crowdsec -t passes", () => {
      // What the refusal asked: the operator drops auth.log from their file (their edit, not the stack's).
      const edit = onHost("sed -i '1,6d' /etc/crowdsec/acquis.yaml && cat /etc/crowdsec/acquis.yaml");
      expect(edit.stdout).not.toContain("auth.log");
      const before = digests(hostEtc("crowdsec"))["acquis.yaml"];
      const settings = settingsWith();
      const { check, written } = deploy("crowdsec", settings);
      expect(check.stderr).toBe("");
      expect(written).toBe(true);
      expect(check.stdout).toContain(`crowdsec ${installedVersion("crowdsec")} was installed before the stack: kept`);
      const etc = hostEtc("crowdsec");
      expect(digests(etc)["acquis.yaml"]).toBe(before);
      expect(fs.readFileSync(path.join(etc, "acquis.d/koprogo-observability.yaml"), "utf8")).toContain(
        "/var/log/auth.log",
      );
      const test = onHost("crowdsec -c /etc/crowdsec/config.yaml -t 2>&1");
      expect(test.stdout).not.toMatch(/level=(fatal|error)/);
      expect(test.status).toBe(0);
    });

    it("adds Suricata's overrides beside the roles' rules (one include line in suricata.yaml), and the deployed 6.0's suricata -T passes", () => {
      const base = settingsWith();
      // The capture on loopback: the public interface is the host's, and there is no Docker engine to ask for the bridge.
      const settings: Settings = {
        ...base,
        security: {
          ...base.security,
          publicInterface: "lo",
          suricata: { ...base.security.suricata, appBridge: null },
        },
      };
      const packaged = fs.readFileSync(path.join(toolRoot("suricata"), "etc/suricata/suricata.yaml"), "utf8");
      const { check, written } = deploy("suricata", settings);
      expect(check.stderr).toBe("");
      expect(written).toBe(true);
      expect(check.stdout).toContain(
        "suricata: the stack adds one line, `include: koprogo.yaml`, at the end of /etc/suricata/suricata.yaml (removed by pulumi destroy)",
      );
      expect(check.stdout).toMatch(
        /suricata: \/etc\/suricata\/rules\/local\.rules uses the sids 1000001 1000002 1000003 1000004 which the stack's rules use too/,
      );
      // The apply as the program writes it, up to Suricata's own test (the rest starts services: no systemd here);
      // the rules as suricata-update would merge them (the stack's local rules; Emerging Threats cannot be fetched).
      const apply = agentSpec("suricata", settings).apply.split("\n");
      const untilTest = apply.slice(
        0,
        apply.findIndex((l) => l.startsWith("systemctl daemon-reload")),
      );
      const bin = path.join(tmp.dir, "bin");
      fs.mkdirSync(bin, { recursive: true });
      if (!fs.existsSync(path.join(bin, "suricata"))) fs.symlinkSync(toolPath("suricata"), path.join(bin, "suricata"));
      const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, LD_LIBRARY_PATH: toolLibraryPath("suricata") };
      const result = onHost(
        [
          ...untilTest,
          "mkdir -p /var/lib/suricata/rules /var/log/suricata",
          "cp /etc/suricata/rules/koprogo-local.rules /var/lib/suricata/rules/suricata.rules",
          "suricata -T -v -c /etc/suricata/suricata.yaml 2>&1",
        ].join("\n"),
        undefined,
        env,
      );
      expect(result.stdout).toContain("Configuration provided was successfully loaded");
      expect(result.stdout).not.toMatch(/<Error>/);
      expect(result.status).toBe(0);
      // The roles' rules untouched; the package's suricata.yaml with exactly the one line added.
      unchanged("suricata");
      const etc = hostEtc("suricata");
      expect(fs.readFileSync(path.join(etc, "suricata.yaml"), "utf8")).toBe(`${packaged}\ninclude: koprogo.yaml\n`);
      expect(fs.readFileSync(path.join(etc, "koprogo.yaml"), "utf8")).toContain(OWNED_MARK);
    });
  },
);
