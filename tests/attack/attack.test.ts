import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AttackLab } from "../../e2e/attack/lab";
import { attackSettings } from "../../e2e/attack/settings";
import { curlIn } from "../../e2e/attack/curl";
import { e2eSecrets, writeRendered } from "../../e2e/stack";
import { declareStack } from "../helpers/declaredStack";
import { installPulumiMocks } from "../helpers/pulumiMocks";

const mocks = installPulumiMocks("koprogo-observability", "prod");
const SUBNET16 = "10.230";

describe("attack suite", () => {
  let lab: AttackLab | undefined;
  afterAll(async () => {
    await lab?.stop({ keepFiles: true });
  }, 30_000);

  test("smoke", async () => {
    const settings = attackSettings(SUBNET16);
    const declared = await declareStack(mocks, settings, e2eSecrets());
    console.log(JSON.stringify(declared.containers.map((c) => [c.name, c.networks, c.networkMode]), null, 0));
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "koprogo-attack-"));
    writeRendered(settings, path.join(workDir, "config"));
    lab = await AttackLab.start({ declared, settings, renderDir: path.join(workDir, "config"), workDir, prefix: "katk-", subnet16: SUBNET16 });
    console.log(await curlIn(lab.applicationNetns, { url: "http://koprogo-obs-prometheus:9090/api/v1/query?query=up" }));
  }, 120_000);
});
