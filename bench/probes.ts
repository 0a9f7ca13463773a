/**
 * What the blackbox exporter costs at the prod profile: the exporter the stack pins (from the tool cache, with
 * the rendered modules and the container's `GOMEMLIMIT`) probing a local HTTPS server that stands where Traefik
 * answers (a test CA trusted through `SSL_CERT_FILE`; the API's health answering 200, `/metrics` refusing with
 * 401), scraped by a lane's Prometheus through the rendered probe jobs (`blackbox-http`, `blackbox-refused`, every
 * 30 s) beside the prod stack's 3 s / 2 s. Its resident memory against the container's limit, and the series the
 * probes add to Prometheus.
 */
import * as fs from "fs";
import * as https from "https";
import * as path from "path";
import { PROBE_SCRAPE } from "../blackbox/config";
import { goMemoryLimit } from "../components/configuredService";
import { JOBS } from "../contract/jobs";
import { blackboxYaml } from "../exporters/blackbox";
import { instantQuery, queryValue } from "../e2e/prometheusApi";
import { freePort, sleep, startProcess, waitHttpOk, type ManagedProcess } from "../e2e/processes";
import { TIMINGS } from "../e2e/settings";
import { E2eStack } from "../e2e/stack";
import { makeTlsMaterial } from "../e2e/tlsMaterial";
import { settingsSchema } from "../settings";
import { toolPath } from "../toolchain/cache";
import { fixed, rssMiB, table } from "./stats";

export interface ProbeCost {
  readonly minutes: number;
  /** Probe targets scraped (the prod stack has three: the API's health, Grafana's, `/metrics`). */
  readonly targets: number;
  /** Probes the exporter ran in the window (`probe_success` samples). */
  readonly probes: number;
  /** Resident and peak resident memory of the exporter (VmRSS, VmHWM), MiB. */
  readonly rssMiB: number;
  readonly peakMiB: number;
  /** The container's limit (`blackbox.memory`) and the Go heap limit the component sets from it. */
  readonly memoryLimit: string;
  readonly goMemLimit: string;
  /** Series in Prometheus's head for the probe jobs, in all and per target. */
  readonly series: number;
  readonly seriesPerTarget: number;
}

const peakMiB = (pid: number) =>
  Number(/VmHWM:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]) / 1024;

/** A stand-in for Traefik on HTTPS: the API's health answers, `/metrics` refuses the internet. */
async function startTraefikStandIn(dir: string): Promise<{ url: string; caFile: string; close: () => void }> {
  const tls = makeTlsMaterial(path.join(dir, "tls"), ["127.0.0.1"]);
  const server = https.createServer({ cert: tls.cert, key: tls.key }, (request, response) => {
    if (request.url === "/api/v1/health") response.writeHead(200).end('{"status":"ok"}');
    else if (request.url === "/metrics") response.writeHead(401).end("missing bearer token\n");
    else response.writeHead(404).end("404 page not found\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as { port: number };
  return {
    url: `https://127.0.0.1:${port}`,
    caFile: path.join(dir, "tls", "ca.crt"),
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

export async function benchProbeCost(
  minutes: number,
  workDir: string,
  log: (line: string) => void,
): Promise<ProbeCost> {
  const dir = path.join(workDir, "probes");
  fs.mkdirSync(dir, { recursive: true });
  const traefik = await startTraefikStandIn(dir);
  const stack = await E2eStack.start();
  let exporter: ManagedProcess | undefined;
  try {
    const { memory } = settingsSchema.parse({ environment: "prod" }).blackbox;
    const config = path.join(dir, "blackbox.yml");
    fs.writeFileSync(config, blackboxYaml());
    const address = `127.0.0.1:${await freePort()}`;
    const [name, value] = goMemoryLimit(memory).split("=");
    exporter = startProcess({
      name: "blackbox-exporter",
      command: toolPath("blackboxExporter"),
      args: [`--config.file=${config}`, `--web.listen-address=${address}`],
      env: { SSL_CERT_FILE: traefik.caFile, [name]: value },
      logDir: stack.shared.logDir,
    });
    await waitHttpOk(`http://${address}/-/healthy`, exporter);
    const lane = await stack.lane("probes", await stack.database(), {
      timing: TIMINGS.prodTuned,
      overrides: {
        blackbox: {
          apiHealthUrl: `${traefik.url}/api/v1/health`,
          publicMetricsUrl: `${traefik.url}/metrics`,
        },
        serviceAddresses: { blackbox: address },
      },
    });
    log(`probes: the blackbox exporter probed every ${PROBE_SCRAPE.interval} for ${minutes} min`);
    await sleep(minutes * 60_000);
    const probeJobs = `job=~"${JOBS.probeHttp}|${JOBS.probeRefused}"`;
    const targets = (await instantQuery(lane.prometheus, `up{${probeJobs}}`)).length;
    const success = await queryValue(lane.prometheus, `min(probe_success{${probeJobs}})`);
    if (targets !== 2 || success !== 1)
      throw new Error(`probes: expected 2 probe targets succeeding, got ${targets} (min probe_success ${success})`);
    const series = (await queryValue(lane.prometheus, `count({${probeJobs}})`)) ?? Number.NaN;
    const probes =
      (await queryValue(lane.prometheus, `sum(count_over_time(probe_success{${probeJobs}}[${minutes}m]))`)) ??
      Number.NaN;
    return {
      minutes,
      targets,
      probes,
      rssMiB: rssMiB(exporter.pid),
      peakMiB: peakMiB(exporter.pid),
      memoryLimit: memory,
      goMemLimit: value,
      series,
      seriesPerTarget: series / targets,
    };
  } finally {
    // The exporter is this function's own (the stack stops only what it started).
    await exporter?.stop(3000);
    await stack.stop();
    traefik.close();
  }
}

export function probeCostTable(cost: ProbeCost): string {
  return table(
    ["measure", "value"],
    [
      ["probe targets (the prod stack has 3)", String(cost.targets)],
      [`probes run in ${fixed(cost.minutes, 0)} min`, fixed(cost.probes, 0)],
      ["blackbox exporter resident memory (VmRSS)", `${fixed(cost.rssMiB, 1)} MiB`],
      ["its peak (VmHWM)", `${fixed(cost.peakMiB, 1)} MiB`],
      ["container limit / GOMEMLIMIT", `${cost.memoryLimit} / ${cost.goMemLimit}`],
      [
        "series in Prometheus for the probe jobs",
        `${fixed(cost.series, 0)} (${fixed(cost.seriesPerTarget, 0)} per target)`,
      ],
    ],
  );
}

/** What BENCHMARKS.json keeps of it (`blackboxCost`), rounded as the report prints it. */
export interface BlackboxCostFigures {
  readonly date: string;
  readonly minutes: number;
  readonly targets: number;
  /** 1 decimal. */
  readonly rssMiB: number;
  readonly peakMiB: number;
  readonly memoryLimit: string;
  readonly series: number;
  readonly seriesPerTarget: number;
}

export function probeCostFigures(date: string, cost: ProbeCost): BlackboxCostFigures {
  const round = (value: number, digits: number) => Number(fixed(value, digits));
  return {
    date,
    minutes: cost.minutes,
    targets: cost.targets,
    rssMiB: round(cost.rssMiB, 1),
    peakMiB: round(cost.peakMiB, 1),
    memoryLimit: cost.memoryLimit,
    series: round(cost.series, 0),
    seriesPerTarget: round(cost.seriesPerTarget, 0),
  };
}

/** The section of BENCHMARKS.md. */
export function probeCostSection(f: BlackboxCostFigures, cost: ProbeCost): string {
  return [
    "## The blackbox exporter's cost",
    "",
    `The blackbox exporter the stack pins (tool cache, the rendered \`blackbox.yml\`, \`GOMEMLIMIT=${cost.goMemLimit}\` as the component sets it) probing an HTTPS stand-in for Traefik through the rendered probe jobs (every ${PROBE_SCRAPE.interval}), beside a lane at the prod profile (3 s / 2 s), for ${fixed(f.minutes, 0)} minutes.`,
    "",
    probeCostTable(cost),
    "",
    `- The exporter held ${fixed(f.rssMiB, 1)} MiB resident (peak ${fixed(f.peakMiB, 1)} MiB) against its ${f.memoryLimit} limit.`,
    `- Each probe target adds ${fixed(f.seriesPerTarget, 0)} series (Prometheus's 5 scrape series included): about ${fixed(f.seriesPerTarget * 3, 0)} for the prod stack's three targets, scraped every ${PROBE_SCRAPE.interval}.`,
    `- \`docker.memoryBudget\` counts the exporter at its limit (${f.memoryLimit}; the README's memory table), not at what it holds.`,
  ].join("\n");
}
