/**
 * The rendered CrowdSec files against Debian's crowdsec: `crowdsec -t` on a copy of `/etc/crowdsec` with our
 * acquisitions, whitelist parser, profiles and `config.yaml.local`; `cscli config show` for the merged metrics
 * listener; and the acquisition labels against the filters of the hub parsers that must read them.
 */
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { toYaml } from "../../render/yaml";
import { acquisitions, bouncerDropIn, CROWDSEC_LOG_TYPES } from "../../security/crowdsec";
import { POSTGRES_LOG_LINE_PREFIX } from "../../security/fail2ban";
import { documentationText } from "../helpers/docs";
import { renderSecurityFiles } from "../../security/files";
import { placeholderSecrets, settingsSchema, type Settings } from "../../settings";
import { CROWDSEC_HUB, crowdsecConfigDir } from "../helpers/crowdsec";
import { describeWithTools, run, tempDir } from "../helpers/tools";
import { prodSettingsWithLogsIn } from "../helpers/securitySettings";

const HUB = `${CROWDSEC_HUB}/parsers/s01-parse/crowdsecurity`;

describeWithTools("the rendered CrowdSec files with the real crowdsec", ["crowdsec", "cscli"], () => {
  let dir: string;
  let removeDir: () => void;
  let settings: Settings;
  let config: string;
  let check: ReturnType<typeof run>;
  let shown: ReturnType<typeof run>;
  let broken: ReturnType<typeof run>;

  beforeAll(() => {
    ({ dir, remove: removeDir } = tempDir("koprogo-crowdsec"));
    settings = prodSettingsWithLogsIn(dir);
    config = crowdsecConfigDir(path.join(dir, "etc-crowdsec"), settings);
    check = run("crowdsec", ["-c", config, "-t"]);
    shown = run("cscli", ["-c", config, "config", "show", "--key", "Config.Prometheus"]);
    // The same check must refuse a wrong acquisition, or passing it would prove nothing.
    const brokenConfig = crowdsecConfigDir(path.join(dir, "etc-crowdsec-broken"), settings);
    fs.writeFileSync(
      path.join(path.dirname(brokenConfig), "acquis.yaml"),
      toYaml({ source: "file", filenamez: ["/x"], labels: { type: "traefik" } }),
    );
    broken = run("crowdsec", ["-c", brokenConfig, "-t"]);
  });

  afterAll(() => removeDir());

  it("passes crowdsec -t with the acquisitions, the whitelist parser and the profiles", () => {
    // The Debian package ships without the GeoLite databases and some data files (downloaded by the hub on a
    // real host): those errors are the environment's. Any other error is ours.
    const errors = check.output
      .split("\n")
      .filter((line) => /level=(fatal|error)/.test(line) && !/\/var\/lib\/crowdsec\/data\//.test(line));
    expect(errors).toEqual([]);
    expect(check.status).toBe(0);
    expect(check.output).toContain("koprogo-whitelist.yaml stage=s02-enrich");
    expect(check.output).toContain("koprogo-source-guard.yaml stage=s02-enrich");
    expect(check.output).toContain("koprogo-pgsql-logs.yaml stage=s01-parse");
  });

  it("fails crowdsec -t on an acquisition with an unknown key", () => {
    expect(broken.status).not.toBe(0);
    expect(broken.output).toContain("filenamez");
  });

  it("merges config.yaml.local: metrics on the host's monitoring-network address, port 6060", () => {
    expect(shown.status).toBe(0);
    expect(shown.output).toContain("172.31.213.1 6060");
  });

  it("acquires sshd, Traefik, PostgreSQL and Suricata logs as plain files", () => {
    expect(acquisitions(settings).map((a) => [a.filenames[0], a.labels.type])).toEqual([
      [settings.security.logs.auth, "syslog"],
      [settings.security.logs.traefikAccess, "traefik"],
      [settings.security.logs.postgres, "postgres"],
      ["/var/log/suricata/eve.json", "suricata-evelogs"],
    ]);
  });

  it.each([
    [
      "traefik-logs",
      CROWDSEC_LOG_TYPES.traefik,
      (filter: string, type: string) => filter.includes(`evt.Parsed.program startsWith '${type}'`),
    ],
    [
      "pgsql-logs",
      CROWDSEC_LOG_TYPES.postgres,
      (filter: string, type: string) => filter.includes(`evt.Parsed.program == '${type}'`),
    ],
    [
      "suricata-logs",
      CROWDSEC_LOG_TYPES.suricata,
      (filter: string, type: string) => filter.includes(`evt.Parsed.program == "${type}"`),
    ],
  ])("labels its logs with the type the hub parser %s selects (%s)", (parser, type, selects) => {
    const documents = YAML.parseAllDocuments(fs.readFileSync(path.join(HUB, `${parser}.yaml`), "utf8")).map(
      (d) => d.toJS() as { filter?: string },
    );
    expect(documents.some((d) => typeof d.filter === "string" && selects(d.filter, type))).toBe(true);
  });

  it("uses one log_line_prefix in the fail2ban filter, the local CrowdSec parser and the documentation", () => {
    const files = renderSecurityFiles(settings, placeholderSecrets());
    expect(files.find((f) => f.path === "fail2ban/filter.d/koprogo-postgresql.conf")!.content).toContain(
      `log_line_prefix '${POSTGRES_LOG_LINE_PREFIX}'`,
    );
    expect(files.find((f) => f.path === "crowdsec/parsers/s01-parse/koprogo-pgsql-logs.yaml")!.content).toContain(
      `log_line_prefix '${POSTGRES_LOG_LINE_PREFIX}'`,
    );
    expect(documentationText()).toContain(`"log_line_prefix=${POSTGRES_LOG_LINE_PREFIX}"`);
  });

  it("makes the firewall bouncer ban in INPUT and DOCKER-USER", () => {
    const bouncer = YAML.parse(
      renderSecurityFiles(settings, placeholderSecrets()).find(
        (f) => f.path === "crowdsec/bouncers/crowdsec-firewall-bouncer.yaml.local",
      )!.content,
    );
    expect(bouncer).toEqual({
      mode: "iptables",
      deny_action: "DROP",
      deny_log: false,
      iptables_chains: ["INPUT", "DOCKER-USER"],
    });
    const nft = {
      ...settings,
      security: {
        ...settings.security,
        crowdsec: {
          ...settings.security.crowdsec,
          bouncer: { ...settings.security.crowdsec.bouncer, mode: "nftables" as const },
        },
      },
    };
    const nftBouncer = YAML.parse(
      renderSecurityFiles(nft, placeholderSecrets()).find(
        (f) => f.path === "crowdsec/bouncers/crowdsec-firewall-bouncer.yaml.local",
      )!.content,
    );
    expect(nftBouncer.nftables_hooks).toEqual(["input", "forward"]);
  });

  it("never bans the ignoreIp addresses", () => {
    const whitelist = YAML.parse(
      renderSecurityFiles(settings, placeholderSecrets()).find(
        (f) => f.path === "crowdsec/parsers/s02-enrich/koprogo-whitelist.yaml",
      )!.content,
    );
    expect(whitelist.whitelist).toEqual({
      reason: expect.any(String),
      ip: ["::1"],
      cidr: ["127.0.0.1/8", "172.16.0.0/12"],
    });
  });
});

describe("the firewall bouncer's systemd drop-in", () => {
  const base = { environment: "prod", security: { enabled: true } } as const;
  it("creates ip6tables' DOCKER-USER before the iptables bouncer starts, when Docker did not (ip6tables off)", () => {
    const dropIn = bouncerDropIn(settingsSchema.parse(base));
    expect(dropIn).toContain("After=docker.service");
    expect(dropIn).toMatch(
      /^ExecStartPre=\/bin\/sh -c 'ip6tables -n -L DOCKER-USER >\/dev\/null 2>&1 \|\| \{ ip6tables -N DOCKER-USER && ip6tables -A DOCKER-USER -j RETURN && ip6tables -I FORWARD -j DOCKER-USER; \}'$/m,
    );
  });
  it("needs nothing of the kind in nftables mode", () => {
    expect(
      bouncerDropIn(
        settingsSchema.parse({ ...base, security: { enabled: true, crowdsec: { bouncer: { mode: "nftables" } } } }),
      ),
    ).not.toContain("ExecStartPre");
  });
});
