/**
 * What a user sees from outside, probed from the VPS by the blackbox exporter through Traefik and TLS: the public
 * API health and Grafana answering, their certificates' expiry, and `/metrics` refused to the internet. Neither
 * the runbook nor KoproGo's own rules watch these. Each probe target carries a `probe` label (prometheus/scrapeJobs.ts).
 */
import { PROBES } from "../../contract/jobs";
import { logJobSelector } from "../../contract/links";
import type { Settings } from "../../settings";
import { monitoringConfig, promqlString } from "../config";
import type { AlertingRule, RuleFile } from "../types";
import { alertRule } from "./common";

export function probeAlerts(settings: Settings): AlertingRule[] {
  const config = monitoringConfig(settings);
  if (!settings.blackbox.enabled) return [];
  const { probeHttpSelector: http, probeRefusedSelector: refused, thresholds } = config;
  const probe = (name: string) => `probe=${promqlString(name)}`;
  const traefikLogs = `${logJobSelector("traefik")} |~ "(?i)error|acme|certificate|tls"`;
  const daysLeft = `(probe_ssl_earliest_cert_expiry{${http}} - time()) / 86400`;
  return [
    alertRule(config, {
      alert: "ApiPublicEndpointDown",
      // The health URL as a user reaches it: DNS, Traefik, TLS and the backend in one request. ApiDown sees the
      // backend from inside; this one sees the way in.
      expr: `probe_success{${http}, ${probe(PROBES.apiHealth)}} == 0`,
      for: "endpointDown",
      severity: "critical",
      summary: "The API's public health URL does not answer.",
      description:
        "The probe of {{ $labels.instance }} through Traefik and TLS fails (probe_success = {{ $value }}): users cannot reach the API.",
      dashboard: "apiOverview",
      logs: traefikLogs,
    }),
    alertRule(config, {
      alert: "GrafanaPublicEndpointDown",
      expr: `probe_success{${http}, ${probe(PROBES.grafana)}} == 0`,
      for: "endpointDown",
      severity: "warning",
      summary: "Grafana's public URL does not answer.",
      description:
        "The probe of {{ $labels.instance }} through Traefik and TLS fails (probe_success = {{ $value }}): notification links to dashboards and logs do not open.",
      dashboard: "systemHealth",
      logs: traefikLogs,
    }),
    alertRule(config, {
      alert: "TlsCertificateExpiring",
      // Let's Encrypt certificates last 90 days and Traefik renews them 30 days ahead: under 14 days, renewal has
      // been failing for two weeks.
      expr: `${daysLeft} < ${thresholds.certExpiryWarningDays} >= ${thresholds.certExpiryCriticalDays}`,
      for: "certificateExpiry",
      severity: "warning",
      summary: "A public TLS certificate expires soon.",
      description: `The certificate of {{ $labels.instance }} expires in {{ $value | printf "%.1f" }} days, within ${thresholds.certExpiryWarningDays} days: Traefik's renewal is failing.`,
      dashboard: "apiOverview",
      logs: traefikLogs,
    }),
    alertRule(config, {
      alert: "TlsCertificateExpiryCritical",
      expr: `${daysLeft} < ${thresholds.certExpiryCriticalDays}`,
      for: "certificateExpiry",
      severity: "critical",
      summary: "A public TLS certificate is about to expire.",
      description: `The certificate of {{ $labels.instance }} expires in {{ $value | printf "%.1f" }} days, within ${thresholds.certExpiryCriticalDays} days: browsers and API clients will refuse the site.`,
      dashboard: "apiOverview",
      logs: traefikLogs,
    }),
    alertRule(config, {
      alert: "MetricsPubliclyExposed",
      // The probe succeeds only on a refusal (401, 403, 404): an answer means anyone can read the metrics.
      expr: `probe_success{${refused}, ${probe(PROBES.publicMetrics)}} == 0`,
      for: "metricsPubliclyExposed",
      severity: "warning",
      summary: "The API's /metrics answers the internet.",
      description:
        "{{ $labels.instance }} is not refused from outside (probe_success = {{ $value }}): set METRICS_AUTH_TOKEN on the backend (and targets.api.bearerToken), or block the path in Traefik.",
      dashboard: "apiOverview",
      logs: `${logJobSelector("traefik")} |~ "/metrics"`,
    }),
  ];
}

export function probeRuleFile(settings: Settings): RuleFile {
  return { name: "probes", groups: [{ name: "blackbox-probes", rules: probeAlerts(settings) }] };
}
