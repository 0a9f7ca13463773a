/**
 * The part of a runbook that states the alert's definition (expression, threshold, `for`, severity). It is
 * generated from the rules with the default settings, so a runbook never disagrees with its alert: the test
 * checks each runbook contains it, and `npx ts-node --transpile-only scripts/runbooks.ts` rewrites it.
 */
import { exploreQuery } from "../contract/links";
import { LOG_LEAD_MINUTES } from "./templates";
import type { AlertingRule } from "./types";

export const DEFINITION_START = "<!-- definition: generated from alerts/ by scripts/runbooks.ts, do not edit -->";
export const DEFINITION_END = "<!-- /definition -->";

export function runbookDefinition(rule: AlertingRule): string {
  const escalation = rule.labels.escalation ? ` (escalation ${rule.labels.escalation})` : "";
  const logs = rule.annotations.logs_url ? exploreQuery(rule.annotations.logs_url) : undefined;
  const dashboard = rule.annotations.dashboard_url ? new URL(rule.annotations.dashboard_url).pathname : undefined;
  return [
    DEFINITION_START,
    `Severity **${rule.labels.severity}**${escalation}; fires when the expression holds for **${rule.for}** (default settings):`,
    "",
    "```promql",
    rule.expr,
    "```",
    ...(dashboard ? ["", `Dashboard: \`${dashboard}\` (the notification's *Dashboard* link).`] : []),
    ...(logs ? ["", `Logs: the notification's *Logs* link opens this LogQL in Grafana Explore, from ${LOG_LEAD_MINUTES} minutes before the alert:`, "", "```logql", logs, "```"] : []),
    DEFINITION_END,
  ].join("\n");
}

/** The runbook text with its definition block replaced. Throws when the runbook has no block to replace. */
export function withDefinition(markdown: string, rule: AlertingRule): string {
  const start = markdown.indexOf(DEFINITION_START);
  const end = markdown.indexOf(DEFINITION_END);
  if (start < 0 || end < start) throw new Error(`runbook of ${rule.alert} has no definition block (${DEFINITION_START} ... ${DEFINITION_END})`);
  return `${markdown.slice(0, start)}${runbookDefinition(rule)}${markdown.slice(end + DEFINITION_END.length)}`;
}
