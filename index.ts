/**
 * Entry point of `pulumi up`: parse the stack config (nothing is declared if it is invalid), then the stack.
 */
import { loadStackInputs, ObservabilityStack } from "./components";

const { settings, secrets } = loadStackInputs();
const stack = new ObservabilityStack("koprogo", { settings, secrets });

export const environment = settings.environment;
export const prometheusUrl = stack.prometheus.internalUrl;
export const grafanaUrl = stack.grafana.url;
/** `pulumi stack output grafanaAdminUser`: generated unless `grafana.adminUser` is set. */
export const grafanaAdminUser = stack.grafana.adminUser;
/** `pulumi stack output --show-secrets grafanaAdminPassword`. */
export const grafanaAdminPassword = stack.grafana.adminPassword;
export const lokiUrl = stack.loki.internalUrl;
/** The `operator` logins (user `operator`) of Prometheus and Alertmanager: `pulumi stack output --show-secrets`. */
export const prometheusOperatorPassword = stack.operatorPasswords.prometheus;
export const alertmanagerOperatorPassword = stack.operatorPasswords.alertmanager;
/** What the preflight for KoproGo's own monitoring saw (docs/operator/migrating.md). */
export const oldMonitoringPreflight = stack.host.preflightReport;
/** Per host agent: the files the stack writes and what it left alone (docs/operator/host-agents.md, coexistence). */
export const hostAgents = stack.security?.reports;
