/**
 * End to end on real servers: Prometheus, Alertmanager, node and PostgreSQL exporters at the deployed versions
 * (built from their Go modules into the tool cache, toolchain/) and a throw-away
 * PostgreSQL 15, all on 127.0.0.1, running the configuration the render produces for the e2e profile. Each fault
 * runs in a lane of its own, all lanes at once, so the whole file takes about as long as its slowest scenario.
 */
import { FOR } from "../../../alerts/config";
import { dashboardUrl } from "../../../contract/dashboards";
import { runbookUrl } from "../../../contract/links";
import { dashboardQueries } from "../../../e2e/dashboardQueries";
import { startWatchdog, waitFor } from "../../../e2e/processes";
import { instantQuery, prometheusAlerts, ruleHealth, targets } from "../../../e2e/prometheusApi";
import type { ReceivedNotification, ReceiverRole } from "../../../e2e/receivers";
import {
  apiDownScenario,
  databaseDownScenario,
  highErrorRateScenario,
  slowApiScenario,
  type NotifyOutcome,
} from "../../../e2e/scenarios";
import { e2eSettings } from "../../../e2e/settings";
import { E2eStack, e2eSecrets, type Lane } from "../../../e2e/stack";
import { e2eSkipReason } from "../../../e2e/tools";
import { renderAll } from "../../../stack/files";
import { durationToMs } from "../../../settings";

const skipReason = e2eSkipReason();
if (skipReason) console.warn(`e2e alerting tests skipped: ${skipReason}`);
const describeE2e = skipReason ? describe.skip : describe;

/** The alerts each lane may notify, and nothing else. */
const EXPECTED_ALERTS: Record<string, readonly string[]> = {
  "api-down": ["ApiDown", "Watchdog"],
  "database-down": ["DatabaseDown", "Watchdog"],
  "error-rate": ["HighErrorRate", "Watchdog"],
  "slow-api": ["SlowApi", "Watchdog"],
};

const SCENARIO_TIMEOUT = 300_000;

/** The rendered dashboards' queries (addresses do not change them). Empty until the dashboards renderer is merged. */
const DASHBOARD_QUERIES = dashboardQueries(
  renderAll(
    e2eSettings({
      addresses: {
        prometheus: "127.0.0.1:9090",
        alertmanager: "127.0.0.1:9093",
        nodeExporter: "127.0.0.1:9100",
        postgresExporter: "127.0.0.1:9187",
        stubTarget: "127.0.0.1:1",
        api: "127.0.0.1:8080",
        postgres: "127.0.0.1:5432",
      },
      receiverUrl: (role) => `http://127.0.0.1:1/${role}`,
    }),
    e2eSecrets(),
  ),
);

describeE2e("alerting end to end", () => {
  let stack: E2eStack | undefined;
  let cancelWatchdog = () => {};
  const lanes: Record<string, Lane> = {};
  const scenarios: Record<string, Promise<NotifyOutcome>> = {};
  const targetsDown: Record<string, unknown[]> = {};

  beforeAll(async () => {
    cancelWatchdog = startWatchdog(8 * 60_000, "the e2e alerting tests");
    stack = await E2eStack.start();
    const [outageDb, sharedDb] = await Promise.all([stack.database(), stack.database()]);
    const started = await Promise.all([
      stack.lane("api-down", sharedDb),
      stack.lane("database-down", outageDb),
      stack.lane("error-rate", sharedDb),
      stack.lane("slow-api", sharedDb),
    ]);
    for (const lane of started) lanes[lane.name] = lane;
    // Before any fault: every target of every lane up (a lane's scenario takes its API down at once).
    await Promise.all(
      started.map(async (lane) => {
        targetsDown[lane.name] = await waitFor(
          `every target up in ${lane.name}`,
          async () => {
            const list = await targets(lane.prometheus);
            return list.length > 0 && list.every((t) => t.health === "up") ? [] : undefined;
          },
          20_000,
        ).catch(async () => (await targets(lane.prometheus)).filter((t) => t.health !== "up"));
      }),
    );
    // Started here, awaited by the tests: the scenarios run at the same time, the tests read their outcome in turn.
    scenarios.apiDown = apiDownScenario(lanes["api-down"], { resolve: true });
    scenarios.databaseDown = databaseDownScenario(lanes["database-down"], { resolve: true });
    scenarios.highErrorRate = highErrorRateScenario(lanes["error-rate"]);
    scenarios.slowApi = slowApiScenario(lanes["slow-api"]);
    // A failure is reported by the test that awaits it, not as an unhandled rejection.
    for (const outcome of Object.values(scenarios)) outcome.catch(() => undefined);
  }, 120_000);

  afterAll(async () => {
    try {
      await stack?.stop();
    } finally {
      cancelWatchdog();
    }
  }, 60_000);

  const settingsOf = (lane: string) => lanes[lane].settings;

  /** Asserts the notification says what and where: severity, summary, description, runbook, dashboard and logs links. */
  function expectActionable(
    notification: ReceivedNotification | undefined,
    alertname: string,
    dashboard: Parameters<typeof dashboardUrl>[1],
    lane: string,
  ) {
    expect(notification).toBeDefined();
    const alert = notification!.payload.alerts.find((a) => a.labels.alertname === alertname)!;
    const { alerts: alertSettings } = settingsOf(lane);
    expect(alert.annotations.summary).toEqual(expect.any(String));
    expect(alert.annotations.description).toEqual(expect.stringMatching(/\S/));
    expect(alert.annotations.runbook_url).toBe(runbookUrl(alertSettings.runbookBaseUrl, alertname));
    expect(alert.annotations.dashboard_url).toBe(dashboardUrl(alertSettings.grafanaUrl, dashboard));
    expect(alert.annotations.logs_url).toMatch(/^https?:\/\/.+\/explore\?/);
  }

  const seconds = (ms: number) => ms / 1000;

  test("renders a configuration Prometheus loads whole: every rule healthy, every target up", async () => {
    for (const lane of Object.values(lanes)) {
      const health = await ruleHealth(lane.prometheus);
      expect(health.alerting).toBeGreaterThan(5);
      expect(health.unhealthy).toEqual([]);
      expect({ lane: lane.name, down: targetsDown[lane.name] }).toEqual({ lane: lane.name, down: [] });
    }
  });

  /**
   * A critical outage: the alert at pager, chat and SMS never before its `for` and at most `slackSeconds` after it
   * (the e2e intervals are 1 s), actionable, then resolved at all three within 30 s of the repair.
   */
  async function expectCriticalOutage(
    outcome: NotifyOutcome,
    alertname: string,
    dashboard: Parameters<typeof dashboardUrl>[1],
    lane: string,
    forDuration: string,
    slackSeconds: number,
  ) {
    const forSeconds = durationToMs(forDuration) / 1000;
    for (const role of ["pager", "chat", "sms"] as const) {
      const fired = outcome.fired[role]!;
      expectActionable(fired, alertname, dashboard, lane);
      expect(fired.payload.alerts.find((a) => a.labels.alertname === alertname)!.labels.severity).toBe("critical");
      expect(seconds(fired.at - outcome.faultAt)).toBeGreaterThanOrEqual(forSeconds);
      expect(seconds(fired.at - outcome.faultAt)).toBeLessThan(forSeconds + slackSeconds);
      const resolved = outcome.resolved![role]!;
      expect(resolved.payload.alerts.find((a) => a.labels.alertname === alertname)!.status).toBe("resolved");
      expect(seconds(resolved.at - outcome.repairedAt!)).toBeLessThan(30);
    }
  }

  test(
    "the API process stops: ApiDown reaches the pager, chat and SMS after its 1m `for`, with runbook and dashboard links, then resolves",
    async () => {
      expect(FOR.apiDown).toBe("1m");
      await expectCriticalOutage(await scenarios.apiDown, "ApiDown", "apiOverview", "api-down", FOR.apiDown, 15);
    },
    SCENARIO_TIMEOUT,
  );

  test(
    "PostgreSQL stops while its exporter runs: DatabaseDown reaches the pager, chat and SMS after its 30s `for`, then resolves",
    async () => {
      expect(FOR.databaseDown).toBe("30s");
      await expectCriticalOutage(
        await scenarios.databaseDown,
        "DatabaseDown",
        "postgresql",
        "database-down",
        FOR.databaseDown,
        15,
      );
    },
    SCENARIO_TIMEOUT,
  );

  test(
    "the API answers 5xx at 20/s: HighErrorRate goes pending on the live metrics and, fired, reaches the pager, chat and SMS",
    async () => {
      const outcome = await scenarios.highErrorRate;
      expect(outcome.pending!.labels).toMatchObject({
        alertname: "HighErrorRate",
        severity: "critical",
        job: "koprogo-api",
      });
      expect(Number(outcome.pending!.value)).toBeGreaterThan(
        settingsOf("error-rate").alerts.thresholds.errorsPerSecond,
      );
      for (const role of ["pager", "chat", "sms"] as const)
        expectActionable(outcome.fired[role], "HighErrorRate", "apiOverview", "error-rate");
    },
    SCENARIO_TIMEOUT,
  );

  test(
    "the API gets slow: SlowApi goes pending on the live latency histogram and, fired, reaches the chat only",
    async () => {
      const outcome = await scenarios.slowApi;
      expect(outcome.pending!.labels).toMatchObject({ alertname: "SlowApi", severity: "warning", job: "koprogo-api" });
      expect(Number(outcome.pending!.value)).toBeGreaterThan(
        settingsOf("slow-api").alerts.thresholds.latencyP99Seconds,
      );
      expectActionable(outcome.fired.chat, "SlowApi", "apiOverview", "slow-api");
    },
    SCENARIO_TIMEOUT,
  );

  test(
    "the Watchdog keeps arriving at the dead man's switch, and only there",
    async () => {
      await Promise.allSettled(Object.values(scenarios));
      for (const lane of Object.values(lanes)) {
        const pings = lane.receivers.received.filter((n) => n.role === "watchdog");
        expect(pings.length).toBeGreaterThanOrEqual(2);
        expect(pings.every((n) => n.payload.alerts.every((a) => a.labels.alertname === "Watchdog"))).toBe(true);
      }
    },
    SCENARIO_TIMEOUT,
  );

  if (DASHBOARD_QUERIES.length === 0) {
    test.todo("every dashboard query returns data (no dashboard is rendered yet: grafana/dashboards/*.json)");
  } else {
    test(
      "every dashboard query returns data where the e2e stack runs its source, and every query is valid PromQL",
      async () => {
        // The error-rate lane has seen every kind of request (2xx, 4xx, 5xx) by the end of its scenario.
        await scenarios.highErrorRate.catch(() => undefined);
        const { prometheus } = lanes["error-rate"];
        const problems: string[] = [];
        for (const query of DASHBOARD_QUERIES) {
          const where = `${query.dashboard} / ${query.panel}: ${query.raw}`;
          try {
            const result = await instantQuery(prometheus, query.expr);
            if (result.length > 0 || query.exempt) continue;
            // A filter (`… > 1`) may rightly return nothing; the series it filters must exist.
            if (query.unfiltered && (await instantQuery(prometheus, query.unfiltered)).length > 0) continue;
            problems.push(`${where}: no data`);
          } catch (error) {
            problems.push(`${where}: ${(error as Error).message}`);
          }
        }
        expect(problems).toEqual([]);
      },
      SCENARIO_TIMEOUT,
    );
  }

  test(
    "nothing reaches a receiver it should not",
    async () => {
      await Promise.allSettled(Object.values(scenarios));
      for (const lane of Object.values(lanes)) {
        const expected = EXPECTED_ALERTS[lane.name];
        // The budget alerts may fire in the error-rate lane (its faults burn the error budget on every window) and in
        // the slow lane (every request over the latency threshold burns the latency budget), or not yet, by timing:
        // they are neither required nor refused here; their timing is proven by promtool (alerts/tests/slo*.test.yml)
        // and on lanes with hours of history (tests/lab/alerts.sloPaging.test.ts).
        // HostOomKill reads the machine's own kernel counter (the node exporter runs on the real /proc): a
        // memory-limited container of another suite killed by its cgroup raises it, so outside a lane that expects it
        // it says nothing of this stack and is neither required nor refused either.
        const burn = (name: string) =>
          /^Api(Error|Latency)BudgetBurn/.test(name) || (name === "HostOomKill" && !expected.includes(name));
        const received = lane.receivers.alertnamesByRole();
        const got = Object.fromEntries(
          Object.entries(received).map(([role, names]) => [role, names.filter((name) => !burn(name))]),
        ) as typeof received;
        const allowed = (role: ReceiverRole) => expected.filter((name) => expectedRoles(name).includes(role)).sort();
        const stillPendingElsewhere = (await prometheusAlerts(lane.prometheus)).filter(
          (a) => a.state === "firing" && !expected.includes(a.labels.alertname) && !burn(a.labels.alertname),
        );
        expect({ lane: lane.name, got, firingElsewhere: stillPendingElsewhere.map((a) => a.labels.alertname) }).toEqual(
          {
            lane: lane.name,
            got: { pager: allowed("pager"), chat: allowed("chat"), sms: allowed("sms"), watchdog: allowed("watchdog") },
            firingElsewhere: [],
          },
        );
      }
    },
    SCENARIO_TIMEOUT,
  );
});

/** Where an alert of the e2e scenarios must go. */
function expectedRoles(alertname: string): ReceiverRole[] {
  if (alertname === "Watchdog") return ["watchdog"];
  if (alertname === "SlowApi") return ["chat"];
  return ["pager", "chat", "sms"];
}
