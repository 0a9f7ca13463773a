/**
 * Generated documentation of the alerts: the part of a runbook that states the alert's definition (expression, threshold, `for`, severity). It is
 * generated from the rules with the default settings, so a runbook never disagrees with its alert: the test
 * checks each runbook contains it, and `npm run runbooks` (scripts/runbooks.ts) rewrites it.
 */
import { exploreQuery } from "../contract/links";
import { LOG_LEAD_MINUTES } from "../alertmanager/templates";
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
    ...(logs
      ? [
          "",
          `Logs: the notification's *Logs* link opens this LogQL in Grafana Explore, from ${LOG_LEAD_MINUTES} minutes before the alert:`,
          "",
          "```logql",
          logs,
          "```",
        ]
      : []),
    DEFINITION_END,
  ].join("\n");
}

/** The runbook text with its definition block replaced. Throws when the runbook has no block to replace. */
export function withDefinition(markdown: string, rule: AlertingRule): string {
  return replaceBlock(markdown, DEFINITION_START, DEFINITION_END, runbookDefinition(rule), `runbook of ${rule.alert}`);
}

export const TABLE_START = "<!-- alerts-table: generated from alerts/ by scripts/runbooks.ts, do not edit -->";
export const TABLE_END = "<!-- /alerts-table -->";

/**
 * The table of alerts of `docs/alerts.md`: name (linked to its runbook, relative to `docs/`), severity,
 * escalation, expression, `for`.
 */
export function alertTable(rules: readonly AlertingRule[]): string {
  const cell = (text: string) => text.replace(/\|/g, "\\|");
  return [
    TABLE_START,
    "| alert | severity | escalation | fires when (default settings) | for |",
    "|---|---|---|---|---|",
    ...rules.map(
      (r) =>
        `| [${r.alert}](../alerts/runbooks/${r.alert}.md) | ${r.labels.severity} | ${r.labels.escalation ?? "—"} | \`${cell(r.expr)}\` | ${r.for} |`,
    ),
    TABLE_END,
  ].join("\n");
}

/** `markdown` with the block between `start` and `end` replaced by `block` (which holds both markers). */
export function replaceBlock(markdown: string, start: string, end: string, block: string, what: string): string {
  const from = markdown.indexOf(start);
  const to = markdown.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${what} has no generated block (${start} ... ${end})`);
  return `${markdown.slice(0, from)}${block}${markdown.slice(to + end.length)}`;
}
