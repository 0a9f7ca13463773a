/** Alertmanager: silences, fake alerts, its configuration, its reload. */
import { harnessCall } from "../context";
import { type Attempt } from "./types";
import { applicationAttempt, fromApplication, json, reloadBySignal } from "./common";

function silenceBody(comment: string) {
  const now = Date.now();
  return {
    matchers: [{ name: "alertname", value: ".+", isRegex: true, isEqual: true }],
    startsAt: new Date(now).toISOString(),
    endsAt: new Date(now + 365 * 86_400_000).toISOString(),
    createdBy: "attacker",
    comment,
  };
}

export const ALERTMANAGER_ATTEMPTS: readonly Attempt[] = [
  applicationAttempt({
    id: "am-silence-all",
    title: 'silence every alert (POST /api/v2/silences, alertname=~".+")',
    phase: 2,
    service: "alertmanager",
    request: (base) => ({ method: "POST", url: `${base}/api/v2/silences`, ...json(silenceBody("attack suite")) }),
    // The operators' maintenance window: the same POST signed in, then its DELETE, so no silence stays behind.
    harness: async (ctx) => {
      const legit = await harnessCall(ctx, "alertmanager", {
        method: "POST",
        path: "/api/v2/silences",
        ...json(silenceBody("harness: maintenance window")),
      });
      if (!legit.ok || legit.outcome?.kind !== "http") return legit;
      const { silenceID } = JSON.parse(legit.outcome.body) as { silenceID: string };
      const expire = await harnessCall(ctx, "alertmanager", { method: "DELETE", path: `/api/v2/silence/${silenceID}` });
      return {
        ok: expire.ok,
        detail: `${legit.detail}, then DELETE of that silence: ${expire.detail.split(": ").pop()}`,
      };
    },
  }),
  {
    id: "am-fake-alert",
    title: "page the on-call with a fake critical alert (POST /api/v2/alerts)",
    from: "the application's network",
    mode: "network",
    phase: 2,
    async run(ctx) {
      const fake = [
        {
          labels: { alertname: "ApiDown", severity: "critical", job: "koprogo-api" },
          annotations: { summary: "fake" },
        },
      ];
      const attempt = await fromApplication(ctx, "alertmanager", (base) => ({
        method: "POST",
        url: `${base}/api/v2/alerts`,
        ...json(fake),
      }));
      // Prometheus is the one client that posts alerts: the same POST from its namespace, with its credentials.
      const test = [
        {
          labels: { alertname: "AttackSuiteHarness", severity: "none" },
          annotations: { summary: "the harness posts as Prometheus does" },
        },
      ];
      return {
        ...attempt,
        harness: await harnessCall(ctx, "alertmanager", {
          method: "POST",
          path: "/api/v2/alerts",
          from: "prometheus",
          ...json(test),
        }),
      };
    },
  },
  {
    id: "am-read-alerts",
    title: "read the alerts and silences (GET /api/v2/alerts, /api/v2/silences)",
    from: "the application's network",
    mode: "network",
    phase: 1,
    async run(ctx) {
      const [alerts, silences] = await Promise.all([
        fromApplication(ctx, "alertmanager", (base) => ({ url: `${base}/api/v2/alerts` })),
        fromApplication(ctx, "alertmanager", (base) => ({ url: `${base}/api/v2/silences` })),
      ]);
      return {
        succeeded: alerts.succeeded || silences.succeeded,
        detail: `alerts: ${alerts.detail} | silences: ${silences.detail}`,
        harness: await harnessCall(ctx, "alertmanager", { path: "/api/v2/silences" }),
      };
    },
  },
  applicationAttempt({
    id: "am-read-config",
    title: "read Alertmanager's configuration and receivers (GET /api/v2/status)",
    service: "alertmanager",
    request: (base) => ({ url: `${base}/api/v2/status` }),
    harness: (ctx) => harnessCall(ctx, "alertmanager", { path: "/api/v2/status" }),
  }),
  applicationAttempt({
    id: "am-reload",
    title: "make Alertmanager reload (POST /-/reload)",
    phase: 2,
    service: "alertmanager",
    request: (base) => ({ method: "POST", url: `${base}/-/reload` }),
    harness: (ctx) => reloadBySignal(ctx, "alertmanager"),
  }),
];
