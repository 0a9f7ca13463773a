/**
 * The rendered jails' actions under every fail2ban the stack may run (0.11.2 deployed on Ubuntu 22.04, 1.0.2 of
 * Debian 12 / Ubuntu 24.04, 1.1 of Debian 13), each on top of that version's own packaged /etc/fail2ban:
 * `fail2ban-client -t`, then `-d`, whose action commands are resolved by that version's own tag replacement and
 * then RUN in a network namespace made for the purpose, so the assertions are on the iptables rules the kernel
 * holds: a jump from the chain with no port match (every port, every protocol), and the DROP of the address.
 */
import * as fs from "fs";
import * as path from "path";
import { Namespaces } from "../../e2e/harness/namespaces";
import type { Settings } from "../../settings";
import { describeWithTools, run, tempDir } from "../helpers/tools";
import { prodSettingsWithLogsIn } from "../helpers/securitySettings";
import { dumpedActions, fail2banConfigDir, FAIL2BAN_VERSIONS, resolveCommand, runFail2ban } from "../helpers/fail2ban";

/** jail → [action, chain name (f2b-<name>), iptables chain] the overlay must give it. */
const EXPECTED: Record<string, readonly (readonly [string, string, string])[]> = {
  sshd: [
    ["koprogo-allports", "sshd", "INPUT"],
    // fail2ban names a second action of a jail `<file><name minus the jail's name>`: `koprogo-docker-user-docker`.
    ["koprogo-docker-user-docker", "sshd-docker", "DOCKER-USER"],
  ],
  "api-abuse": [["koprogo-docker-user", "api-abuse", "DOCKER-USER"]],
  postgresql: [["koprogo-docker-user", "postgresql", "DOCKER-USER"]],
};

const BANNED = { inet4: "203.0.113.7", inet6: "2001:db8::7" } as const;

describe.each(FAIL2BAN_VERSIONS.map((version, index) => [version.label, version, index] as const))(
  "fail2ban %s with the rendered overlay",
  (_label, version) => {
    describeWithTools("actions", [...version.requires, "ip", "iptables-save", "ip6tables-save"], () => {
      let removeDir: () => void;
      let settings: Settings;
      let check: ReturnType<typeof run>;
      let actions: ReturnType<typeof dumpedActions>;
      let oldAction: Map<string, string>;
      const namespaces = new Namespaces("kf2bv");
      let ns: string;

      beforeAll(() => {
        let dir: string;
        ({ dir, remove: removeDir } = tempDir("koprogo-f2b-versions"));
        settings = prodSettingsWithLogsIn(dir);
        const conf = fail2banConfigDir(version, path.join(dir, "etc-fail2ban"), settings);
        check = runFail2ban(version, "fail2ban-client", ["-c", conf, "-t"]);
        const dump = runFail2ban(version, "fail2ban-client", ["-c", conf, "-d"]);
        if (dump.status !== 0) throw new Error(`fail2ban-client -d failed: ${dump.output}`);
        actions = dumpedActions(dump.output);
        // The action this stack shipped before: Debian's iptables.conf with `type = allports`, in one probe jail.
        fs.writeFileSync(
          path.join(conf, "action.d/probe-old.conf"),
          "[INCLUDES]\nbefore = iptables.conf\n\n[Definition]\ntype = allports\n\n[Init]\nchain = DOCKER-USER\n",
        );
        fs.writeFileSync(
          path.join(conf, "jail.d/probe.local"),
          `[probe]\nenabled = true\nfilter = sshd\nlogpath = ${settings.security.logs.auth}\naction = probe-old[name=probe]\n`,
        );
        const probe = dumpedActions(runFail2ban(version, "fail2ban-client", ["-c", conf, "-d"]).output);
        oldAction = probe.find((a) => a.jail === "probe")!.options;
        ns = namespaces.add("host");
      });

      afterAll(() => {
        namespaces.destroy();
        removeDir?.();
      });

      const optionsOf = (jail: string, action: string) => {
        const found = actions.find((a) => a.jail === jail && a.action === action);
        if (!found)
          throw new Error(
            `no action ${action} in jail ${jail}: ${actions.map((a) => `${a.jail}/${a.action}`).join(", ")}`,
          );
        return found.options;
      };

      it("is a real check: the previous action (iptables.conf + type = allports) bans port 22 only on 0.11", () => {
        const start = resolveCommand(version, oldAction, oldAction.get("actionstart")!, BANNED.inet4, "inet4");
        if (version.label.startsWith("0.11")) expect(start).toContain("-I DOCKER-USER -p tcp --dport ssh -j f2b-probe");
        else expect(start).not.toContain("--dport");
      });

      it("passes fail2ban-client -t", () => {
        expect(check.output).toContain("OK: configuration test is successful");
        expect(check.status).toBe(0);
      });

      it("gives each jail exactly its actions", () => {
        for (const [jail, expected] of Object.entries(EXPECTED)) {
          expect(actions.filter((a) => a.jail === jail).map((a) => a.action)).toEqual(
            expected.map(([action]) => action),
          );
        }
      });

      it.each(
        Object.entries(EXPECTED).flatMap(([jail, list]) =>
          list.map(([action, name, chain]) => [jail, action, name, chain] as const),
        ),
      )(
        "%s/%s resolves to a DROP of the address in f2b-%s, jumped to from %s on every port",
        (jail, action, name, chain) => {
          const options = optionsOf(jail, action);
          for (const family of ["inet4", "inet6"] as const) {
            const tool = family === "inet4" ? "iptables" : "ip6tables";
            const ban = resolveCommand(version, options, options.get("actionban")!, BANNED[family], family);
            expect(ban).toBe(`${tool} -w -I f2b-${name} 1 -s ${BANNED[family]} -j DROP`);
            const start = resolveCommand(version, options, options.get("actionstart")!, BANNED[family], family);
            expect(start).not.toMatch(/--dports?|multiport/);
            // What the kernel holds once fail2ban has started the action and banned the address.
            const applied = run("ip", ["netns", "exec", ns, "sh", "-ec", `${start}\n${ban}`]);
            expect(applied.output).toBe("");
            expect(applied.status).toBe(0);
            const rules = run("ip", ["netns", "exec", ns, `${tool}-save`, "-t", "filter"]).output.split("\n");
            // `-p all` is printed as no -p at all: the jump takes every protocol and port.
            expect(rules).toContain(`-A ${chain} -j f2b-${name}`);
            expect(rules).toContain(`-A f2b-${name} -s ${BANNED[family]}/${family === "inet4" ? 32 : 128} -j DROP`);
            expect(rules).toContain(`-A f2b-${name} -j RETURN`);
          }
        },
      );
    });
  },
);
