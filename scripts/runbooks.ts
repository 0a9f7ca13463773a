/**
 * `npm run runbooks` (also part of `npm run docs`): rewrites the definition block of every runbook in
 * `alerts/runbooks/` and the table of alerts in `docs/operator/alerts.md` from the rules as the default settings render
 * them (see `alerts/runbookDefinition.ts`).
 */
import * as fs from "fs";
import * as path from "path";
import { alertingRules } from "../alerts";
import { alertTable, replaceBlock, TABLE_END, TABLE_START, withDefinition } from "../alerts/runbookDefinition";
import { parseStackConfig } from "../settings";

const settings = parseStackConfig("dev", {}, new Set()).settings;
const dir = path.resolve(__dirname, "../alerts/runbooks");
const rules = alertingRules(settings);
for (const rule of rules) {
  const file = path.join(dir, `${rule.alert}.md`);
  if (!fs.existsSync(file)) throw new Error(`${file}: missing runbook for ${rule.alert}`);
  fs.writeFileSync(file, withDefinition(fs.readFileSync(file, "utf8"), rule));
}
const table = path.resolve(__dirname, "../docs/operator/alerts.md");
fs.writeFileSync(
  table,
  replaceBlock(fs.readFileSync(table, "utf8"), TABLE_START, TABLE_END, alertTable(rules), "docs/operator/alerts.md"),
);
console.log(`runbook definitions updated in ${dir}, table of alerts in ${table}`);
