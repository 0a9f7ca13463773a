/**
 * Every Prometheus rule file of the stack. A part of the stack that alerts adds its `RuleFileBuilder` to
 * `RULE_FILES`; the renderer writes each as `prometheus/rules/<name>.yml`, after one pass over every alert that
 * checks it and adds what no rule writes by hand: `runbook_url` (from `alerts.runbookBaseUrl`) and `escalation`.
 */
import { runbookUrl } from "../contract/links";
import type { FileRenderer } from "../render/types";
import { toYaml } from "../render/yaml";
import type { Settings } from "../settings";
import { apiRuleFile } from "./rules/api";
import { databaseRuleFile } from "./rules/database";
import { logRules } from "./rules/logs";
import { metaRuleFile } from "./rules/meta";
import { nodeRuleFile } from "./rules/node";
import { requestRuleFile } from "./rules/requests";
import { securityRuleFile } from "./rules/security";
import { sloRuleFile } from "./rules/slo";
import type { AlertingRule, RecordingRule, RuleFile, RuleFileBuilder } from "./types";

export const RULE_FILES: readonly RuleFileBuilder[] = [
  requestRuleFile,
  apiRuleFile,
  databaseRuleFile,
  nodeRuleFile,
  metaRuleFile,
  securityRuleFile,
  logRules,
  sloRuleFile,
];

/**
 * Escalation levels of the incident procedure (brief). The `escalation` label says how far an alert goes:
 * L1 Slack `#alerts` only; L2 pages the on-call SRE (who brings in L3, the lead engineer, for a critical incident
 * they cannot close); L4 also involves the CTO (disaster recovery, security incidents) and always pages.
 */
export const ESCALATION_LEVELS = ["L1", "L2", "L3", "L4"] as const;
export type EscalationLevel = (typeof ESCALATION_LEVELS)[number];

/** The level an alert gets when its rule sets none: warnings stay in chat (L1), critical alerts page (L2). */
export function defaultEscalation(severity: AlertingRule["labels"]["severity"]): EscalationLevel | undefined {
  if (severity === "critical") return "L2";
  if (severity === "warning") return "L1";
  return undefined;
}

export function isAlertingRule(rule: AlertingRule | RecordingRule): rule is AlertingRule {
  return "alert" in rule;
}

const PASCAL_CASE = /^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)*$/;
const SEVERITIES = new Set(["critical", "warning", "info", "none"]);

/** The problems of one alerting rule, each naming the file, the alert and the field. Empty when it is valid. */
export function alertProblems(file: string, rule: AlertingRule): string[] {
  const where = `rule file ${file}, alert ${rule.alert || "(unnamed)"}`;
  const problems: string[] = [];
  if (!PASCAL_CASE.test(rule.alert)) problems.push(`${where}: name must be <Component><Symptom> in PascalCase`);
  if (!rule.expr?.trim()) problems.push(`${where}: \`expr\` is empty`);
  if (!rule.for) problems.push(`${where}: \`for\` is missing`);
  if (!SEVERITIES.has(rule.labels?.severity))
    problems.push(
      `${where}: label \`severity\` must be critical, warning, info or none (got ${JSON.stringify(rule.labels?.severity)})`,
    );
  for (const key of ["summary", "description"] as const)
    if (!rule.annotations?.[key]?.trim()) problems.push(`${where}: annotation \`${key}\` is missing`);
  // Whoever is notified must be one click from the symptom: every alert that notifies a person links a dashboard.
  if (
    (rule.labels?.severity === "critical" || rule.labels?.severity === "warning") &&
    !rule.annotations?.dashboard_url
  ) {
    problems.push(`${where}: annotation \`dashboard_url\` is missing`);
  }
  const escalation = rule.labels?.escalation;
  if (escalation !== undefined && !(ESCALATION_LEVELS as readonly string[]).includes(escalation))
    problems.push(
      `${where}: label \`escalation\` must be one of ${ESCALATION_LEVELS.join(", ")} (got "${escalation}")`,
    );
  if (rule.annotations?.runbook_url) problems.push(`${where}: \`runbook_url\` is added by the renderer, do not set it`);
  return problems;
}

/** The rule as rendered: its runbook link and escalation level added. */
function finishAlert(settings: Settings, rule: AlertingRule): AlertingRule {
  const escalation = rule.labels.escalation ?? defaultEscalation(rule.labels.severity);
  return {
    ...rule,
    labels: { ...rule.labels, ...(escalation ? { escalation } : {}) },
    annotations: { ...rule.annotations, runbook_url: runbookUrl(settings.alerts.runbookBaseUrl, rule.alert) },
  };
}

/** Every rule file, checked and finished. Throws with every problem at once, so one run shows them all. */
export function ruleFiles(settings: Settings): RuleFile[] {
  const files = RULE_FILES.map((build) => build(settings));
  const problems: string[] = [];
  const names = new Map<string, string>();
  for (const file of files) {
    for (const rule of file.groups.flatMap((group) => group.rules)) {
      if (!isAlertingRule(rule)) continue;
      problems.push(...alertProblems(file.name, rule));
      const other = names.get(rule.alert);
      if (other !== undefined) problems.push(`alert ${rule.alert} is defined in both ${other} and ${file.name}`);
      names.set(rule.alert, file.name);
    }
  }
  if (problems.length > 0) throw new Error(`invalid alerting rules:\n${problems.map((p) => `  ${p}`).join("\n")}`);
  return files.map((file) => ({
    ...file,
    groups: file.groups.map((group) => ({
      ...group,
      rules: group.rules.map((rule) => (isAlertingRule(rule) ? finishAlert(settings, rule) : rule)),
    })),
  }));
}

/** Every alerting rule of the stack, as rendered. */
export function alertingRules(settings: Settings): AlertingRule[] {
  return ruleFiles(settings).flatMap((file) => file.groups.flatMap((group) => group.rules.filter(isAlertingRule)));
}

export const renderRuleFiles: FileRenderer = (settings) =>
  ruleFiles(settings).map((file) => ({
    path: `prometheus/rules/${file.name}.yml`,
    content: toYaml({ groups: file.groups }),
  }));
