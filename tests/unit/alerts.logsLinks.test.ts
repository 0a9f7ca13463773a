/**
 * Each alert's `logs_url` opens the logs of the thing the alert is about: the stream of the alert's own scrape
 * job (the API, PostgreSQL, Loki, ...), or, for what has no log stream of its own, the place its failures are
 * written (the host's journal for the node exporter's alerts, Prometheus's container for a failed scrape).
 * Checking only that the link is an Explore URL let `HighCpu` open the API's logs.
 */
import { alertingRules } from "../../alerts";
import { JOBS } from "../../contract/jobs";
import { exploreQuery } from "../../contract/links";
import { LOG_JOBS } from "../../contract/logs";
import { containerName, type Settings } from "../../settings";
import { logqlStreamLabels } from "../helpers/logql";
import { promqlSelectors } from "../helpers/promql";
import { alertingVariants, stackSettings } from "../helpers/stacks";

/** The log streams that are a scrape job's own logs. */
function ownLogStreams(settings: Settings, job: string): Record<string, string>[] {
  const streams: Record<string, Record<string, string>[]> = {
    // The backend's lines, or Traefik's access log when Traefik feeds the request metrics.
    [JOBS.api]: [{ job: LOG_JOBS.api }, { job: LOG_JOBS.traefik }],
    [JOBS.postgres]: [{ job: LOG_JOBS.postgres }],
    // The node exporter reports the host: its kernel and units write to the journal.
    [JOBS.node]: [{ job: LOG_JOBS.journal }],
    [JOBS.prometheus]: [{ container: containerName(settings, "prometheus") }],
    [JOBS.alertmanager]: [{ container: containerName(settings, "alertmanager") }],
    [JOBS.loki]: [{ job: JOBS.loki }],
    [JOBS.alloy]: [{ job: JOBS.alloy }],
    // CrowdSec's own log, or Suricata's eve.json whose alerts its Suricata scenarios count.
    [JOBS.crowdsec]: [{ job: LOG_JOBS.crowdsec }, { job: LOG_JOBS.suricata }],
    // cAdvisor reports the containers: their own logs, or the kernel's OOM lines in the journal.
    [JOBS.cadvisor]: [{ job: LOG_JOBS.docker }, { job: LOG_JOBS.journal }],
    [JOBS.minio]: [{ job: LOG_JOBS.docker, container: settings.targets.minio?.address.replace(/:\d+$/, "") ?? "" }],
    // The probes go through Traefik: its access log and errors.
    [JOBS.probeHttp]: [{ job: LOG_JOBS.traefik }],
    [JOBS.probeRefused]: [{ job: LOG_JOBS.traefik }],
  };
  const own = streams[job];
  if (!own) throw new Error(`no own log stream is known for job ${job}: add it to this test`);
  return own;
}

/**
 * The job an alert is about: the one its first selector names (later ones are guards, as `unless on() (up{job="loki"}
 * == 0)`); Prometheus itself when it names none (`TargetDown`: a scrape Prometheus fails).
 */
function alertJob(expr: string): string {
  const first = promqlSelectors(expr)[0]?.matchers.find((m) => m.startsWith('job="'));
  return first ? (JSON.parse(first.slice("job=".length)) as string) : JOBS.prometheus;
}

describe.each(alertingVariants())("in %s, each alert's logs link", (_, settings) => {
  const withLogs = alertingRules(settings).filter((rule) => rule.alert !== "Watchdog");

  it.each(withLogs.map((rule) => [rule.alert, rule]))("of %s opens the logs of the alert's own job", (_alert, rule) => {
    const logql = exploreQuery(rule.annotations.logs_url ?? "");
    expect(logql).toBeDefined();
    const stream = logqlStreamLabels(logql!);
    expect(ownLogStreams(settings, alertJob(rule.expr))).toContainEqual(stream);
  });
});

describe("the own-job check", () => {
  it("refuses a host alert that opens the API's logs", () => {
    expect(ownLogStreams(stackSettings("dev").settings, alertJob('node_load1{job="node"} > 4'))).not.toContainEqual(
      logqlStreamLabels('{job="koprogo-api"}'),
    );
  });
  it("finds the job of an alert on a recording rule", () => {
    expect(alertJob('sum(job:http_requests_errors:rate5m{job="koprogo-api"}) > 10')).toBe(JOBS.api);
  });
});
