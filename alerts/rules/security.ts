/**
 * Security alerts, from what Prometheus really measures: CrowdSec's metrics (job `crowdsec`). Suricata's and
 * fail2ban's events exist only in logs (eve.json, fail2ban.log, in Loki), and a Prometheus rule cannot read
 * Loki. CrowdSec closes most of that gap: it reads eve.json (collection `crowdsecurity/suricata`), so every
 * high-severity IDS alert triggers a CrowdSec scenario and increments `cs_bucket_overflowed_total{name=...}`;
 * and it reads the same sshd, Traefik and PostgreSQL logs as fail2ban, so an attack that makes fail2ban ban
 * also triggers CrowdSec scenarios. A fail2ban-only ban count would need a Loki ruler (not deployed here).
 *
 * Every alert is a security matter: `escalation: L4` (the CTO, per the brief's escalation table).
 */
import { dashboardUrl } from "../../contract/dashboards";
import { JOBS } from "../../contract/jobs";
import { logJobSelector, logsUrl } from "../../contract/links";
import type { Settings } from "../../settings";
import type { AlertingRule, RuleFile, RuleFileBuilder } from "../types";
import { COUNT } from "../valueFormats";

const CROWDSEC = `job="${JOBS.crowdsec}"`;
/** The scenarios of the `crowdsecurity/suricata` collection: major (severity 1) and high/medium (2) IDS alerts. */
const SURICATA_SCENARIOS = 'name=~"crowdsecurity/suricata-.*"';
const ESCALATION = { escalation: "L4" } as const;

export function securityAlerts(settings: Settings): AlertingRule[] {
  const { alerts, logs } = settings.security;
  // Every notification links the Security Events dashboard: bans per jail, decisions, IDS alerts by category.
  const dashboard_url = dashboardUrl(settings.alerts.grafanaUrl, "securityEvents");
  const explore = (logql: string) => logsUrl(settings.alerts.grafanaUrl, logql);
  // CrowdSec's own log says why it stopped or which file it cannot read, and each ban it decides.
  const crowdsecLog = explore(logJobSelector("crowdsec"));
  const silentFor = alerts.silentLogFor;
  // The two logs that are never quiet on a public VPS: SSH scanners and HTTP bots hit it every few minutes.
  const busyLogs = [logs.auth, logs.traefikAccess].map((path) => path.replace(/[.*+?^${}()|[\]\\]/g, "\\\\$&")).join("|");
  return [
    {
      alert: "CrowdsecDown",
      expr: `up{${CROWDSEC}} == 0`,
      for: "5m",
      labels: { severity: "warning", ...ESCALATION },
      annotations: {
        summary: "CrowdSec is down: no new bans, no community blocklist",
        description: "Prometheus cannot scrape CrowdSec on {{ $labels.instance }} (up = {{ $value }}) for 5 minutes. The firewall bouncer keeps the bans in place but no new attack is detected.",
        dashboard_url,
        logs_url: crowdsecLog,
      },
    },
    {
      alert: "CrowdsecLogSourceSilent",
      expr: `sum by (source) (rate(cs_filesource_hits_total{${CROWDSEC},source=~"${busyLogs}"}[${silentFor}])) == 0`,
      for: "10m",
      labels: { severity: "warning", ...ESCALATION },
      annotations: {
        summary: "CrowdSec reads no lines from {{ $labels.source }}",
        description: `CrowdSec read {{ $value }} lines per second from {{ $labels.source }} over ${silentFor}: the log is not written (rotation, bind mount) or not read, and attacks in it go unseen by CrowdSec and fail2ban alike.`,
        dashboard_url,
        logs_url: crowdsecLog,
      },
    },
    {
      alert: "SecurityIdsHighSeverityBurst",
      expr: `sum(increase(cs_bucket_overflowed_total{${CROWDSEC},${SURICATA_SCENARIOS}}[10m])) > ${alerts.idsHighSeverityPer10m}`,
      for: "2m",
      labels: { severity: "critical", ...ESCALATION },
      annotations: {
        summary: "Burst of high-severity Suricata alerts",
        description: `${COUNT} high-severity IDS detections in 10 minutes (threshold ${alerts.idsHighSeverityPer10m}): an exploit attempt or targeted attack is under way. CrowdSec bans the sources; check what they hit.`,
        dashboard_url,
        logs_url: explore(`${logJobSelector("suricata")} | json | event_type="alert" | alert_severity <= 2`),
      },
    },
    {
      alert: "SecurityBanSpike",
      expr: `sum(increase(cs_bucket_overflowed_total{${CROWDSEC}}[15m])) > ${alerts.bansPer15m}`,
      for: "5m",
      labels: { severity: "warning", ...ESCALATION },
      annotations: {
        summary: "Spike of CrowdSec bans",
        description: `${COUNT} attack scenarios triggered (bans) in 15 minutes (threshold ${alerts.bansPer15m}): a distributed brute force or scan campaign, or a false positive banning real users.`,
        dashboard_url,
        logs_url: explore(`${logJobSelector("crowdsec")} |= "ban on"`),
      },
    },
  ];
}

/**
 * The rule file, in every stack: where CrowdSec does not run there is no `crowdsec` job, the expressions select
 * no series and never fire; and the runbooks' definitions and the README's table of alerts are generated from
 * the default settings, which would otherwise leave these alerts out.
 */
export const securityRuleFile: RuleFileBuilder = (settings): RuleFile => ({
  name: "security",
  groups: [{ name: "security", rules: securityAlerts(settings) }],
});
