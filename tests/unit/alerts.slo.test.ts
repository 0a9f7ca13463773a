/** The error-budget burn-rate alerts (alerts/rules/slo.ts) as the generator writes them; promtool runs them in alerts/tests/slo*.test.yml. */
import { SLO_WINDOWS, sloErrorRatio, sloSlowRatio } from "../../contract/recordingRules";
import { REQUEST_LATENCY_BUCKETS } from "../../contract/backendMetrics";
import {
  burnRateFactor,
  leMatcher,
  PAGE_PAIRS,
  sloPeriodRules,
  sloRecordingRules,
  sloRuleFile,
  TICKET_PAIRS,
} from "../../alerts/rules/slo";
import { alertingRules, isAlertingRule } from "../../alerts";
import { monitoringConfig } from "../../alerts/config";
import { DEFAULT_LATENCY_THRESHOLD_SECONDS } from "../../settings/alerting";
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
    expect(backend.map((r) => r.record)).toEqual([...SLO_WINDOWS.map(sloErrorRatio), ...SLO_WINDOWS.map(sloSlowRatio)]);
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
    const [fast, slow] = sloRuleFile(settings).groups[2].rules.filter(isAlertingRule);
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
    [{ latency: { objective: 1 } }, "alerts.slo.latency.objective", "must be below 1"],
    [{ latency: { thresholdSeconds: 0.3 } }, "alerts.slo.latency.thresholdSeconds", "one of 0.005, 0.01, 0.025, 0.05"],
    [{ latency: { thresholdSeconds: -1 } }, "alerts.slo.latency.thresholdSeconds", "must be more than zero"],
    [{ latency: { threshold: 1 } }, "alerts.slo.latency", "threshold"],
  ])("refuses alerts.slo %j, naming the key", (slo, key, message) => {
    expect(() => parseStackConfig("dev", { alerts: { slo } }, new Set())).toThrow(key);
    expect(() => parseStackConfig("dev", { alerts: { slo } }, new Set())).toThrow(message);
  });
});

describe("the latency objective", () => {
  const traefik = (latency: object) =>
    parseStackConfig("dev", { alerts: { requestMetricsSource: "traefik", slo: { latency } } }, new Set()).settings;

  it("defaults to a bound of each source's histogram: 0.25 s for the backend, 0.3 s for Traefik", () => {
    expect(monitoringConfig(dev).latencyThresholdSeconds).toBe(0.25);
    expect(monitoringConfig(traefik({})).latencyThresholdSeconds).toBe(0.3);
    expect(dev.alerts.slo.latency).toEqual({ objective: 0.99 });
    for (const source of ["backend", "traefik"] as const)
      expect(REQUEST_LATENCY_BUCKETS[source]).toContain(DEFAULT_LATENCY_THRESHOLD_SECONDS[source]);
  });

  it.each(REQUEST_LATENCY_BUCKETS.traefik.map((bound) => [bound]))("takes Traefik's bucket bound %p", (bound) => {
    expect(monitoringConfig(traefik({ thresholdSeconds: bound })).latencyThresholdSeconds).toBe(bound);
  });

  it("refuses a threshold between Traefik's bounds, listing the valid ones", () => {
    expect(() => traefik({ thresholdSeconds: 0.25 })).toThrow(
      "alerts.slo.latency.thresholdSeconds: must be a bucket bound of the traefik request histogram (alerts.requestMetricsSource: traefik), one of 0.1, 0.3, 1.2, 5 seconds",
    );
  });

  it("records the share of requests over the threshold from its bucket and the +Inf one, per source", () => {
    const backend = sloRecordingRules(dev).find((r) => r.record === sloSlowRatio("1h"))!;
    expect(backend.expr).toBe(
      '1 - sum(rate(http_request_duration_seconds_bucket{job="koprogo-api", le="0.25"}[1h])) / sum(rate(http_request_duration_seconds_bucket{job="koprogo-api", le="+Inf"}[1h]))',
    );
    const fromTraefik = sloRecordingRules(traefik({ thresholdSeconds: 5 })).find(
      (r) => r.record === sloSlowRatio("5m"),
    )!;
    expect(fromTraefik.expr).toBe(
      '1 - sum(rate(traefik_service_request_duration_seconds_bucket{job="traefik", service=~".*backend.*", le=~"5(\\\\.0)?"}[5m])) / sum(rate(traefik_service_request_duration_seconds_bucket{job="traefik", service=~".*backend.*", le="+Inf"}[5m]))',
    );
  });

  it("matches a whole bound as Prometheus 3 stores it (5.0) and as it is exposed (5)", () => {
    expect(leMatcher(5)).toBe('le=~"5(\\\\.0)?"');
    expect(leMatcher(0.3)).toBe('le="0.3"');
  });

  it("pages and opens tickets with the same window pairs as availability, on its own budget", () => {
    const alerts = sloRuleFile(dev).groups[2].rules.filter(isAlertingRule);
    expect(alerts.map((a) => [a.alert, a.labels.severity])).toEqual([
      ["ApiErrorBudgetBurnFast", "critical"],
      ["ApiErrorBudgetBurnSlow", "warning"],
      ["ApiLatencyBudgetBurnFast", "critical"],
      ["ApiLatencyBudgetBurnSlow", "warning"],
    ]);
    expect(alerts[2].expr).toBe(
      '(job:slo_slow_requests:ratio_rate1h{job="koprogo-api"} / 0.01 > 14.4 and job:slo_slow_requests:ratio_rate5m{job="koprogo-api"} / 0.01 > 14.4) or (job:slo_slow_requests:ratio_rate6h{job="koprogo-api"} / 0.01 > 6 and job:slo_slow_requests:ratio_rate30m{job="koprogo-api"} / 0.01 > 6)',
    );
    // The same pairs, from one builder: only the recorded ratio and the budget differ.
    expect(alerts[2].expr.replace(/slow_requests/g, "errors_per_request").replace(/0\.01/g, "0.001")).toBe(
      alerts[0].expr,
    );
  });

  it("records each objective's share over its period for the dashboards' budget left", () => {
    expect(sloPeriodRules(dev)).toEqual([
      {
        record: "job:slo_errors_per_request:ratio_avg_period",
        expr: 'avg_over_time(job:slo_errors_per_request:ratio_rate1h{job="koprogo-api"}[30d])',
        labels: { job: "koprogo-api" },
      },
      {
        record: "job:slo_slow_requests:ratio_avg_period",
        expr: 'avg_over_time(job:slo_slow_requests:ratio_rate1h{job="koprogo-api"}[30d])',
        labels: { job: "koprogo-api" },
      },
    ]);
  });
});
