/**
 * `npm run docs`: writes what the documentation generates from the code, the same text the tests compare
 * (`tests/docs.generated.test.ts`): `docs/operator/configuration.md` from the settings schema and the README's
 * architecture diagram from the prod stack. (`npm run docs` runs `scripts/runbooks.ts` first, for the runbooks'
 * definitions and the table of `docs/operator/alerts.md`.)
 */
import * as fs from "fs";
import * as path from "path";
import { generatedDocs } from "./docs/generatedDocs";

const projectDir = path.resolve(__dirname, "..");
for (const { file, content } of generatedDocs(projectDir)) {
  fs.mkdirSync(path.dirname(path.join(projectDir, file)), { recursive: true });
  fs.writeFileSync(path.join(projectDir, file), content);
  console.log(`wrote ${file}`);
}
