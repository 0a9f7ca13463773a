/**
 * Categories of the stack's own Suricata rules, a contract between the local rules (`security/suricataRules.ts`),
 * the Security Events dashboard (groups `alert.signature` by these prefixes) and the runbooks. Every local rule's
 * `msg` starts with one prefix followed by a space; Emerging Threats rules start with `ET ` and are grouped apart.
 */
export const SECURITY_CATEGORIES = {
  sqli: { prefix: "KOPROGO SQLI", title: "SQL injection" },
  xss: { prefix: "KOPROGO XSS", title: "Cross-site scripting" },
  pathTraversal: { prefix: "KOPROGO PATH-TRAVERSAL", title: "Path traversal" },
  scan: { prefix: "KOPROGO SCAN", title: "Port and vulnerability scans" },
  bruteforce: { prefix: "KOPROGO BRUTEFORCE", title: "Login brute force" },
} as const;

export type SecurityCategory = keyof typeof SECURITY_CATEGORIES;

/** Word every local rule's message starts with: `alert.signature =~ "KOPROGO .*"` selects the stack's own rules. */
export const LOCAL_RULE_MESSAGE_PREFIX = "KOPROGO";

/** The category of a Suricata `msg` (an `alert.signature` in eve.json), or `undefined` for a rule that is not ours. */
export function categoryOfSignature(signature: string): SecurityCategory | undefined {
  return (Object.keys(SECURITY_CATEGORIES) as SecurityCategory[]).find((category) =>
    signature.startsWith(`${SECURITY_CATEGORIES[category].prefix} `),
  );
}
