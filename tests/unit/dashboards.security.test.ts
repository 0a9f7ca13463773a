/**
 * The Security Events dashboard's log patterns against real log lines: fail2ban's own message format (from its
 * `actions.py`, `[<jail>] Ban <ip>` under its default log format) and Suricata ET Open signatures and categories.
 * Loki uses RE2; the patterns here use only syntax RE2 and JavaScript share once `(?P<` and `(?i)` are adapted.
 */
import { FAIL2BAN_BAN_PATTERN, SURICATA_CLASSES } from "../../dashboards/securityEvents";

/** An RE2 pattern as a JavaScript RegExp: `(?P<name>` is `(?<name>`, a leading `(?i)` is the `i` flag. */
function re2(pattern: string): RegExp {
  const insensitive = pattern.startsWith("(?i)");
  return new RegExp((insensitive ? pattern.slice(4) : pattern).replace(/\(\?P</g, "(?<"), insensitive ? "i" : "");
}

describe("the fail2ban ban pattern", () => {
  const pattern = re2(FAIL2BAN_BAN_PATTERN);

  it.each([
    ["2026-11-25 10:00:00,123 fail2ban.actions        [812]: NOTICE  [sshd] Ban 203.0.113.9", "sshd", "203.0.113.9"],
    [
      "2026-11-25 10:00:01,456 fail2ban.actions        [812]: NOTICE  [api-abuse] Ban 2001:db8::7",
      "api-abuse",
      "2001:db8::7",
    ],
    [
      "2026-11-25 10:00:02,789 fail2ban.actions        [812]: NOTICE  [postgresql] Ban 198.51.100.4",
      "postgresql",
      "198.51.100.4",
    ],
  ])("reads the jail and the address from %s", (line, jail, ip) => {
    expect(line).toContain("] Ban ");
    expect(pattern.exec(line)?.groups).toEqual({ jail, banned_ip: ip });
  });

  it.each([
    "2026-11-25 10:00:00,123 fail2ban.actions        [812]: NOTICE  [sshd] Restore Ban 203.0.113.9",
    "2026-11-25 10:10:00,123 fail2ban.actions        [812]: NOTICE  [sshd] Unban 203.0.113.9",
    "2026-11-25 10:00:00,123 fail2ban.filter         [812]: INFO    [sshd] Found 203.0.113.9 - 2026-11-25 10:00:00",
  ])("does not count %s as a new ban", (line) => {
    expect(line.includes("] Ban ") && pattern.test(line)).toBe(false);
  });
});

describe("the Suricata attack classes", () => {
  const classify = (text: string) => SURICATA_CLASSES.filter((c) => re2(c.pattern).test(text)).map((c) => c.name);

  it.each([
    ["ET WEB_SERVER Possible SQL Injection Attempt UNION SELECT", ["SQL injection"]],
    ["ET WEB_SERVER SELECT USER SQL Injection Attempt in URI", ["SQL injection"]],
    ["ET WEB_SERVER Script tag in URI Possible Cross Site Scripting Attempt", ["XSS"]],
    ["ET WEB_SERVER Possible XSS Attempt in User-Agent", ["XSS"]],
    ["ET WEB_SERVER /etc/passwd Detected in URI (../../)", ["Path traversal"]],
    ["GPL WEB_SERVER directory traversal attempt", ["Path traversal"]],
    ["ET SCAN Possible Nmap User-Agent Observed", ["Port scan"]],
    ["Detection of a Network Scan", ["Port scan"]],
    ["ET POLICY curl User-Agent Outbound", []],
  ])("classifies %s as %j", (text, classes) => {
    expect(classify(text)).toEqual(classes);
  });
});
