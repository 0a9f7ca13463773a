/**
 * The Alertmanager behaviour the scenarios' clean slate (`waitForCleanSlate`, e2e/scenarios.ts) guards against,
 * on the real Alertmanager at the deployed version: an alert that fires, resolves and fires again before the
 * resolved notification went out (within `group_interval`) is, to the notification log, the same firing set as
 * the last notification, so nothing is sent until the repeat interval. A benchmark run whose alert had fired
 * before its fault would wait for that repeat (1h for critical alerts) and time out.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { postAlerts } from "../../e2e/prometheusApi";
import { freePort, sleep, startProcess, waitHttpOk, type ManagedProcess } from "../../e2e/processes";
import { Receivers } from "../../e2e/receivers";
import { toYaml } from "../../render/yaml";
import { describeWithTools, toolPath } from "../helpers/tools";

const ALERTMANAGER = toolPath("alertmanager");
const GROUP_INTERVAL_S = 3;

describeWithTools("Alertmanager's notification log and a re-firing alert", [ALERTMANAGER], () => {
  const receivers = new Receivers();
  let dir: string;
  let alertmanager: ManagedProcess | undefined;
  let alertmanagerEndpoint: { url: string };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "clean-slate-"));
    await receivers.start();
    fs.writeFileSync(
      path.join(dir, "alertmanager.yml"),
      toYaml({
        route: {
          receiver: "pager",
          group_by: ["alertname"],
          group_wait: "0s",
          group_interval: `${GROUP_INTERVAL_S}s`,
          repeat_interval: "1h",
        },
        receivers: [{ name: "pager", webhook_configs: [{ url: receivers.url("pager"), send_resolved: true }] }],
      }),
    );
    const address = `127.0.0.1:${await freePort()}`;
    alertmanagerEndpoint = { url: `http://${address}` };
    alertmanager = startProcess({
      name: "alertmanager-clean-slate",
      command: ALERTMANAGER,
      args: [
        `--config.file=${path.join(dir, "alertmanager.yml")}`,
        `--storage.path=${path.join(dir, "data")}`,
        `--web.listen-address=${address}`,
        "--cluster.listen-address=",
      ],
      logDir: dir,
    });
    await waitHttpOk(`${alertmanagerEndpoint.url}/-/ready`, alertmanager);
  }, 30_000);

  afterAll(async () => {
    await alertmanager?.stop();
    await receivers.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("stays silent for an alert that fires again before its resolved notification, and speaks once the slate is clean", async () => {
    const labels = { alertname: "DatabaseDown" };
    const alert = (startsAt: Date, endsAt?: Date) => ({
      labels,
      annotations: {},
      startsAt: startsAt.toISOString(),
      ...(endsAt ? { endsAt: endsAt.toISOString() } : {}),
      generatorURL: "http://127.0.0.1/",
    });
    const first = new Date();
    await postAlerts(alertmanagerEndpoint, [alert(first)]);
    await sleep(500);
    await postAlerts(alertmanagerEndpoint, [alert(first, new Date())]);
    // Fires again before the group's next flush: the resolved notification has not gone out.
    const again = new Date();
    await postAlerts(alertmanagerEndpoint, [alert(again)]);
    // Three group intervals, the alert re-sent as Prometheus does: no notification after the first one.
    for (let i = 0; i < 3; i++) {
      await sleep(GROUP_INTERVAL_S * 1000);
      await postAlerts(alertmanagerEndpoint, [alert(again)]);
    }
    expect(receivers.about("DatabaseDown").map((n) => n.payload.status)).toEqual(["firing"]);
    expect(receivers.lastSaysFiring("pager", "DatabaseDown")).toBe(true);

    // Resolved and told so: the next firing is a new notification at once.
    await postAlerts(alertmanagerEndpoint, [alert(again, new Date())]);
    await sleep(GROUP_INTERVAL_S * 1000 + 1500);
    expect(receivers.lastSaysFiring("pager", "DatabaseDown")).toBe(false);
    const fault = Date.now();
    await postAlerts(alertmanagerEndpoint, [alert(new Date())]);
    await sleep(1500);
    expect(receivers.first("pager", "DatabaseDown", "firing", fault)).toBeDefined();
  }, 60_000);
});
