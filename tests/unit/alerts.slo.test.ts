/** The error-budget burn-rate alerts (alerts/rules/slo.ts) as the generator writes them; promtool runs them in alerts/tests/slo*.test.yml. */
import { SLO_WINDOWS, sloErrorRatio } from "../../contract/recordingRules";
import { burnRateFactor, PAGE_PAIRS, sloRecordingRules, sloRuleFile, TICKET_PAIRS } from "../../alerts/rules/slo";
import { alertingRules, isAlertingRule } from "../../alerts";
import { parseStackConfig, settingsSchema } from "../../settings";
import { stackSettings } from "../helpers/stacks";

const dev = stackSettings("dev").settings;

describe("the error-budget burn-rate alerts", () => {
  it("use the SRE workbook's factors for a 30-day objective, and scale them with the period", () => {
    expect([...PAGE_PAIRS, ...TICKET_PAIRS].map((p) => burnRateFactor(p, 30))).toEqual([14.4, 6, 3, 1]);
    expect([...PAGE_PAIRS, ...TICKET_PAIRS].map((p) => burnRateFactor(p, 28))).toEqual([13.44, 5.6, 2.8, 0.93]);
  });

  it("record the 5xx share of requests over every window, from the backend's counters or Traefik's", () => {
    const backend = sloRecordingRules(dev);
    expect(backend.map((r) => r.record)).toEqual(SLO_WINDOWS.map(sloErrorRatio));
    expect(backend[2]).toEqual({
      record: "job:slo_errors_per_request:ratio_rate1h",
      expr: 'sum(rate(http_requests_errors_total{job="koprogo-api"}[1h])) / sum(rate(http_requests_total{job="koprogo-api"}[1h]))',
      labels: { job: "koprogo-api" },
    });
    const traefik = sloRecordingRules(stackSettings("prod").settings);
    expect(traefik[0].expr).toBe(
      'sum(rate(traefik_service_requests_total{job="traefik", service=~".*backend.*", code=~"5.."}[5m])) / sum(rate(traefik_service_requests_total{job="traefik", service=~".*backend.*"}[5m]))',
    );
  });

  it("page on the fast pairs and open a chat ticket on the slow ones, from the configured objective", () => {
    const settings = settingsSchema.parse({ environment: "dev", alerts: { slo: { availability: 0.995 } } });
    const [fast, slow] = sloRuleFile(settings).groups[1].rules.filter(isAlertingRule);
    expect(fast.labels.severity).toBe("critical");
    expect(fast.expr).toBe(
      '(job:slo_errors_per_request:ratio_rate1h{job="koprogo-api"} / 0.005 > 14.4 and job:slo_errors_per_request:ratio_rate5m{job="koprogo-api"} / 0.005 > 14.4) or (job:slo_errors_per_request:ratio_rate6h{job="koprogo-api"} / 0.005 > 6 and job:slo_errors_per_request:ratio_rate30m{job="koprogo-api"} / 0.005 > 6)',
    );
    expect(slow.labels.severity).toBe("warning");
    expect(alertingRules(dev).map((r) => r.alert)).toEqual(
      expect.arrayContaining(["ApiErrorBudgetBurnFast", "ApiErrorBudgetBurnSlow", "HighErrorRate"]),
    );
  });

  it.each([
    [{ availability: 1 }, "alerts.slo.availability", "must be below 1"],
    [{ availability: 0.5 }, "alerts.slo.availability", "must be above 0.9"],
    [{ windowDays: 3 }, "alerts.slo.windowDays", "must be at least 7"],
    [{ window: 30 }, "alerts.slo", "window"],
  ])("refuses alerts.slo %j, naming the key", (slo, key, message) => {
    expect(() => parseStackConfig("dev", { alerts: { slo } }, new Set())).toThrow(key);
    expect(() => parseStackConfig("dev", { alerts: { slo } }, new Set())).toThrow(message);
  });
});
