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
import { logJobSelector } from "../../contract/links";
import type { Settings } from "../../settings";
import { monitoringConfig, SELECTORS } from "../config";
import type { AlertingRule, RuleFile, RuleFileBuilder } from "../types";
import { COUNT } from "../valueFormats";
import { alertRule, type AlertSpec } from "./common";

const ESCALATION = { escalation: "L4" } as const;

export function securityAlerts(settings: Settings): AlertingRule[] {
  const config = monitoringConfig(settings);
  const { crowdsecSelector: crowdsec, security, windows } = config;
  // Every notification links the Security Events dashboard: bans per jail, decisions, IDS alerts by category.
  const common = { dashboard: "securityEvents", labels: ESCALATION } as const;
  // CrowdSec's own log says why it stopped or which file it cannot read, and each ban it decides.
  const crowdsecLog = logJobSelector("crowdsec");
  const silentFor = security.silentLogFor;
  const specs: AlertSpec[] = [
    {
      ...common,
      alert: "CrowdsecDown",
      expr: `up{${crowdsec}} == 0`,
      for: "crowdsecDown",
      severity: "warning",
      summary: "CrowdSec is down: no new bans, no community blocklist",
      description:
        "Prometheus cannot scrape CrowdSec on {{ $labels.instance }} (up = {{ $value }}) for 5 minutes. The firewall bouncer keeps the bans in place but no new attack is detected.",
      logs: crowdsecLog,
    },
    {
      ...common,
      alert: "CrowdsecLogSourceSilent",
      // Per host: with several hosts, each CrowdSec agent reads its own host's logs.
      expr: `sum by (instance, source) (rate(cs_filesource_hits_total{${crowdsec},source=~"${config.busyLogSources}"}[${silentFor}])) == 0`,
      for: "crowdsecLogSourceSilent",
      severity: "warning",
      summary: "CrowdSec reads no lines from {{ $labels.source }} on {{ $labels.instance }}",
      description: `CrowdSec on {{ $labels.instance }} read {{ $value }} lines per second from {{ $labels.source }} over ${silentFor}: the log is not written (rotation, bind mount) or not read, and attacks in it go unseen by CrowdSec and fail2ban alike.`,
      logs: crowdsecLog,
    },
    {
      ...common,
      alert: "SecurityIdsHighSeverityBurst",
      expr: `sum by (instance) (increase(cs_bucket_overflowed_total{${crowdsec},${SELECTORS.suricataScenarios}}[${windows.idsBurst}])) > ${security.idsHighSeverityPer10m}`,
      for: "securityIdsHighSeverityBurst",
      severity: "critical",
      summary: "Burst of high-severity Suricata alerts on {{ $labels.instance }}",
      description: `${COUNT} high-severity IDS detections on {{ $labels.instance }} in 10 minutes (threshold ${security.idsHighSeverityPer10m}): an exploit attempt or targeted attack is under way. CrowdSec bans the sources; check what they hit.`,
      logs: `${logJobSelector("suricata")} | json | event_type="alert" | alert_severity <= 2`,
    },
    {
      ...common,
      alert: "SecurityBanSpike",
      expr: `sum by (instance) (increase(cs_bucket_overflowed_total{${crowdsec}}[${windows.banSpike}])) > ${security.bansPer15m}`,
      for: "securityBanSpike",
      severity: "warning",
      summary: "Spike of CrowdSec bans on {{ $labels.instance }}",
      description: `${COUNT} attack scenarios triggered (bans) on {{ $labels.instance }} in 15 minutes (threshold ${security.bansPer15m}): a distributed brute force or scan campaign, or a false positive banning real users.`,
      logs: `${logJobSelector("crowdsec")} |= "ban on"`,
    },
  ];
  return specs.map((spec) => alertRule(config, spec));
}

/**
 * The rule file, in every stack: where CrowdSec does not run there is no `crowdsec` job, the expressions select
 * no series and never fire; and the runbooks' definitions and the docs' table of alerts are generated from
 * the default settings, which would otherwise leave these alerts out.
 */
export const securityRuleFile: RuleFileBuilder = (settings): RuleFile => ({
  name: "security",
  groups: [{ name: "security", rules: securityAlerts(settings) }],
});
