/**
 * `npm run attack`: the monitoring plane attacked from the application's network and from the internet, on the
 * real Prometheus, Alertmanager and exporters (deployed versions, rendered prod configuration, the containers'
 * own command lines) in network namespaces built from the program's own network assignment. See
 * docs/developer/attack-suite.md.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ATTEMPTS } from "../../../e2e/attack/attempts";
import type { AttackContext } from "../../../e2e/attack/context";
import { harnessCredentials } from "../../../e2e/attack/credentials";
import { AttackLab } from "../../../e2e/attack/lab";
import { attackSettings } from "../../../e2e/attack/settings";
import { runAttempts, summaryLine, verdictLine, waitUntilServing, type Verdict } from "../../../e2e/attack/suite";
import { startWatchdog } from "../../../e2e/processes";
import { e2eSecrets, writeRendered } from "../../../e2e/stack";
import { toolPath } from "../../../toolchain/cache";
import { declareStack } from "../../helpers/declaredStack";
import { installPulumiMocks } from "../../helpers/pulumiMocks";
import { attackJudges, traefikBinary } from "../../helpers/attackJudges";
import { DEPLOYED_FAIL2BAN } from "../../helpers/fail2ban";
import { describeWithTools } from "../../helpers/tools";

const mocks = installPulumiMocks("koprogo-observability", "prod");
/** This suite's namespaces and addresses (no other test uses them). */
const PREFIX = "katk-";
const SUBNET16 = "10.230";
const TOOLS = [
  toolPath("prometheus"),
  toolPath("alertmanager"),
  toolPath("nodeExporter"),
  toolPath("postgresExporter"),
  "ip",
  "curl",
  "unshare",
  "setpriv",
  "ping",
  "crowdsec",
  "cscli",
  traefikBinary(),
  ...DEPLOYED_FAIL2BAN.requires,
];

/** Namespaces need root: elsewhere than CI a non-root run is skipped with the reason, as the e2e harness does. */
const notRoot = typeof process.getuid === "function" && process.getuid() !== 0;
if (notRoot && process.env.CI !== "true")
  console.warn("attack suite skipped: it creates network namespaces and needs root");
const describeAttack =
  notRoot && process.env.CI !== "true"
    ? describe.skip
    : (title: string, body: () => void) => describeWithTools(title, TOOLS, body);

describeAttack("attack suite (the monitoring plane from the application's network and the internet)", () => {
  let lab: AttackLab | undefined;
  let verdicts: Verdict[] = [];
  let cancelWatchdog = () => {};

  beforeAll(async () => {
    if (typeof process.getuid === "function" && process.getuid() !== 0)
      throw new Error("the attack suite creates network namespaces: run it as root");
    cancelWatchdog = startWatchdog(290_000, "the attack suite");
    const settings = attackSettings(SUBNET16);
    const secrets = e2eSecrets();
    const declared = await declareStack(mocks, settings, secrets);
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "koprogo-attack-"));
    const renderDir = path.join(workDir, "config");
    writeRendered(settings, renderDir);
    lab = await AttackLab.start({ declared, settings, renderDir, workDir, prefix: PREFIX, subnet16: SUBNET16 });
    // CrowdSec on the host, as its unit starts it: the rendered drop-ins' ExecStartPre (its metrics firewall rule), then a stand-in.
    const dropIns = path.join(renderDir, "crowdsec/systemd/crowdsec.service.d");
    const crowdsecDropIns = fs.existsSync(dropIns)
      ? fs
          .readdirSync(dropIns)
          .filter((f) => f.endsWith(".conf"))
          .map((f) => path.join(dropIns, f))
      : [];
    await lab.hostAgent(
      "crowdsec",
      `${settings.security.crowdsec.metrics.listenAddress}:${settings.security.crowdsec.metrics.port}`,
      crowdsecDropIns,
    );
    const ctx: AttackContext = {
      lab,
      settings,
      declared,
      renderDir,
      workDir,
      secrets,
      credentials: harnessCredentials(secrets),
      judges: attackJudges(settings, workDir),
    };
    await waitUntilServing(ctx, ["prometheus", "alertmanager", "node", "postgresql"]);
    verdicts = await runAttempts(ATTEMPTS, ctx);
    console.log(
      [
        ...verdicts.map(verdictLine),
        `kernel preconditions of every network attempt (lab host namespace): ${lab.net.kernel.join("; ")}`,
        summaryLine(verdicts),
      ].join("\n"),
    );
  }, 280_000);

  afterAll(async () => {
    try {
      // KOPROGO_KEEP_ATTACK=1 keeps the lab's files (logs, rendered configuration) for a look after a failure.
      await lab?.stop({ keepFiles: process.env.KOPROGO_KEEP_ATTACK === "1" });
    } finally {
      cancelWatchdog();
    }
  }, 30_000);

  test("makes at least 40 attempts, none of which succeeds", () => {
    expect(verdicts.length).toBeGreaterThanOrEqual(40);
    expect(summaryLine(verdicts)).toMatch(/^attack suite: \d+ attempts, 0 succeeded, \d+ checked on config only$/);
  });

  test.each(ATTEMPTS.map((a) => [a.id, a] as const))("%s fails for the attacker and works for the harness", (id) => {
    const verdict = verdicts.find((v) => v.attempt.id === id)!;
    expect({ id, succeeded: verdict.succeeded, detail: verdict.detail }).toEqual({
      id,
      succeeded: false,
      detail: verdict.detail,
    });
    expect({ id, harness: verdict.harness }).toEqual({ id, harness: { ...verdict.harness, ok: true } });
  });
});
