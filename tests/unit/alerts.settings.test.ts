/** The alerting keys this area adds to the settings: defaults and refusals. */
import { parseStackConfig } from "../../settings";

const parse = (values: Record<string, unknown>) => parseStackConfig("dev", values, new Set());

describe("alerting settings", () => {
  it("default the Traefik service regex and the watchdog interval", () => {
    const { settings } = parse({});
    expect(settings.alerts.traefikService).toBe(".*backend.*");
    expect(settings.notifications.watchdogRepeatInterval).toBe("5m");
  });

  it.each([
    [
      { alerts: { traefikService: "(" } },
      "koprogo-observability:alerts.traefikService: must be a valid regular expression",
    ],
    [
      { alerts: { traefikService: "" } },
      "koprogo-observability:alerts.traefikService: must be a regex matching the backend's Traefik service",
    ],
    [
      { notifications: { watchdogRepeatInterval: "5x" } },
      "koprogo-observability:notifications.watchdogRepeatInterval: must be a positive duration",
    ],
    [{ alerts: { requestMetricsSource: "nginx" } }, "koprogo-observability:alerts.requestMetricsSource"],
  ])("refuse %j", (values, message) => {
    expect(() => parse(values)).toThrow(message);
  });
});
