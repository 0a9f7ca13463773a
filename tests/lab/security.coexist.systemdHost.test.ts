/**
 * fail2ban beside the operator's own, on the deploy rehearsal's VPS (rehearsal/host.ts: a real systemd booted in
 * namespaces on an overlay of this machine's root, never on the root itself). The "operator" runs Debian's
 * fail2ban with the files of KoproGo's Ansible roles (tests/fixtures/koprogo-ansible-roles), as their playbook
 * leaves it; then the program's fail2ban commands run as root, in the program's order, with the scripts the
 * component sends: the coexistence check, the install, each file, the apply (configuration test, enable,
 * reload-or-restart, wait for the jails), and on destroy the apply's delete, each file's delete, the install's
 * delete. Shown on the running fail2ban: the roles' jails keep running with their own settings through the deploy
 * and the destroy, the stack's jails run beside them and leave with it, the roles' files stay byte for byte, and
 * the package the stack did not install stays installed.
 */
import * as fs from "fs";
import * as path from "path";
import { asRoot, removeFileScript, writeFileScript } from "../../host/scripts";
import { RehearsalHost } from "../../rehearsal/host";
import { agentSpec, installScript, removeScript } from "../../security/agents";
import { coexistScript } from "../../security/coexist";
import { etcPathOf, renderSecurityFiles } from "../../security/files";
import { placeholderSecrets, type Settings } from "../../settings";
import { toolCacheDir } from "../../toolchain/cache";
import { stackSettings } from "../helpers/stacks";
import { describeWithTools } from "../helpers/tools";
import { withJailDisabled } from "../helpers/securitySettings";

const FIXTURES = path.resolve(__dirname, "../fixtures/koprogo-ansible-roles/etc/fail2ban");
const ROLE_JAILS = ["koprogo-api-abuse", "postgres-bruteforce", "sshd", "traefik-auth"];

/** Every fixture file, relative to /etc/fail2ban. */
const roleFiles = fs
  .readdirSync(FIXTURES, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile())
  .map((e) => path.relative(FIXTURES, path.join(e.parentPath, e.name)));

describeWithTools(
  "fail2ban beside KoproGo's Ansible roles, on a systemd host",
  ["unshare", "nsenter", "ip", "iptables", "/usr/bin/fail2ban-client"],
  () => {
    let host: RehearsalHost;
    let settings: Settings;
    const sh = (script: string, input?: string) => host.root(asRoot(script, "root"), input, 180_000);
    const must = (what: string, script: string, input?: string) => {
      const result = sh(script, input);
      if (result.code !== 0) throw new Error(`${what} failed (${result.code}): ${result.stderr}${result.stdout}`);
      return result.stdout;
    };
    const jails = () =>
      must("fail2ban-client status", "fail2ban-client status")
        .match(/Jail list:\s*(.*)/)![1]
        .split(/,\s*/)
        .filter(Boolean)
        .sort();
    const digestsOnHost = () =>
      must(
        "sha256sum of the roles' files",
        `cd /etc/fail2ban && sha256sum ${roleFiles.map((f) => `'${f}'`).join(" ")}`,
      );
    const files = () =>
      renderSecurityFiles(settings, placeholderSecrets())
        .filter((f) => f.path.startsWith("fail2ban/"))
        .map((f) => ({ path: `/etc/${etcPathOf(f.path)}`, content: f.content as string }));
    let before: string;

    beforeAll(async () => {
      host = await RehearsalHost.boot(path.join(toolCacheDir(), "rehearsal", "apt-archives"));
      const version = must("dpkg-query", "dpkg-query -W -f='${Version}' fail2ban");
      const prod = stackSettings("prod").settings;
      settings = { ...prod, security: { ...prod.security, fail2ban: { ...prod.security.fail2ban, version } } };
      // The VPS: apt through the rehearsal's proxy, Docker's DOCKER-USER chain, the log files the jails read.
      must(
        "apt proxy",
        `printf 'Acquire::http::Proxy "%s";\\n' '${host.proxy.url}' > /etc/apt/apt.conf.d/00kreh-proxy`,
      );
      must(
        "DOCKER-USER",
        "iptables -N DOCKER-USER && iptables -A DOCKER-USER -j RETURN && iptables -I FORWARD -j DOCKER-USER",
      );
      must(
        "log files",
        [
          "install -D -m 0640 /dev/null /var/log/auth.log",
          "install -D -m 0644 /dev/null /var/log/traefik/access.log",
          "install -D -m 0640 /dev/null /var/log/koprogo/postgresql/postgresql.log",
          "install -D -m 0640 /dev/null /var/log/postgresql/postgresql-15-main.log",
          "rm -rf /var/lib/koprogo-observability",
        ].join("\n"),
      );
      // The operator's fail2ban, as the roles leave it: Debian's package (this machine's, in the overlay) and their files.
      for (const file of roleFiles)
        must(`writing ${file}`, `cat > '/etc/fail2ban/${file}'`, fs.readFileSync(path.join(FIXTURES, file), "utf8"));
      must(
        "the operator's fail2ban",
        "systemctl enable --now fail2ban >/dev/null 2>&1 && timeout 60 sh -c 'until fail2ban-client ping >/dev/null 2>&1; do sleep 1; done'",
      );
      before = digestsOnHost();
    }, 300_000);

    afterAll(async () => {
      await host?.shutdown();
    }, 120_000);

    it("runs the roles' four jails before the stack comes", () => {
      expect(jails()).toEqual(ROLE_JAILS);
    });

    it("refuses with the roles' [sshd] in place and the stack's sshd jail on: nothing installed or written, the roles' fail2ban untouched", () => {
      const check = sh(coexistScript(agentSpec("fail2ban", settings), settings, files()));
      expect(check.code).toBe(1);
      expect(check.stderr).toContain(
        "fail2ban: the jail [sshd] is already defined in /etc/fail2ban/jail.d/koprogo.conf; the stack's jail of that name would be merged into it key by key. Keep yours: set koprogo-observability:security.fail2ban.jails.sshd.enabled to false",
      );
      expect(
        must("ls", "ls /etc/fail2ban/jail.d /etc/fail2ban/filter.d | grep -c koprogo-observability || true").trim(),
      ).toBe("0");
      expect(jails()).toEqual(ROLE_JAILS);
      expect(digestsOnHost()).toBe(before);
    });

    it("deploys beside them with sshd left to the roles: both sets of jails run, theirs with their own settings", () => {
      settings = withJailDisabled(settings, "sshd");
      const spec = agentSpec("fail2ban", settings);
      const check = sh(coexistScript(spec, settings, files()));
      expect(check.stderr).toBe("");
      expect(check.code).toBe(0);
      must("install", installScript(spec));
      for (const file of files())
        must(`write ${file.path}`, writeFileScript(file.path, { mode: "0644" }), file.content);
      must("apply", spec.apply);
      expect(jails()).toEqual(["api-abuse", ...ROLE_JAILS, "postgresql"].sort());
      // The roles' sshd jail is theirs (maxretry 3), the stack's api-abuse its own (100).
      expect(must("sshd maxretry", "fail2ban-client get sshd maxretry").trim()).toBe("3");
      expect(must("api-abuse maxretry", "fail2ban-client get api-abuse maxretry").trim()).toBe("100");
      expect(digestsOnHost()).toBe(before);
      // The package was the operator's: recorded as nobody's, never the stack's.
      expect(sh("test -e /var/lib/koprogo-observability/packages/fail2ban").code).toBe(1);
    });

    it("destroys only its own: the stack's jails and files go, the roles' fail2ban keeps running with theirs", () => {
      const spec = agentSpec("fail2ban", settings);
      must("apply delete", spec.stop);
      for (const file of files()) must(`delete ${file.path}`, removeFileScript(file.path));
      const removed = must("install delete", removeScript(spec));
      expect(removed).toContain(
        "koprogo-observability fail2ban: left installed (not installed by the stack): fail2ban",
      );
      expect(must("systemctl is-active", "systemctl is-active fail2ban").trim()).toBe("active");
      expect(must("dpkg", "dpkg-query -W -f='${db:Status-Abbrev}' fail2ban").trim()).toBe("ii");
      expect(jails()).toEqual(ROLE_JAILS);
      expect(digestsOnHost()).toBe(before);
    });
  },
);
