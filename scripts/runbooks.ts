/**
 * `npx ts-node --transpile-only scripts/runbooks.ts`: rewrites the definition block of every runbook in
 * `alerts/runbooks/` from the rules as the default settings render them (see `alerts/runbookDefinition.ts`).
 */
import * as fs from "fs";
import * as path from "path";
import { alertingRules } from "../alerts";
import { withDefinition } from "../alerts/runbookDefinition";
import { parseStackConfig } from "../settings";

const settings = parseStackConfig("dev", {}, new Set()).settings;
const dir = path.resolve(__dirname, "../alerts/runbooks");
for (const rule of alertingRules(settings)) {
  const file = path.join(dir, `${rule.alert}.md`);
  if (!fs.existsSync(file)) throw new Error(`${file}: missing runbook for ${rule.alert}`);
  fs.writeFileSync(file, withDefinition(fs.readFileSync(file, "utf8"), rule));
}
console.log(`runbook definitions updated in ${dir}`);
