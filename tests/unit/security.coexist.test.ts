/**
 * Coexistence with an operator's own agents, pure: every file the stack writes carries its mark, its fail2ban files are
 * named apart from KoproGo's Ansible roles', a jail turned off is not written (it would turn theirs off), `destroy`
 * purges only what the stack installed, and the host check names what it compares. Run for real in
 * tests/lab/security.coexist.rolesHost.test.ts.
 */
import { agentSpec, installScript, removeScript } from "../../security/agents";
import { coexistScript } from "../../security/coexist";
import { ACQUISITIONS_FILE } from "../../security/crowdsec";
import { FAIL2BAN_FILES, jailsFile } from "../../security/fail2ban";
import { etcPathOf, renderSecurityFiles, SECURITY_AGENTS } from "../../security/files";
import { markOwned, OWNED_MARK, OWNED_MARK_LINE, ownedPackageRecord } from "../../security/ownership";
import { contentHash } from "../../host/scripts";
import { placeholderSecrets, type Settings } from "../../settings";
import { stackSettings } from "../helpers/stacks";
import { withJailDisabled } from "../helpers/securitySettings";

const prod = stackSettings("prod").settings;

/** The files KoproGo's Ansible roles write (tests/fixtures/koprogo-ansible-roles). */
const ROLE_FILES = [
  "fail2ban/jail.d/koprogo.conf",
  "fail2ban/filter.d/koprogo-api-abuse.conf",
  "fail2ban/filter.d/postgres-bruteforce.conf",
  "fail2ban/filter.d/traefik-auth.conf",
  "fail2ban/filter.d/traefik-badbots.conf",
  "suricata/rules/local.rules",
];

describe("the stack's own files", () => {
  const rendered = renderSecurityFiles(prod, placeholderSecrets());

  it("each carry the mark on their first line, or right after Suricata's %YAML directive", () => {
    for (const file of rendered) {
      const [first, second] = file.content.split("\n");
      expect([file.path, first.startsWith("%YAML") ? second : first]).toEqual([file.path, OWNED_MARK_LINE]);
    }
    expect(markOwned("%YAML 1.1\n---\na: 1\n")).toBe(`%YAML 1.1\n${OWNED_MARK_LINE}\n---\na: 1\n`);
  });

  it("never have the path of a file of KoproGo's roles, nor the .local twin of their jail.d/koprogo.conf", () => {
    const paths = rendered.map((f) => f.path);
    for (const file of ROLE_FILES) expect(paths).not.toContain(file);
    expect(paths).not.toContain("fail2ban/jail.d/koprogo.local");
    expect(paths).toContain(`fail2ban/jail.d/${FAIL2BAN_FILES.jails}.local`);
    expect(paths).toContain(`fail2ban/filter.d/${FAIL2BAN_FILES.apiAbuseFilter}.conf`);
  });

  it("put CrowdSec's acquisitions in acquis.d and leave the operator's acquis.yaml out", () => {
    const paths = rendered.map((f) => f.path);
    expect(paths).toContain(`crowdsec/${ACQUISITIONS_FILE}`);
    expect(paths).not.toContain("crowdsec/acquis.yaml");
  });
});

describe("the stack's jails", () => {
  const off = (s: Settings): Settings => withJailDisabled(s, "sshd");

  it("set ignoreip in each jail, never in [DEFAULT] (which would replace the operator's for their jails)", () => {
    const file = jailsFile(prod);
    expect(file).not.toContain("[DEFAULT]");
    expect(file.match(/^ignoreip = /gm)).toHaveLength(3);
  });

  it("leave out a jail turned off: no [sshd] section that would turn the operator's off", () => {
    const file = jailsFile(off(prod));
    expect(file).not.toMatch(/^\[sshd\]/m);
    expect(file).toMatch(/^\[api-abuse\]/m);
    expect(file).toMatch(/^\[postgresql\]/m);
  });
});

describe.each(SECURITY_AGENTS)("%s: packages", (agent) => {
  const spec = agentSpec(agent, prod);

  it("are recorded as the stack's when it installs them, and only those are purged by destroy", () => {
    const install = installScript(spec);
    const remove = removeScript(spec);
    for (const p of spec.packages) {
      expect(install).toContain(`|| touch '${ownedPackageRecord(p.name)}'`);
      expect(remove).toContain(`if [ -e '${ownedPackageRecord(p.name)}' ]; then`);
    }
    expect(remove).not.toMatch(/^apt-get purge/m);
    expect(remove).toContain("systemctl try-reload-or-restart");
  });

  it("are stopped by destroy only when the stack installed them", () => {
    expect(spec.stop).toMatch(
      /if \[ -e '\/var\/lib\/koprogo-observability\/packages\/[a-z0-9]+' \]; then systemctl disable --now/,
    );
  });
});

describe.each(SECURITY_AGENTS)("%s: the host check", (agent) => {
  const files = renderSecurityFiles(prod, placeholderSecrets())
    .filter((f) => f.path.startsWith(`${agent}/`))
    .map((f) => ({ path: `/etc/${etcPathOf(f.path)}`, content: f.content as string }));
  const script = coexistScript(agentSpec(agent, prod), prod, files);

  it("compares every file the stack writes by its mark and its digest", () => {
    expect(script).toContain(OWNED_MARK);
    for (const file of files) {
      expect(script).toContain(`theirs '${file.path}'`);
      expect(script).toContain(contentHash(file.content));
    }
  });

  it("checks the installed version of every pinned package against the setting that pins it", () => {
    for (const p of agentSpec(agent, prod).packages.filter((p) => p.version))
      expect(script).toContain(`dpkg-query -W -f='\${Status} \${Version}' '${p.name}'`);
    expect(script).toContain(`koprogo-observability:security.${agent}.version`);
  });
});

describe("the fail2ban host check", () => {
  const script = coexistScript(agentSpec("fail2ban", prod), prod, []);

  it("looks for each of the stack's jail names in the operator's jail files, naming the setting that turns it off", () => {
    expect(script).toContain(
      "for f in /etc/fail2ban/jail.local /etc/fail2ban/jail.d/*.conf /etc/fail2ban/jail.d/*.local; do",
    );
    for (const [key, name] of [
      ["sshd", "sshd"],
      ["apiAbuse", "api-abuse"],
      ["postgresql", "postgresql"],
    ])
      expect(script).toContain(
        `security.fail2ban.jails.${key}.enabled to false; or take the stack's: remove [${name}] from $f`,
      );
  });
});
