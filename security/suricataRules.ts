/**
 * The stack's own Suricata rules, as data, and the writer that turns them into rule text. Each rule has a sid in
 * the local range (1000000–1999999), a classtype (which sets the alert's severity) and a `msg` starting with its
 * category prefix from the contract, which the Security Events dashboard groups by.
 *
 * What Suricata can see: the public interface carries HTTPS to Traefik encrypted, so the HTTP content rules
 * only match clear-text HTTP (port 80, where scanners and bots send most probes before any redirect). The
 * decrypted side is covered by CrowdSec reading Traefik's access log (http-sqli/xss/path-traversal probing) and
 * by fail2ban's `api-abuse`. The scan and SSH/PostgreSQL brute-force rules look at TCP flags and see everything.
 */
import { SECURITY_CATEGORIES, type SecurityCategory } from "../contract/securityCategories";
import type { Settings } from "../settings";

export const LOCAL_SID_RANGE = { min: 1_000_000, max: 1_999_999 } as const;

/** The address group of `security.suricata.dockerNetworks` (defined in the overrides' `vars`). */
export const DOCKER_NETS_VAR = "DOCKER_NETS";

/** The API's login endpoint, the target of credential stuffing. */
export const LOGIN_PATH = "/api/v1/auth/login";

export interface SuricataRule {
  readonly category: SecurityCategory;
  /** What the rule catches; the `msg` is `<category prefix> <description>`. */
  readonly description: string;
  readonly sid: number;
  readonly classtype:
    "web-application-attack" | "attempted-recon" | "attempted-admin" | "attempted-user" | "suspicious-login";
  readonly protocol: "http" | "tcp";
  readonly destinationPort: string;
  /**
   * The rule counts events per source (a `threshold ... track by_src`) and so leaves out the Docker networks:
   * on the application's bridge the source is Traefik (every user at once) or the backend (its connection pool).
   */
  readonly perSourceCount?: boolean;
  /** Options between `msg` and `classtype`, as `keyword` or `keyword:value`. */
  readonly match: readonly string[];
}

/** `msg` text of a rule. */
export function ruleMessage(rule: Pick<SuricataRule, "category" | "description">): string {
  return `${SECURITY_CATEGORIES[rule.category].prefix} ${rule.description}`;
}

/** Quotes a value for a rule option: `"`, `;` and `\` must be escaped inside. */
export function quoteOption(value: string): string {
  return `"${value.replace(/[\\";]/g, "\\$&")}"`;
}

const SRC_THRESHOLD = (count: number, seconds: number) =>
  `threshold: type both, track by_src, count ${count}, seconds ${seconds}`;
const TO_SERVER = "flow:established,to_server";
const SYN_ONLY = "flags:S,12";

/**
 * Where HTTP is expected (`HTTP_PORTS`): 80 on the public interface (8443/443 are TLS), and the backend's port
 * (`targets.api.address`, 8080) on the application's bridge, where Traefik forwards requests in clear text.
 */
export function suricataHttpPorts(settings: Settings): number[] {
  const backend = Number(settings.targets.api.address.slice(settings.targets.api.address.lastIndexOf(":") + 1));
  return [...new Set([80, backend])];
}

/** The local rules for this stack's settings (SSH port from `security.sshPort`, HTTP ports as above). */
export function localRules(settings: Settings): SuricataRule[] {
  const ssh = String(settings.security.sshPort);
  const http = (category: SecurityCategory, sid: number, description: string, match: string[]): SuricataRule => ({
    category,
    description,
    sid,
    classtype: "web-application-attack",
    protocol: "http",
    destinationPort: "any",
    match: [TO_SERVER, ...match],
  });
  return [
    http("sqli", 1_000_001, "UNION SELECT in URI", [
      "http.uri",
      'content:"union"',
      "nocase",
      'pcre:"/union(?:\\s|\\+|\\/\\*.*?\\*\\/)+(?:all(?:\\s|\\+)+)?select/i"',
    ]),
    http("sqli", 1_000_002, "boolean tautology in URI", [
      "http.uri",
      'content:"\'"',
      "pcre:\"/'\\s*(?:or|and)\\s*'?\\w+'?\\s*=\\s*'?\\w+/i\"",
    ]),
    http("sqli", 1_000_003, "time-based blind probe in URI", [
      "http.uri",
      'pcre:"/(?:pg_sleep|sleep|benchmark|waitfor\\s+delay)\\s*\\(/i"',
    ]),
    http("sqli", 1_000_004, "UNION SELECT in request body", [
      "http.request_body",
      'content:"union"',
      "nocase",
      'pcre:"/union(?:\\s|\\+)+(?:all(?:\\s|\\+)+)?select/i"',
    ]),
    http("xss", 1_000_101, "script tag in URI", ["http.uri", 'content:"<script"', "nocase"]),
    http("xss", 1_000_102, "event handler or javascript scheme in URI", [
      "http.uri",
      'pcre:"/(?:javascript:|on(?:error|load|mouseover|focus)\\s*=)/i"',
    ]),
    http("xss", 1_000_103, "script tag in request body", ["http.request_body", 'content:"<script"', "nocase"]),
    // The raw URI: libhtp resolves `../` in the normalised one, which would hide the attempt.
    http("pathTraversal", 1_000_201, "dot-dot-slash in raw URI", [
      "http.uri.raw",
      'pcre:"/(?:\\.\\.|%2e%2e)(?:\\/|%2f|\\x5c|%5c)/i"',
    ]),
    http("pathTraversal", 1_000_202, "system file requested", [
      "http.uri",
      'pcre:"/(?:\\/etc\\/(?:passwd|shadow)|\\/proc\\/self\\/environ|win\\.ini)/i"',
    ]),
    http("scan", 1_000_301, "vulnerability scanner user agent", [
      "http.user_agent",
      'pcre:"/(?:sqlmap|nikto|nmap|masscan|zgrab|nuclei|dirbuster|gobuster|wpscan)/i"',
    ]),
    {
      category: "scan",
      description: "TCP SYN sweep of unpublished ports",
      sid: 1_000_302,
      classtype: "attempted-recon",
      protocol: "tcp",
      // The services are excluded: a busy client opening connections to them is no scan (on the bridge, Traefik
      // opens many to the backend's port). `to_server`: a SYN opens its flow, and Suricata warns about a SYN-only
      // rule without a direction.
      destinationPort: `![${[ssh, 443, ...suricataHttpPorts(settings)].join(",")}]`,
      match: ["flow:to_server", SYN_ONLY, SRC_THRESHOLD(20, 10)],
      perSourceCount: true,
    },
    {
      category: "scan",
      description: "TCP NULL scan",
      sid: 1_000_303,
      classtype: "attempted-recon",
      protocol: "tcp",
      destinationPort: "any",
      match: ["flow:stateless", "flags:0", "ack:0", SRC_THRESHOLD(5, 60)],
    },
    {
      category: "scan",
      description: "TCP XMAS scan",
      sid: 1_000_304,
      classtype: "attempted-recon",
      protocol: "tcp",
      destinationPort: "any",
      match: ["flow:stateless", "flags:FPU,12", SRC_THRESHOLD(5, 60)],
    },
    {
      ...http("bruteforce", 1_000_401, `repeated POST to ${LOGIN_PATH}`, [
        "http.method",
        'content:"POST"',
        "http.uri",
        `content:${quoteOption(LOGIN_PATH)}`,
        "startswith",
        SRC_THRESHOLD(10, 60),
      ]),
      classtype: "suspicious-login",
      perSourceCount: true,
    },
    {
      category: "bruteforce",
      description: "SSH connection flood",
      sid: 1_000_402,
      classtype: "attempted-admin",
      protocol: "tcp",
      destinationPort: ssh,
      match: ["flow:to_server", SYN_ONLY, SRC_THRESHOLD(10, 60)],
      perSourceCount: true,
    },
    {
      category: "bruteforce",
      description: "PostgreSQL connection flood",
      sid: 1_000_403,
      classtype: "attempted-admin",
      protocol: "tcp",
      destinationPort: "5432",
      match: ["flow:to_server", SYN_ONLY, SRC_THRESHOLD(10, 60)],
      perSourceCount: true,
    },
  ];
}

/** One rule as Suricata reads it. */
export function ruleText(rule: SuricataRule): string {
  if (!Number.isInteger(rule.sid) || rule.sid < LOCAL_SID_RANGE.min || rule.sid > LOCAL_SID_RANGE.max) {
    throw new Error(
      `rule "${rule.description}": sid ${rule.sid} is outside the local range ${LOCAL_SID_RANGE.min}-${LOCAL_SID_RANGE.max}`,
    );
  }
  const options = [
    `msg:${quoteOption(ruleMessage(rule))}`,
    ...rule.match,
    `classtype:${rule.classtype}`,
    `sid:${rule.sid}`,
    "rev:1",
  ];
  const source = rule.perSourceCount ? `!$${DOCKER_NETS_VAR}` : "$EXTERNAL_NET";
  return `alert ${rule.protocol} ${source} any -> $HOME_NET ${rule.destinationPort} (${options.join("; ")};)`;
}

/** The rules file, refusing two rules with one sid. */
export function localRulesFile(settings: Settings): string {
  const rules = localRules(settings);
  const seen = new Map<number, string>();
  for (const rule of rules) {
    const other = seen.get(rule.sid);
    if (other) throw new Error(`sid ${rule.sid} is used by "${other}" and "${rule.description}"`);
    seen.set(rule.sid, rule.description);
  }
  const header = [
    "# KoproGo local rules (sids 1000000-1999999). Generated by koprogo-observability: edit security/suricataRules.ts.",
    "# Message prefixes are the categories of contract/securityCategories.ts.",
  ];
  return `${[...header, ...rules.map(ruleText)].join("\n")}\n`;
}
