import { isIpOrCidr, ipv4BlockContains } from "../../settings/security";
import { routerRegex } from "../../security/fail2ban";
import { parseStackConfig } from "../../settings";
import { stackSettings } from "../helpers/stacks";

const parse = (security: unknown) => parseStackConfig("dev", { security }, new Set());

describe("security settings", () => {
  it("are on in prod and off in dev", () => {
    expect(stackSettings("prod").settings.security.enabled).toBe(true);
    expect(stackSettings("dev").settings.security.enabled).toBe(false);
  });

  it("default to the runbook's jails: sshd 10 tries → 10 min, api-abuse 100/min → 1 h", () => {
    const { jails } = parse({}).settings.security.fail2ban;
    expect(jails.sshd).toEqual({ enabled: true, maxRetry: 10, findTime: "10m", banTime: "10m" });
    expect(jails.apiAbuse).toEqual({
      enabled: true,
      maxRetry: 100,
      findTime: "1m",
      banTime: "1h",
      pathPrefix: "/api/",
      router: ".*backend.*",
    });
    expect(jails.postgresql.enabled).toBe(true);
  });

  it.each([
    [
      ["127.0.0.1", "::1", "not-an-ip"],
      'koprogo-observability:security.ignoreIp.2: must be an IP address or CIDR block like 203.0.113.7, 198.51.100.0/24 or 2001:db8::/32 (got "not-an-ip")',
    ],
    [["127.0.0.1", "::1", "10.0.0.0/33"], "security.ignoreIp.2: must be an IP address or CIDR block"],
    [["127.0.0.1", "::1", "300.1.1.1"], "security.ignoreIp.2: must be an IP address or CIDR block"],
    [
      ["203.0.113.7", "::1"],
      "koprogo-observability:security.ignoreIp: must include loopback (127.0.0.1 or 127.0.0.0/8, and ::1)",
    ],
    [["127.0.0.0/8"], "security.ignoreIp: must include loopback"],
  ])("refuses ignoreIp %j", (ignoreIp, message) => {
    expect(() => parse({ ignoreIp })).toThrow(message);
  });

  it("accepts loopback as an address or a block, IPv6 blocks and operators' addresses", () => {
    expect(
      parse({ ignoreIp: ["127.0.0.1", "::1/128", "203.0.113.7", "2001:db8::/32", "198.51.100.0/24"] }).settings.security
        .ignoreIp,
    ).toHaveLength(5);
  });

  it.each<[unknown, string]>([
    [{ publicInterface: "eth0; rm -rf /" }, "security.publicInterface: must be a network interface name"],
    [
      { logs: { traefikAccess: "/var/log/traefik/*.log" } },
      "security.logs.traefikAccess: must be an absolute path without spaces or wildcards",
    ],
    [{ fail2ban: { version: "latest" } }, "security.fail2ban.version: must be a Debian package version"],
    [{ fail2ban: { jails: { sshd: { maxRetry: 0 } } } }, "security.fail2ban.jails.sshd.maxRetry: must be at least 1"],
    [
      { fail2ban: { jails: { apiAbuse: { pathPrefix: "api" } } } },
      "security.fail2ban.jails.apiAbuse.pathPrefix: must be a URL path prefix",
    ],
    [
      { crowdsec: { metrics: { listenAddress: "0.0.0.0" } } },
      "security.crowdsec.metrics.listenAddress: must not be 0.0.0.0",
    ],
    [{ crowdsec: { bouncer: { mode: "pf" } } }, "security.crowdsec.bouncer.mode"],
    [
      { suricata: { updateSchedule: "daily\nExecStart=/bin/sh" } },
      "security.suricata.updateSchedule: must be a systemd calendar expression",
    ],
    [
      { suricata: { homeNet: ["vps.koprogo.com"] } },
      "security.suricata.homeNet.0: must be an IP address or CIDR block",
    ],
    [{ jails: {} }, "koprogo-observability:security.jails: unknown key"],
    [
      { fail2ban: { jails: { apiAbuse: { router: '[^"]*' } } } },
      "security.fail2ban.jails.apiAbuse.router: must be a regex of a Traefik router name",
    ],
    [
      { fail2ban: { jails: { apiAbuse: { router: "backend\\s" } } } },
      "security.fail2ban.jails.apiAbuse.router: must be a regex of a Traefik router name",
    ],
    [
      { fail2ban: { jails: { apiAbuse: { router: "(backend" } } } },
      "security.fail2ban.jails.apiAbuse.router: must be a valid regular expression",
    ],
    [
      { fail2ban: { jails: { apiAbuse: { router: ".*" } } } },
      "security.fail2ban.jails.apiAbuse.router: must not match an empty router name",
    ],
    // Each of these would reach the root shell of the install script (`printf … > sources.list.d/crowdsec.list`, `curl`).
    ...[
      `https://x.example/$(reboot)/`,
      "https://x.example/`id`/",
      `https://x.example/"; reboot; "/`,
      "https://x.example/a b/",
      "https://x.example/\nreboot/",
      "http://x.example/",
    ].map((url): [unknown, string] => [
      { crowdsec: { repository: { url } } },
      "security.crowdsec.repository.url: must be an https:// URL of letters, digits",
    ]),
    [
      { crowdsec: { repository: { url: "https://x.example/ubuntu" } } },
      "security.crowdsec.repository.url: must end with /",
    ],
    [
      { crowdsec: { repository: { keyUrl: "https://x.example/key';reboot;'" } } },
      "security.crowdsec.repository.keyUrl: must be an https:// URL of letters, digits",
    ],
  ])("refuses %j", (security, message) => {
    expect(() => parse(security)).toThrow(message);
  });

  it.each([
    ["127.0.0.1", true],
    ["2001:db8::1", true],
    ["::1", true],
    ["fe80::1:2:3:4:5:6", true],
    ["1:2:3:4:5:6:7:8", true],
    ["10.0.0.0/8", true],
    ["2001:db8::/129", false],
    ["1::2::3", false],
    ["10.0.0/8", false],
    ["127.0.0.1/8/1", false],
  ])("isIpOrCidr(%s) is %s", (value, expected) => {
    expect(isIpOrCidr(value)).toBe(expected);
  });

  it("knows which IPv4 blocks contain an address", () => {
    expect(ipv4BlockContains("127.0.0.0/8", "127.0.0.1")).toBe(true);
    expect(ipv4BlockContains("127.0.0.1/8", "127.0.0.1")).toBe(true);
    expect(ipv4BlockContains("127.0.0.2/32", "127.0.0.1")).toBe(false);
    expect(ipv4BlockContains("::1", "127.0.0.1")).toBe(false);
  });
});

describe("the api-abuse router setting", () => {
  it.each(["koprogo-backend@docker", "(backend|api)@docker", "koprogo-backend.*", "backend\\.koprogo@file"])(
    "accepts %s",
    (router) => {
      expect(
        parse({ fail2ban: { jails: { apiAbuse: { router } } } }).settings.security.fail2ban.jails.apiAbuse.router,
      ).toBe(router);
    },
  );

  it.each([
    [".*backend.*", '(?:[^"]*backend[^"]*)'],
    ["(backend|api)@docker", "(?:(?:backend|api)@docker)"],
    ["backend\\.koprogo@file", "(?:backend\\.koprogo@file)"],
  ])("renders %s as a python regex that cannot match a quote: %s", (router, expected) => {
    expect(routerRegex(router)).toBe(expected);
  });
});
