/** The link builders of notifications: Grafana Explore with a LogQL query, dashboards, runbooks. */
import {
  ALERT_LOG_RANGE,
  encodedRangeFrom,
  exploreQuery,
  exploreUrl,
  logJobSelector,
  logSelector,
  logsUrl,
  prometheusPageUrl,
  runbookUrl,
} from "../../contract/links";

describe("Grafana Explore links", () => {
  const url = logsUrl("https://grafana.example/", '{job="koprogo-api"} |= "ERROR"');

  it("use Explore's panes format on the Loki data source", () => {
    const parsed = new URL(url);
    expect(parsed.origin + parsed.pathname).toBe("https://grafana.example/explore");
    expect(parsed.searchParams.get("schemaVersion")).toBe("1");
    expect(parsed.searchParams.get("orgId")).toBe("1");
    expect(JSON.parse(parsed.searchParams.get("panes")!)).toEqual({
      alert: {
        datasource: "loki",
        queries: [
          {
            refId: "A",
            expr: '{job="koprogo-api"} |= "ERROR"',
            queryType: "range",
            datasource: { uid: "loki", type: "loki" },
          },
        ],
        range: { from: "now-1h", to: "now" },
      },
    });
  });

  it("never contain {{, which a Prometheus or Alertmanager template would expand", () => {
    expect(logsUrl("http://g", '{job="x"} | line_format "{{.msg}}"')).not.toContain("{{");
  });

  it("take an explicit time range", () => {
    const custom = exploreUrl("http://g", { uid: "prometheus", type: "prometheus" }, "up", {
      from: "1700000000000",
      to: "1700003600000",
    });
    expect(JSON.parse(new URL(custom).searchParams.get("panes")!).alert.range).toEqual({
      from: "1700000000000",
      to: "1700003600000",
    });
  });

  it("read back their query", () => {
    expect(exploreQuery(url)).toBe('{job="koprogo-api"} |= "ERROR"');
    expect(exploreQuery("https://grafana.example/d/api-overview")).toBeUndefined();
  });

  it("refuse an empty query", () => {
    expect(() => logsUrl("http://g", " ")).toThrow("needs a query");
  });

  it("expose the encoded start of the range for templates to substitute", () => {
    expect(encodedRangeFrom()).toBe("%22from%22%3A%22now-1h%22");
    expect(url).toContain(encodedRangeFrom(ALERT_LOG_RANGE));
  });
});

describe("LogQL selectors", () => {
  it("quote and escape label values", () => {
    expect(logSelector({ job: "koprogo-api", container: 'a"b' })).toBe('{job="koprogo-api", container="a\\"b"}');
  });
  it("name the contract's log jobs", () => {
    expect(logJobSelector("postgres")).toBe('{job="postgresql"}');
  });
  it("refuse an empty selector", () => {
    expect(() => logSelector({})).toThrow("at least one label");
  });
});

describe("other links", () => {
  it("point at a runbook by alert name, whatever the trailing slash", () => {
    expect(runbookUrl("https://github.com/o/r/blob/main/alerts/runbooks/", "ApiDown")).toBe(
      "https://github.com/o/r/blob/main/alerts/runbooks/ApiDown.md",
    );
  });
  it("point at a page of Prometheus", () => {
    expect(prometheusPageUrl("http://127.0.0.1:9090", "targets")).toBe("http://127.0.0.1:9090/targets");
  });
});
