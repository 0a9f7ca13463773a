/**
 * What each host costs: 1, 3 and 10 simulated further hosts (network namespaces, each with the real node exporter
 * behind TLS + basic auth, the stack's collectors and relabelling), scraped by the real Prometheus with the
 * rendered configuration at the prod profile (3 s scrape, 2 s evaluation). After a warm-up, measured: head series
 * (all, and per host), samples appended per second, Prometheus's resident memory and CPU, one exporter's memory.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { furtherHostSecrets, hostsSettingsOf, startFurtherHostExporters, writeAllRendered } from "../e2e/furtherHosts";
import { basicAuthorization } from "../e2e/logins";
import { createHostNetwork } from "../e2e/namespaces";
import { nativePrometheusArgs } from "../e2e/serverFlags";
import { instantQuery, queryValue } from "../e2e/prometheusApi";
import { freePort, sleep, startProcess, waitFor, waitHttpOk } from "../e2e/processes";
import { e2eConfigValues, TIMINGS } from "../e2e/settings";
import { TOOLS } from "../e2e/tools";
import { parseStackConfig } from "../settings";
import { fixed, rssMiB, table } from "./stats";

export interface HostCostRow {
  readonly hosts: number;
  readonly headSeries: number;
  /** Series of job node per further host (median over hosts). */
  readonly seriesPerHost: number;
  readonly samplesPerSecond: number;
  readonly prometheusRssMiB: number;
  /** Prometheus CPU, in cores, over the measurement window. */
  readonly prometheusCpuCores: number;
  readonly exporterRssMiB: number;
}

/** Bytes a sample takes on disk once compacted: Prometheus's documented 1–2 bytes, the middle of it. */
export const BYTES_PER_SAMPLE = 1.5;

async function measureHosts(count: number, warmupSeconds: number, measureSeconds: number): Promise<HostCostRow> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-hosts-${count}-`));
  const names = Array.from({ length: count }, (_, i) => `h${i + 1}`);
  // A prefix per count: the namespaces of the previous count may still be going away (netns deletion is lazy).
  const network = createHostNetwork(`kb${count}`, "10.241", names);
  const started: { stop: () => Promise<void> }[] = [];
  try {
    const prometheus = `127.0.0.1:${await freePort()}`;
    const base = e2eConfigValues({
      addresses: {
        prometheus,
        alertmanager: "127.0.0.1:1",
        nodeExporter: "127.0.0.1:1",
        postgresExporter: "127.0.0.1:1",
        stubTarget: "127.0.0.1:1",
        api: "127.0.0.1:1",
        postgres: "127.0.0.1:1",
      },
      receiverUrl: (role) => `http://127.0.0.1:1/${role}`,
      timing: TIMINGS.prodTuned,
    });
    const settings = parseStackConfig(
      "e2e",
      { ...base, hosts: hostsSettingsOf(network), logGateway: { address: network.gateway } },
      new Set(["postgresExporterPassword"]),
    ).settings;
    const { secrets } = furtherHostSecrets(dir, network);
    const config = writeAllRendered(settings, secrets, path.join(dir, "config"));
    const exporters = startFurtherHostExporters(network, config, path.join(dir, "logs"));
    started.push(...exporters);
    const prom = startProcess({
      name: "prometheus",
      command: TOOLS.prometheus,
      args: nativePrometheusArgs(settings, { configDir: config, dataDir: path.join(dir, "data"), listen: prometheus }),
      logDir: path.join(dir, "logs"),
    });
    started.push(prom);
    const url = { url: `http://${prometheus}`, authorization: basicAuthorization("prometheus", "operator") };
    await waitHttpOk(`${url.url}/-/ready`, prom, 20_000, url.authorization);
    await waitFor(
      `${count} hosts up`,
      async () => ((await queryValue(url, 'count(up{job="node", role!=""} == 1)')) === count ? true : undefined),
      60_000,
      1000,
    );
    await sleep(warmupSeconds * 1000);
    const cpuBefore = (await queryValue(url, 'process_cpu_seconds_total{job="prometheus"}')) ?? Number.NaN;
    await sleep(measureSeconds * 1000);
    const cpuAfter = (await queryValue(url, 'process_cpu_seconds_total{job="prometheus"}')) ?? Number.NaN;
    const perHost = (await instantQuery(url, 'count by (instance) ({job="node", role!=""})'))
      .map((s) => Number(s.value[1]))
      .sort((a, b) => a - b);
    return {
      hosts: count,
      headSeries: (await queryValue(url, "prometheus_tsdb_head_series")) ?? Number.NaN,
      seriesPerHost: perHost[Math.floor(perHost.length / 2)] ?? Number.NaN,
      samplesPerSecond:
        (await queryValue(url, `rate(prometheus_tsdb_head_samples_appended_total[${measureSeconds}s])`)) ?? Number.NaN,
      prometheusRssMiB: rssMiB(prom.pid),
      prometheusCpuCores: (cpuAfter - cpuBefore) / measureSeconds,
      exporterRssMiB: rssMiB(exporters[0].pid),
    };
  } finally {
    for (const p of started.reverse()) await p.stop();
    network.remove();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchHosts(
  counts: readonly number[] = [1, 3, 10],
  warmupSeconds = 60,
  measureSeconds = 60,
): Promise<HostCostRow[]> {
  const rows: HostCostRow[] = [];
  for (const count of counts) rows.push(await measureHosts(count, warmupSeconds, measureSeconds));
  return rows;
}

/** The table, and the marginal cost of one more host from the smallest to the largest run. */
const gbPer30Days = (samplesPerSecond: number) => (samplesPerSecond * 86_400 * 30 * BYTES_PER_SAMPLE) / 1e9;

/** What one more host adds: the slope between the fewest and the most further hosts measured. */
export interface PerHostCost {
  readonly series: number;
  readonly samplesPerSecond: number;
  readonly tsdb30DaysGB: number;
  readonly prometheusRssMiB: number;
  /** Prometheus's CPU, in thousandths of a core. */
  readonly millicores: number;
  /** Its own node exporter's resident memory, on that host. */
  readonly nodeExporterRssMiB: number;
}

export function perHostCost(rows: readonly HostCostRow[]): PerHostCost {
  const first = rows[0];
  const last = rows[rows.length - 1];
  const span = last.hosts - first.hosts;
  const per = (pick: (r: HostCostRow) => number) => (span > 0 ? (pick(last) - pick(first)) / span : Number.NaN);
  const samplesPerSecond = per((r) => r.samplesPerSecond);
  return {
    series: per((r) => r.headSeries),
    samplesPerSecond,
    tsdb30DaysGB: gbPer30Days(samplesPerSecond),
    prometheusRssMiB: per((r) => r.prometheusRssMiB),
    millicores: per((r) => r.prometheusCpuCores) * 1000,
    nodeExporterRssMiB: last.exporterRssMiB,
  };
}

export function hostCostTables(rows: readonly HostCostRow[]): string {
  const one = perHostCost(rows);
  return [
    table(
      [
        "further hosts",
        "head series",
        "series per host",
        "samples/s",
        "TSDB for 30 days (GB)",
        "Prometheus RSS (MiB)",
        "Prometheus CPU (cores)",
        "node exporter RSS (MiB)",
      ],
      rows.map((r) => [
        String(r.hosts),
        String(r.headSeries),
        String(r.seriesPerHost),
        fixed(r.samplesPerSecond, 0),
        fixed(gbPer30Days(r.samplesPerSecond), 2),
        fixed(r.prometheusRssMiB, 0),
        fixed(r.prometheusCpuCores, 3),
        fixed(r.exporterRssMiB, 1),
      ]),
    ),
    "",
    `One more host costs about ${fixed(one.series, 0)} series, ${fixed(one.samplesPerSecond, 0)} samples/s (${fixed(one.tsdb30DaysGB, 2)} GB of TSDB for 30 days at ${BYTES_PER_SAMPLE} bytes/sample), ${fixed(one.prometheusRssMiB, 1)} MiB of Prometheus memory and ${fixed(one.millicores, 1)} millicores, plus its own node exporter (${fixed(one.nodeExporterRssMiB, 1)} MiB on that host).`,
  ].join("\n");
}
