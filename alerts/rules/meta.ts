/**
 * Self-monitoring: a monitoring stack must say when it is itself broken. The always-firing `Watchdog` feeds an
 * external dead man's switch (silence there means Prometheus, Alertmanager or the network is down); the others
 * catch a lost scrape target, notifications that do not leave, and Prometheus failing to reload, evaluate or
 * compact.
 */
import { logSelector, prometheusPageUrl } from "../../contract/links";
import { containerName, type Settings } from "../../settings";
import { monitoringConfig, promqlString } from "../config";
import type { RuleFile } from "../types";
import { COUNT } from "../valueFormats";
import { alertRule } from "./common";

export function metaRuleFile(settings: Settings): RuleFile {
  const config = monitoringConfig(settings);
  const { prometheusSelector: prometheus, alertmanagerSelector: alertmanager, rateInterval } = config;
  const page = (name: Parameters<typeof prometheusPageUrl>[1]) => ({
    url: prometheusPageUrl(config.prometheusUrl, name),
  });
  const containerLogs = (service: "prometheus" | "alertmanager") =>
    `${logSelector({ container: containerName(settings, service) })} |~ "(?i)level=(error|warn)"`;
  return {
    name: "meta",
    groups: [
      {
        name: "self-monitoring",
        rules: [
          alertRule(config, {
            alert: "Watchdog",
            expr: "vector(1)",
            for: "watchdog",
            severity: "none",
            summary: "The alerting pipeline works (always firing).",
            description:
              "Always firing. It reaches the dead man's switch every few minutes; when it stops arriving, Prometheus, Alertmanager or their network is broken and no other alert can be trusted.",
          }),
          alertRule(config, {
            alert: "TargetDown",
            // One alert per job and target; the API and the database have their own, more urgent, alerts.
            expr: `up{job!~${promqlString(config.jobsWithDedicatedDownAlert.join("|"))}} == 0`,
            for: "targetDown",
            severity: "warning",
            summary: "A scrape target is down.",
            description:
              "Prometheus cannot scrape job {{ $labels.job }} at {{ $labels.instance }} (up = {{ $value }}): its metrics, dashboards and alerts are blind.",
            dashboard: page("targets"),
            logs: `${logSelector({ container: containerName(settings, "prometheus") })} |= "scrape"`,
          }),
          alertRule(config, {
            alert: "AlertmanagerNotificationsFailing",
            expr: `sum by (job, instance, integration) (increase(alertmanager_notifications_failed_total{${alertmanager}}[${rateInterval}])) > 0`,
            for: "selfMonitoringFailure",
            severity: "critical",
            summary: "Alertmanager fails to send notifications.",
            description: `Alertmanager {{ $labels.instance }} failed to deliver ${COUNT} notifications through {{ $labels.integration }} in the last ${rateInterval}: alerts may reach nobody.`,
            dashboard: page("alerts"),
            logs: containerLogs("alertmanager"),
          }),
          alertRule(config, {
            alert: "AlertmanagerConfigReloadFailed",
            expr: `max_over_time(alertmanager_config_last_reload_successful{${alertmanager}}[${rateInterval}]) == 0`,
            for: "selfMonitoringFailure",
            severity: "warning",
            summary: "Alertmanager could not load its new configuration.",
            description:
              "Alertmanager {{ $labels.instance }} rejected its configuration (last reload successful = {{ $value }}); it still routes with the previous one.",
            dashboard: page("alerts"),
            logs: containerLogs("alertmanager"),
          }),
          alertRule(config, {
            alert: "PrometheusConfigReloadFailed",
            expr: `max_over_time(prometheus_config_last_reload_successful{${prometheus}}[${rateInterval}]) == 0`,
            for: "selfMonitoringFailure",
            severity: "warning",
            summary: "Prometheus could not load its new configuration.",
            description:
              "Prometheus {{ $labels.instance }} rejected its configuration or rules (last reload successful = {{ $value }}); it still runs the previous ones.",
            dashboard: page("config"),
            logs: containerLogs("prometheus"),
          }),
          alertRule(config, {
            alert: "PrometheusRuleEvaluationFailures",
            expr: `sum by (job, instance, rule_group) (increase(prometheus_rule_evaluation_failures_total{${prometheus}}[${rateInterval}])) > 0`,
            for: "selfMonitoringFailure",
            severity: "critical",
            summary: "Prometheus fails to evaluate rules.",
            description: `Prometheus {{ $labels.instance }} failed ${COUNT} rule evaluations of group {{ $labels.rule_group }} in the last ${rateInterval}: its alerts may not fire.`,
            dashboard: page("rules"),
            logs: containerLogs("prometheus"),
          }),
          alertRule(config, {
            alert: "PrometheusNotificationsDropped",
            expr: `sum by (job, instance) (increase(prometheus_notifications_dropped_total{${prometheus}}[${rateInterval}])) > 0`,
            for: "selfMonitoringFailure",
            severity: "warning",
            summary: "Prometheus drops alerts before they reach Alertmanager.",
            description: `Prometheus {{ $labels.instance }} dropped ${COUNT} alert notifications in the last ${rateInterval} (Alertmanager unreachable or its queue full).`,
            dashboard: page("alerts"),
            logs: containerLogs("prometheus"),
          }),
          alertRule(config, {
            alert: "PrometheusNotificationQueueFull",
            // Queue growth projected 30 minutes ahead against its capacity: it catches the queue before it drops.
            expr: `predict_linear(prometheus_notifications_queue_length{${prometheus}}[${rateInterval}], 60 * 30) > min_over_time(prometheus_notifications_queue_capacity{${prometheus}}[${rateInterval}])`,
            for: "selfMonitoringFailure",
            severity: "warning",
            summary: "Prometheus's alert queue is filling up.",
            description: `Prometheus {{ $labels.instance }}'s notification queue is projected to reach ${COUNT} alerts within 30 minutes, over its capacity.`,
            dashboard: page("alerts"),
            logs: containerLogs("prometheus"),
          }),
          alertRule(config, {
            alert: "PrometheusTsdbCompactionsFailing",
            expr: `increase(prometheus_tsdb_compactions_failed_total{${prometheus}}[${config.windows.tsdbCompactions}]) > 0`,
            for: "tsdbCompactionsFailing",
            severity: "warning",
            summary: "Prometheus cannot compact its storage.",
            description: `Prometheus {{ $labels.instance }} had ${COUNT} failed compactions in 3 hours (often a full disk or a corrupt block): storage grows and queries slow down.`,
            dashboard: page("tsdb-status"),
            logs: containerLogs("prometheus"),
          }),
        ],
      },
    ],
  };
}
