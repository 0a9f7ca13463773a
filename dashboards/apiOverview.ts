/**
 * API Overview: traffic, latency, errors and slowest endpoints of the KoproGo API, from the request recording
 * rules (fed by the backend's metrics or by Traefik's, see `alerts.requestMetricsSource`), and its error logs.
 */
import * as units from "@grafana/grafana-foundation-sdk/units";
import { monitoringConfig, SELECTORS } from "../alerts/config";
import { logJobSelector } from "../contract/links";
import { REQUEST_RECORDING_RULES as RULES } from "../contract/recordingRules";
import type { Settings } from "../settings";
import {
  labelVariable,
  logsPanel,
  lokiQuery,
  prometheusQuery,
  prometheusTableQuery,
  redAbove,
  redBelow,
  row,
  standardDashboard,
  statPanel,
  tablePanel,
  upDownMappings,
  timeseriesPanel,
  timeseriesWithThreshold,
} from "./common";
import { sloRow } from "./apiSlo";
import { publicEndpointsRow } from "./probes";

const API = SELECTORS.api;
/** The endpoint filter: `path` of the per-endpoint rules (Traefik feeds the Traefik service name there). */
const ENDPOINT = `${API}, path=~"$endpoint"`;

/** P`q` latency over the selected endpoints, from the per-endpoint bucket rates. */
function latencyQuantile(q: number): string {
  return `histogram_quantile(${q}, sum by (le) (${RULES.latencyBucketsByPath}{${ENDPOINT}}))`;
}

function overviewRow(settings: Settings) {
  const { errorsPerSecond, latencyP99Seconds } = monitoringConfig(settings).thresholds;
  return row("Overview")
    .withPanel(
      statPanel("API up", "none", 6, redBelow(1))
        .mappings(upDownMappings())
        .withTarget(prometheusQuery(`min(up{${API}, instance=~"$instance"})`, "up"))
        .description("1 when Prometheus can scrape the API (`ApiDown` fires after 1m at 0)."),
    )
    .withPanel(
      statPanel("Requests/s", units.RequestsPerSecond).withTarget(
        prometheusQuery(`sum(${RULES.requestRate}{${API}})`, "requests/s"),
      ),
    )
    .withPanel(
      statPanel("5xx errors/s", units.RequestsPerSecond, 6, redAbove(errorsPerSecond))
        .withTarget(prometheusQuery(`sum(${RULES.errorRate}{${API}})`, "errors/s"))
        .description("`HighErrorRate` fires above the red threshold."),
    )
    .withPanel(
      statPanel("P99 latency", units.Seconds, 6, redAbove(latencyP99Seconds))
        .withTarget(prometheusQuery(`histogram_quantile(0.99, sum by (le) (${RULES.latencyBuckets}{${API}}))`, "p99"))
        .description("`SlowApi` fires above the red threshold."),
    );
}

function trafficRow(settings: Settings) {
  const { errorsPerSecond, latencyP99Seconds } = monitoringConfig(settings).thresholds;
  return row("Traffic and latency")
    .withPanel(
      timeseriesPanel("Requests/s per endpoint", units.RequestsPerSecond).withTarget(
        prometheusQuery(`sum by (method, path) (${RULES.requestRateByPath}{${ENDPOINT}})`, "{{method}} {{path}}"),
      ),
    )
    .withPanel(
      timeseriesWithThreshold("Latency P50 / P95 / P99", units.Seconds, redAbove(latencyP99Seconds))
        .withTarget(prometheusQuery(latencyQuantile(0.5), "p50"))
        .withTarget(prometheusQuery(latencyQuantile(0.95), "p95"))
        .withTarget(prometheusQuery(latencyQuantile(0.99), "p99"))
        .description("The dashed line is the `SlowApi` threshold on P99."),
    )
    .withPanel(
      timeseriesPanel("Requests/s by status class", units.RequestsPerSecond).withTarget(
        prometheusQuery(`sum by (status_class) (${RULES.requestRateByStatusClass}{${API}})`, "{{status_class}}"),
      ),
    )
    .withPanel(
      timeseriesWithThreshold(
        "Server (5xx) and client (4xx) errors/s",
        units.RequestsPerSecond,
        redAbove(errorsPerSecond),
      )
        .withTarget(prometheusQuery(`sum(${RULES.errorRate}{${API}})`, "5xx errors/s"))
        .withTarget(prometheusQuery(`sum(${RULES.requestRateByStatusClass}{${API}, status_class="4xx"})`, "4xx/s"))
        .description("The dashed line is the `HighErrorRate` threshold on 5xx errors/s."),
    );
}

function endpointsRow(settings: Settings) {
  const { latencyP99Seconds } = monitoringConfig(settings).thresholds;
  return row("Endpoints")
    .withPanel(
      tablePanel("Slowest endpoints (P99)", units.Seconds, "P99")
        .thresholds(redAbove(latencyP99Seconds))
        .withTarget(
          prometheusTableQuery(
            `topk(10, histogram_quantile(0.99, sum by (method, path, le) (${RULES.latencyBucketsByPath}{${ENDPOINT}})))`,
          ),
        ),
    )
    .withPanel(
      tablePanel("Busiest endpoints", units.RequestsPerSecond, "Requests/s").withTarget(
        prometheusTableQuery(`topk(10, sum by (method, path) (${RULES.requestRateByPath}{${ENDPOINT}}))`),
      ),
    );
}

function logsRow() {
  return row("Logs")
    .withPanel(lokiErrorLogs())
    .withPanel(
      timeseriesPanel("Error log lines/s", units.Short, 24).withTarget(
        lokiQuery(`sum(rate(${logJobSelector("api")} |= "ERROR" [$__auto]))`, "error lines/s"),
      ),
    );
}

/** The runbook's first query, without `| json`: today's backend logs plain text, and a failed parse would hide nothing but add noise. */
function lokiErrorLogs() {
  return logsPanel("Recent API errors").withTarget(lokiQuery(`${logJobSelector("api")} |= "ERROR"`));
}

export function apiOverviewDashboard(settings: Settings) {
  return standardDashboard(settings, "apiOverview", {
    description:
      "KoproGo API: requests per endpoint, latency P50/P95/P99, errors by status class, slowest endpoints and error logs.",
    tags: ["api"],
    variables: [
      labelVariable("instance", "Instance", `up{${API}}`, "instance"),
      labelVariable("endpoint", "Endpoint", `${RULES.requestRateByPath}{${API}}`, "path"),
    ],
    rows: [
      overviewRow(settings),
      sloRow(settings),
      trafficRow(settings),
      endpointsRow(settings),
      ...(settings.blackbox.enabled ? [publicEndpointsRow(settings)] : []),
      logsRow(),
    ],
  });
}
