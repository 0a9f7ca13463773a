/**
 * What users reach, probed from the VPS by the blackbox exporter (alerts/rules/probes.ts): the API's health and
 * Grafana through Traefik and TLS, `/metrics` refused to the internet, and the certificates' days left.
 */
import * as units from "@grafana/grafana-foundation-sdk/units";
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import { monitoringConfig, SELECTORS } from "../alerts/config";
import { PROBES } from "../contract/jobs";
import type { Settings } from "../settings";
import {
  prometheusQuery,
  redBelow,
  row,
  statPanel,
  thresholds,
  timeseriesWithThreshold,
  upDownMappings,
  type Section,
} from "./common";

/** `probe_success` of one probe target: UP / DOWN. */
export function probePanel(title: string, probe: string, description: string) {
  return statPanel(title, "none", 6, redBelow(1))
    .mappings(upDownMappings())
    .withTarget(prometheusQuery(`min(probe_success{${SELECTORS.probeHttp}, probe="${probe}"})`, probe))
    .description(description);
}

/** The `/metrics` probe succeeds when the internet is refused: 1 = REFUSED (good), 0 = EXPOSED. */
function metricsExposurePanel() {
  const mappings: dashboard.ValueMapping[] = [
    {
      type: dashboard.MappingType.ValueToText,
      options: {
        "0": { text: "EXPOSED", color: "red", index: 0 },
        "1": { text: "REFUSED", color: "green", index: 1 },
      },
    },
  ];
  return statPanel("/metrics from the internet", "none", 6, redBelow(1))
    .mappings(mappings)
    .withTarget(
      prometheusQuery(
        `min(probe_success{${SELECTORS.probeRefused}, probe="${PROBES.publicMetrics}"})`,
        PROBES.publicMetrics,
      ),
    )
    .description(
      "REFUSED when the public `/metrics` answers 401, 403 or 404 (`MetricsPubliclyExposed` fires at EXPOSED).",
    );
}

/** Days until each probed certificate expires, with the warning and critical limits. */
function certificatePanel(settings: Settings) {
  const { certExpiryWarningDays, certExpiryCriticalDays } = monitoringConfig(settings).thresholds;
  return timeseriesWithThreshold(
    "TLS certificate days left",
    units.Short,
    thresholds("red", [
      { value: certExpiryCriticalDays, color: "yellow" },
      { value: certExpiryWarningDays, color: "green" },
    ]),
  )
    .withTarget(
      prometheusQuery(`(probe_ssl_earliest_cert_expiry{${SELECTORS.probeHttp}} - time()) / 86400`, "{{instance}}"),
    )
    .description(
      `\`TlsCertificateExpiring\` below ${certExpiryWarningDays} days (yellow), \`TlsCertificateExpiryCritical\` below ${certExpiryCriticalDays} (red): Let's Encrypt renews at 30.`,
    );
}

/** API Overview: the public API as users reach it. */
export function publicEndpointsRow(settings: Settings): Section {
  return row("Public endpoints (probed from the VPS)")
    .withPanel(
      probePanel(
        "Public API health",
        PROBES.apiHealth,
        "The API's health through Traefik and TLS (`ApiPublicEndpointDown` fires at DOWN).",
      ),
    )
    .withPanel(metricsExposurePanel())
    .withPanel(certificatePanel(settings));
}
