/**
 * Security Events: Suricata IDS alerts (from its eve.json in Loki) by attack class, fail2ban bans per jail (from
 * its log in Loki), CrowdSec decisions and alerts (from its Prometheus metrics), failed logins.
 */
import * as units from "@grafana/grafana-foundation-sdk/units";
import { monitoringConfig, SELECTORS } from "../alerts/config";
import { logJobSelector } from "../contract/links";
import type { Settings } from "../settings";
import {
  barsPanel,
  labelVariable,
  logsPanel,
  lokiInstantQuery,
  lokiQuery,
  prometheusQuery,
  redBelow,
  row,
  standardDashboard,
  statPanel,
  timeseriesPanel,
  upDownMappings,
} from "./common";

/**
 * The attack classes the brief asks for, matched on the alert's signature or category (eve.json `alert.signature`,
 * `alert.category`, flattened to `alert_signature`, `alert_category` by `| json`). Rule sets name them in words
 * ("ET WEB_SERVER Possible SQL Injection", category "Detection of a Network Scan"), not with a fixed code.
 */
export const SURICATA_CLASSES: readonly { readonly name: string; readonly pattern: string }[] = [
  { name: "SQL injection", pattern: "(?i).*(sql.?injection|sqli|union.+select).*" },
  { name: "XSS", pattern: "(?i).*(xss|cross.?site.?scripting|<script).*" },
  { name: "Path traversal", pattern: "(?i).*(path.?traversal|directory.?traversal|\\.\\./).*" },
  { name: "Port scan", pattern: "(?i).*(scan|nmap|masscan).*" },
];

const SURICATA_ALERTS = `${logJobSelector("suricata")} | json | event_type="alert"`;
/**
 * fail2ban logs `NOTICE  [<jail>] Ban <ip>` (and `Restore Ban` after a restart, not a new ban): the jail comes
 * from that line with a RE2 pattern (Loki's `regexp` parser).
 */
export const FAIL2BAN_BAN_PATTERN = "\\[(?P<jail>[^\\]]+)\\] Ban (?P<banned_ip>\\S+)";
const FAIL2BAN_BANS = `${logJobSelector("fail2ban")} |= "] Ban " | regexp \`${FAIL2BAN_BAN_PATTERN}\``;
const FAILED_LOGINS = `${logJobSelector("api")} |= "401" |= "/api/v1/auth/login"`;
const CROWDSEC = `${SELECTORS.crowdsec}, instance=~"$instance"`;

function suricataClassQuery(pattern: string): string {
  return `sum(count_over_time(${SURICATA_ALERTS} | alert_signature=~\`${pattern}\` or alert_category=~\`${pattern}\` [$__auto]))`;
}

function overviewRow() {
  return row("Overview")
    .withPanel(
      statPanel("IDS alerts", units.Short)
        .withTarget(lokiQuery(`sum(count_over_time(${SURICATA_ALERTS} [$__range]))`, "alerts"))
        .description("Suricata alerts in the time range."),
    )
    .withPanel(
      statPanel("fail2ban bans", units.Short)
        .withTarget(lokiQuery(`sum(count_over_time(${FAIL2BAN_BANS} [$__range]))`, "bans"))
        .description("Bans in the time range, all jails."),
    )
    .withPanel(
      statPanel("CrowdSec active decisions", units.Short).withTarget(
        prometheusQuery(`sum(cs_active_decisions{${CROWDSEC}})`, "decisions"),
      ),
    )
    .withPanel(
      statPanel("Failed API logins", units.Short)
        .withTarget(lokiQuery(`sum(count_over_time(${FAILED_LOGINS} [$__range]))`, "401 on login"))
        .description("401 answers to `/api/v1/auth/login` in the time range."),
    );
}

function suricataRow() {
  const byClass = timeseriesPanel("IDS alerts by attack class", units.Short).description(
    "Suricata alerts whose signature or category names the class; one alert may match two classes.",
  );
  for (const { name, pattern } of SURICATA_CLASSES) byClass.withTarget(lokiQuery(suricataClassQuery(pattern), name));
  return row("Suricata IDS")
    .withPanel(byClass)
    .withPanel(
      timeseriesPanel("IDS alerts by category", units.Short).withTarget(
        lokiQuery(`sum by (alert_category) (count_over_time(${SURICATA_ALERTS} [$__auto]))`, "{{alert_category}}"),
      ),
    )
    .withPanel(
      barsPanel("Top signatures (time range)", units.Short, 24).withTarget(
        lokiInstantQuery(
          `topk(10, sum by (alert_signature) (count_over_time(${SURICATA_ALERTS} [$__range])))`,
          "{{alert_signature}}",
        ),
      ),
    )
    .withPanel(
      logsPanel("Recent IDS alerts").withTarget(
        lokiQuery(
          `${SURICATA_ALERTS} | line_format \`{{.alert_severity}} {{.alert_signature}} {{.src_ip}} -> {{.dest_ip}}:{{.dest_port}}\``,
        ),
      ),
    );
}

function fail2banRow() {
  return row("fail2ban")
    .withPanel(
      timeseriesPanel("Bans per jail", units.Short).withTarget(
        lokiQuery(`sum by (jail) (count_over_time(${FAIL2BAN_BANS} [$__auto]))`, "{{jail}}"),
      ),
    )
    .withPanel(
      barsPanel("Bans per jail (time range)", units.Short).withTarget(
        lokiInstantQuery(`sum by (jail) (count_over_time(${FAIL2BAN_BANS} [$__range]))`, "{{jail}}"),
      ),
    )
    .withPanel(
      logsPanel("Bans and unbans").withTarget(lokiQuery(`${logJobSelector("fail2ban")} |~ \`\\] (Ban|Unban) \``)),
    );
}

function crowdsecRow(settings: Settings) {
  const { busyLogSources } = monitoringConfig(settings);
  return row("CrowdSec")
    .withPanel(
      statPanel("CrowdSec up", "none", 6, redBelow(1))
        .mappings(upDownMappings())
        .withTarget(prometheusQuery(`min(up{${CROWDSEC}})`, "up"))
        .description("DOWN when Prometheus cannot scrape CrowdSec's metrics (`CrowdsecDown`)."),
    )
    .withPanel(
      timeseriesPanel("Log lines read per busy source", units.Short, 18)
        .withTarget(
          prometheusQuery(
            `sum by (source) (rate(cs_filesource_hits_total{${CROWDSEC}, source=~"${busyLogSources}"}[$__rate_interval]))`,
            "{{source}}",
          ),
        )
        .description(
          "Lines per second CrowdSec reads from the logs that are never quiet on a public VPS; a source at 0 for 30 minutes is `CrowdsecLogSourceSilent`.",
        ),
    )
    .withPanel(
      timeseriesPanel("Active decisions by reason", units.Short).withTarget(
        prometheusQuery(`sum by (reason) (cs_active_decisions{${CROWDSEC}})`, "{{reason}}"),
      ),
    )
    .withPanel(
      timeseriesPanel("Active decisions by origin and action", units.Short).withTarget(
        prometheusQuery(`sum by (origin, action) (cs_active_decisions{${CROWDSEC}})`, "{{origin}} {{action}}"),
      ),
    )
    .withPanel(
      timeseriesPanel("Alerts by scenario", units.Short)
        .withTarget(prometheusQuery(`sum by (reason) (cs_alerts{${CROWDSEC}})`, "{{reason}}"))
        .description("Alerts raised by the local agent (community blocklist excluded)."),
    )
    .withPanel(
      timeseriesPanel("Scenario overflows", units.Short)
        .withTarget(
          prometheusQuery(
            `sum by (name) (increase(cs_bucket_overflowed_total{${CROWDSEC}}[$__rate_interval]))`,
            "{{name}}",
          ),
        )
        .description("A scenario overflows when its threshold is reached: each one is an alert."),
    )
    .withPanel(
      timeseriesPanel("Log lines parsed / unparsed", units.Short, 24)
        .withTarget(prometheusQuery(`sum(rate(cs_parser_hits_ok_total{${CROWDSEC}}[$__rate_interval]))`, "parsed"))
        .withTarget(prometheusQuery(`sum(rate(cs_parser_hits_ko_total{${CROWDSEC}}[$__rate_interval]))`, "unparsed"))
        .description("No parsed lines at all means CrowdSec reads nothing it understands, and detects nothing."),
    );
}

function loginsRow() {
  return row("Logins")
    .withPanel(
      timeseriesPanel("Failed API logins over time", units.Short).withTarget(
        lokiQuery(`sum(count_over_time(${FAILED_LOGINS} [$__auto]))`, "401 on login"),
      ),
    )
    .withPanel(
      timeseriesPanel("Failed SSH logins over time", units.Short).withTarget(
        lokiQuery(
          `sum(count_over_time(${logJobSelector("auth")} |~ "Failed password|Invalid user" [$__auto]))`,
          "sshd failures",
        ),
      ),
    )
    .withPanel(logsPanel("Failed API login lines").withTarget(lokiQuery(FAILED_LOGINS)));
}

export function securityEventsDashboard(settings: Settings) {
  return standardDashboard(settings, "securityEvents", {
    description:
      "Suricata alerts by attack class (SQL injection, XSS, path traversal, scan), fail2ban bans per jail, CrowdSec decisions and alerts, failed logins.",
    tags: ["security"],
    from: "now-24h",
    variables: [labelVariable("instance", "CrowdSec agent", `cs_info{${SELECTORS.crowdsec}}`, "instance")],
    rows: [overviewRow(), suricataRow(), fail2banRow(), crowdsecRow(settings), loginsRow()],
  });
}
