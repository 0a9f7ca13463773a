/**
 * Beyond one VPS, on real servers: three hosts made as network namespaces, each with the real node exporter behind
 * the rendered web config (TLS + basic auth); two real Alertmanagers in a gossip cluster, one of them on a host
 * namespace; a real VictoriaMetrics receiving Prometheus's `remote_write`. All from the configuration the render
 * produces for the e2e profile plus the multi-host settings; nothing patched. Runs about 2.5 minutes (the store's
 * two-minute outage), in parallel with the other e2e file.
 */
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import { createHostNetwork, type HostNetwork } from "../../../e2e/namespaces";
import {
  freePort,
  sleep,
  startProcess,
  stopAll,
  waitFor,
  waitHttpOk,
  type ManagedProcess,
} from "../../../e2e/processes";
import { Receivers, type ReceiverRole } from "../../../e2e/receivers";
import { e2eConfigValues } from "../../../e2e/settings";
import { basicAuthorization, e2ePassword } from "../../../e2e/logins";
import { nativeAlertmanagerArgs, nativePrometheusArgs } from "../../../e2e/serverFlags";
import {
  furtherHostSecrets,
  hostsSettingsOf,
  startFurtherHostExporters,
  writeAllRendered,
} from "../../../e2e/furtherHosts";
import { e2eSkipReason, TOOLS } from "../../../e2e/tools";
import { parseStackConfig, type Settings } from "../../../settings";
import { REMOTE_NODE_EXPORTER_PORT } from "../../../settings/scale";
import { toolPath } from "../../../toolchain/cache";

const missingVm = fs.existsSync(toolPath("victoriaMetrics")) ? undefined : "victoria-metrics (npm run fetch-tools)";
const skipReason = e2eSkipReason() ?? missingVm;
if (skipReason && process.env.CI === "true") throw new Error(`e2e scale: missing ${skipReason}`);
if (skipReason) console.warn(`e2e scale tests skipped: ${skipReason}`);
const describeE2e = skipReason ? describe.skip : describe;

const HOSTS = ["h1", "h2", "h3"] as const;
/** The operator's logins (contract/webAccess.ts): the harness signs in like a person through the SSH tunnel. */
const AS_OPERATOR = {
  prometheus: basicAuthorization("prometheus", "operator"),
  alertmanager: basicAuthorization("alertmanager", "operator"),
};
const SCRAPE_LOGIN = `prometheus:${e2ePassword("nodeExporter", "prometheus")}`;
const VM_PASSWORD = `e2e-vm-${process.pid}`;
/** The store is stopped this long, as the issue asks, while Prometheus keeps scraping. */
const STORE_OUTAGE_MS = 120_000;
const CRITICAL_ROLES: readonly ReceiverRole[] = ["pager", "chat", "sms"];

interface Run {
  network: HostNetwork;
  settings: Settings;
  receivers: Receivers;
  prometheusUrl: string;
  vmUrl: string;
  apiAddress: string;
  peers: { vps: ManagedProcess; h1: ManagedProcess };
  peerUrls: { vps: string; h1: string };
  storeOutage: Promise<{ stoppedAt: number; restartedAt: number }>;
  caCert: string;
}

async function getJson<T>(url: string, authorization: string): Promise<T> {
  const response = await fetch(url, { headers: { authorization } });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

function httpsStatus(url: string, ca: string, auth?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = https.get(
      url,
      { ca, headers: auth ? { authorization: `Basic ${Buffer.from(auth).toString("base64")}` } : {} },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    request.on("error", reject);
  });
}

async function query(prometheusUrl: string, expr: string, time?: number) {
  const params = new URLSearchParams({ query: expr, ...(time ? { time: String(time / 1000) } : {}) });
  return (
    await getJson<{
      data: { result: { metric: Record<string, string>; value?: [number, string]; values?: [number, string][] }[] };
    }>(`${prometheusUrl}/api/v1/query?${params}`, AS_OPERATOR.prometheus)
  ).data.result;
}

describeE2e("several hosts, a clustered Alertmanager and a long-term store (real servers in namespaces)", () => {
  let run: Run | undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-scale-"));
  const logDir = path.join(dir, "logs");

  beforeAll(async () => {
    const network = createHostNetwork("kscl", "10.240", HOSTS);
    try {
      const receivers = new Receivers();
      await receivers.start(0, network.gateway);
      const loopback = async () => `127.0.0.1:${await freePort()}`;
      const [prometheus, alertmanager, vm, api] = await Promise.all([loopback(), loopback(), loopback(), loopback()]);
      const base = e2eConfigValues({
        addresses: {
          prometheus,
          alertmanager,
          nodeExporter: "127.0.0.1:1",
          postgresExporter: "127.0.0.1:1",
          stubTarget: "127.0.0.1:1",
          api,
          postgres: "127.0.0.1:1",
        },
        receiverUrl: (role) => receivers.url(role),
      });
      const values = {
        ...base,
        hosts: hostsSettingsOf(network),
        alertmanager: {
          ...(base.alertmanager as object),
          cluster: { peers: ["vps", "h1"], monitoringHostAddress: network.gateway },
        },
        prometheus: {
          ...(base.prometheus as object),
          replica: "a",
          remoteWrite: { kind: "victoriametrics", url: `http://${vm}/api/v1/write`, username: "prometheus" },
        },
        remoteWritePassword: "<secure>",
      };
      const settings = parseStackConfig(
        "e2e",
        values,
        new Set(["postgresExporterPassword", "remoteWritePassword"]),
      ).settings;
      const { secrets, tls } = furtherHostSecrets(dir, network, { remoteWritePassword: VM_PASSWORD });
      const config = writeAllRendered(settings, secrets, path.join(dir, "config"));
      startFurtherHostExporters(network, config, logDir);
      const vmArgs = [
        `-storageDataPath=${path.join(dir, "vm")}`,
        `-httpListenAddr=${vm}`,
        "-httpAuth.username=prometheus",
        `-httpAuth.password=file://${path.join(config, "prometheus/secrets/remote-write-password")}`,
        "-search.latencyOffset=0s",
        "-retentionPeriod=1d",
        "-loggerLevel=WARN",
      ];
      let store = startProcess({
        name: "victoria-metrics",
        command: toolPath("victoriaMetrics"),
        args: vmArgs,
        logDir,
      });
      const amArgs = (self: string, listen: string) =>
        nativeAlertmanagerArgs(settings, { configDir: config, dataDir: path.join(dir, `am-${self}`), listen }, self);
      const h1 = network.hosts[0];
      const peerUrls = { vps: `http://${alertmanager}`, h1: `http://${h1.address}:9093` };
      const peers = {
        vps: startProcess({
          name: "alertmanager-vps",
          command: TOOLS.alertmanager,
          args: amArgs("vps", alertmanager),
          logDir,
        }),
        h1: startProcess({
          name: "alertmanager-h1",
          ...network.exec(h1, TOOLS.alertmanager, amArgs("h1", `${h1.address}:9093`)),
          logDir,
        }),
      };
      const prom = startProcess({
        name: "prometheus",
        command: TOOLS.prometheus,
        args: nativePrometheusArgs(settings, {
          configDir: config,
          dataDir: path.join(dir, "prometheus-data"),
          listen: prometheus,
        }),
        logDir,
      });
      await Promise.all([
        waitHttpOk(`http://${prometheus}/-/ready`, prom, 20_000, AS_OPERATOR.prometheus),
        waitHttpOk(`${peerUrls.vps}/-/ready`, peers.vps, 20_000, AS_OPERATOR.alertmanager),
        waitHttpOk(`${peerUrls.h1}/-/ready`, peers.h1, 20_000, AS_OPERATOR.alertmanager),
        waitHttpOk(`http://${vm}/health`, store),
      ]);
      // The store's outage runs beside the alerting scenario: stopped 10 s in, started again two minutes later.
      const storeOutage = (async () => {
        await sleep(10_000);
        const stoppedAt = Date.now();
        await store.stop();
        await sleep(STORE_OUTAGE_MS);
        store = startProcess({
          name: "victoria-metrics-again",
          command: toolPath("victoriaMetrics"),
          args: vmArgs,
          logDir,
        });
        await waitHttpOk(`http://${vm}/health`, store, 30_000);
        return { stoppedAt, restartedAt: Date.now() };
      })();
      run = {
        network,
        settings,
        receivers,
        prometheusUrl: `http://${prometheus}`,
        vmUrl: `http://${vm}`,
        apiAddress: api,
        peers,
        peerUrls,
        storeOutage,
        caCert: tls.caCert,
      };
    } catch (error) {
      network.remove();
      throw error;
    }
  }, 90_000);

  afterAll(async () => {
    await stopAll();
    await run?.receivers.stop();
    run?.network.remove();
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it("scrapes every further host over TLS with basic auth, each as its own instance of job node", async () => {
    const { prometheusUrl, network } = run!;
    const up = await waitFor(
      "three hosts up",
      async () => {
        const result = await query(prometheusUrl, 'up{job="node", role!=""} == 1');
        return result.length === 3 ? result : undefined;
      },
      30_000,
    );
    expect(up.map((s) => s.metric.instance).sort()).toEqual(["h1", "h2", "h3"]);
    expect(up.find((s) => s.metric.instance === "h2")?.metric.role).toBe("database");
    // Without the password, and without TLS, the exporter answers nothing useful.
    const target = `https://${network.hosts[1].address}:${REMOTE_NODE_EXPORTER_PORT}/metrics`;
    const insecure = await fetch(`http://${network.hosts[1].address}:${REMOTE_NODE_EXPORTER_PORT}/metrics`).then(
      (r) => r.status,
      () => "refused",
    );
    expect(insecure).not.toBe(200);
    // Trusting the stack's CA (as Prometheus does): no password is 401, the password is 200.
    expect(await httpsStatus(target, run!.caCert)).toBe(401);
    expect(await httpsStatus(target, run!.caCert, SCRAPE_LOGIN)).toBe(200);
    expect(await httpsStatus(target, run!.caCert, "prometheus:wrong")).toBe(401);
  }, 60_000);

  it("runs two Alertmanagers as one cluster, and Prometheus sends to both", async () => {
    const { peerUrls, prometheusUrl } = run!;
    for (const url of Object.values(peerUrls)) {
      const status = await waitFor(
        "cluster of two",
        async () => {
          const s = await getJson<{ cluster: { status: string; peers: unknown[] } }>(
            `${url}/api/v2/status`,
            AS_OPERATOR.alertmanager,
          );
          return s.cluster.peers.length === 2 && s.cluster.status === "ready" ? s : undefined;
        },
        60_000,
        1000,
      );
      expect(status.cluster.peers).toHaveLength(2);
    }
    const active = await getJson<{ data: { activeAlertmanagers: { url: string }[] } }>(
      `${prometheusUrl}/api/v1/alertmanagers`,
      AS_OPERATOR.prometheus,
    );
    expect(active.data.activeAlertmanagers).toHaveLength(2);
  }, 90_000);

  it("pages exactly once per receiver while both peers are alive", async () => {
    const { receivers } = run!;
    for (const role of CRITICAL_ROLES)
      await waitFor(`ApiDown at ${role}`, () => receivers.first(role, "ApiDown"), 150_000, 500);
    // Each peer waits its position × peer-timeout (15 s) before sending what another should have: wait past that.
    await sleep(20_000);
    for (const role of CRITICAL_ROLES)
      expect(receivers.about("ApiDown", "firing").filter((n) => n.role === role)).toHaveLength(1);
  }, 200_000);

  it("still notifies once per receiver when a peer dies during the outage", async () => {
    const { receivers, peers, apiAddress } = run!;
    await peers.vps.kill();
    const [host, port] = apiAddress.split(":");
    const api = http.createServer((_req, res) =>
      res.writeHead(200, { "content-type": "text/plain" }).end("# the API is back\n"),
    );
    await new Promise<void>((resolve) => api.listen(Number(port), host, () => resolve()));
    try {
      for (const role of CRITICAL_ROLES)
        await waitFor(`ApiDown resolved at ${role}`, () => receivers.first(role, "ApiDown", "resolved"), 90_000, 500);
      await sleep(20_000);
      for (const role of CRITICAL_ROLES)
        expect(receivers.about("ApiDown", "resolved").filter((n) => n.role === role)).toHaveLength(1);
    } finally {
      api.closeAllConnections();
      await new Promise<void>((resolve) => api.close(() => resolve()));
    }
  }, 200_000);

  it("loses no sample while the store is down for two minutes", async () => {
    const { prometheusUrl, vmUrl, storeOutage } = run!;
    const { stoppedAt, restartedAt } = await storeOutage;
    const start = stoppedAt - 5_000;
    const end = restartedAt + 5_000;
    await sleep(Math.max(0, end - Date.now()) + 1_000);
    const seconds = Math.ceil((end - start) / 1000);
    const local = await query(prometheusUrl, `up{job="prometheus"}[${seconds}s]`, end);
    const expected = (local[0]?.values ?? []).map(([t]) => Math.round(t * 1000)).filter((t) => t >= start && t <= end);
    expect(expected.length).toBeGreaterThan(120);
    const stored = await waitFor(
      "the store caught up",
      async () => {
        const response = await fetch(
          `${vmUrl}/api/v1/export?${new URLSearchParams({ "match[]": 'up{job="prometheus"}', start: String(start / 1000), end: String(end / 1000) })}`,
          { headers: { authorization: `Basic ${Buffer.from(`prometheus:${VM_PASSWORD}`).toString("base64")}` } },
        );
        const lines = (await response.text()).trim().split("\n").filter(Boolean);
        const timestamps = lines
          .flatMap((line) => (JSON.parse(line) as { timestamps: number[] }).timestamps)
          .filter((t) => t >= start && t <= end);
        return timestamps.length >= expected.length ? timestamps : undefined;
      },
      90_000,
      2_000,
    );
    expect([...new Set(stored)].sort()).toEqual([...expected].sort());
    console.log(
      `remote write: ${expected.length} samples in the ${seconds}s window around a ${STORE_OUTAGE_MS / 1000}s outage, ${expected.length - new Set(stored).size} lost`,
    );
  }, 300_000);
});
