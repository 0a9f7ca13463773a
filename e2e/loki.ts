/**
 * A real Loki (the deployed version, tool cache) started on a rendered `loki.yaml`, for the tests that need Loki
 * itself: the Loki and Alloy tests, and whatever queries it (Grafana's data source).
 *
 * The rendered file is used as rendered except where a process on this machine must differ from the container:
 * the data directory (`/loki`, the container's volume, becomes a temporary folder) and the listen addresses
 * (127.0.0.1 and free ports instead of `:3100`/`:9095` on the container's own network). Nothing else is touched,
 * so retention, limits, compactor and schema are the ones the stack deploys.
 */
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { LOKI_PATHS } from "../logs/paths";
import { freePort, logTail, startProcess, waitFor, type ManagedProcess } from "./processes";

export interface LokiListen {
  /** Replaces `LOKI_PATHS.data` (`/loki`) at the start of every path of the file. */
  readonly dataDir: string;
  readonly httpPort: number;
  readonly grpcPort: number;
}

/** Every string value that is `/loki` or under it, moved under `dataDir`; other values unchanged. */
function movePaths(value: unknown, dataDir: string): unknown {
  if (typeof value === "string")
    return value === LOKI_PATHS.data || value.startsWith(`${LOKI_PATHS.data}/`)
      ? path.join(dataDir, value.slice(LOKI_PATHS.data.length))
      : value;
  if (Array.isArray(value)) return value.map((item) => movePaths(item, dataDir));
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, movePaths(item, dataDir)]));
  return value;
}

/** The rendered `loki.yaml` with its data paths and listen addresses made local (see the file comment). */
export function localLokiYaml(rendered: string, listen: LokiListen): string {
  const config = movePaths(YAML.parse(rendered), listen.dataDir) as Record<string, unknown>;
  const server = (config.server ?? {}) as Record<string, unknown>;
  config.server = {
    ...server,
    http_listen_address: "127.0.0.1",
    http_listen_port: listen.httpPort,
    grpc_listen_address: "127.0.0.1",
    grpc_listen_port: listen.grpcPort,
  };
  return YAML.stringify(config);
}

export interface RealLoki {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `127.0.0.1:<port>`, for a stack's `serviceAddresses.loki`. */
  readonly address: string;
  readonly process: ManagedProcess;
  readonly configFile: string;
  readonly dataDir: string;
  /** Loki's own log lines so far (logfmt). */
  log(): string[];
  stop(): Promise<void>;
}

export interface StartLokiOptions {
  readonly binary: string;
  /** The rendered `loki.yaml`. */
  readonly rendered: string;
  /** Folder for the config, the data and the log; the caller removes it. */
  readonly dir: string;
  readonly name?: string;
  /** How long Loki may take to answer `/ready` (its ingester waits a while before it reports ready). */
  readonly readyTimeoutMs?: number;
}

/**
 * Starts Loki on the rendered file and resolves once `/ready` answers 200; fails at once with Loki's log if it
 * exits first. The caller stops it (`stop()`, or `stopAll()` of e2e/processes.ts).
 */
export async function startLoki({
  binary,
  rendered,
  dir,
  name = "loki",
  readyTimeoutMs = 90_000,
}: StartLokiOptions): Promise<RealLoki> {
  const [httpPort, grpcPort] = [await freePort(), await freePort()];
  const dataDir = path.join(dir, "data");
  fs.mkdirSync(dataDir, { recursive: true });
  const configFile = path.join(dir, "loki.yaml");
  fs.writeFileSync(configFile, localLokiYaml(rendered, { dataDir, httpPort, grpcPort }));
  const proc = startProcess({
    name,
    command: binary,
    args: [`-config.file=${configFile}`],
    logDir: dir,
  });
  const url = `http://127.0.0.1:${httpPort}`;
  let exitedWith: string | undefined;
  void proc.exited.then((code) => (exitedWith = code));
  try {
    // `/ready` answers 503 until the ingester has joined its ring (Loki's `ingester.join_after`, a few seconds).
    await waitFor(
      `${name} /ready`,
      async () => {
        if (exitedWith !== undefined) throw new Error(`exited (${exitedWith}):\n${logTail(proc, 40)}`);
        const response = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(2000) });
        return response.ok ? true : undefined;
      },
      readyTimeoutMs,
      500,
    );
  } catch (error) {
    await proc.stop();
    throw new Error(`${name} did not get ready: ${(error as Error).message}\n${logTail(proc, 40)}`, {
      cause: error,
    });
  }
  return {
    url,
    address: `127.0.0.1:${httpPort}`,
    process: proc,
    configFile,
    dataDir,
    log: () => fs.readFileSync(proc.logFile, "utf8").split("\n").filter(Boolean),
    stop: () => proc.stop(10_000),
  };
}

/** One stream of a LogQL answer (`resultType: streams`). */
export interface LokiStream {
  readonly stream: Record<string, string>;
  readonly values: readonly [string, string][];
}

interface LokiAnswer {
  readonly status: string;
  readonly data: { readonly resultType: string; readonly result: unknown };
}

async function getJson(url: string): Promise<LokiAnswer> {
  const response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  const text = await response.text();
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${text.trim()}`);
  return JSON.parse(text) as LokiAnswer;
}

/** `query_range` over the last `sinceMs` (default one hour), newest first as Loki returns it. */
export async function lokiQueryRange(
  lokiUrl: string,
  query: string,
  { sinceMs = 3_600_000, limit = 1000 }: { sinceMs?: number; limit?: number } = {},
): Promise<LokiAnswer["data"]> {
  const end = Date.now() + 60_000;
  const params = new URLSearchParams({
    query,
    start: String((end - sinceMs - 60_000) * 1e6),
    end: String(end * 1e6),
    limit: String(limit),
  });
  return (await getJson(`${lokiUrl}/loki/api/v1/query_range?${params}`)).data;
}

/** The streams a log query selects (throws when the query is a metric query). */
export async function lokiStreams(lokiUrl: string, query: string, sinceMs?: number): Promise<LokiStream[]> {
  const data = await lokiQueryRange(lokiUrl, query, { sinceMs });
  if (data.resultType !== "streams") throw new Error(`${query}: a ${data.resultType} answer, not streams`);
  return data.result as LokiStream[];
}

/** Pushes lines in Loki's JSON push format, each stream at `now` (nanoseconds increasing by line). */
export async function lokiPushJson(
  lokiUrl: string,
  streams: readonly { labels: Record<string, string>; lines: readonly string[] }[],
): Promise<void> {
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  const body = {
    streams: streams.map(({ labels, lines }) => ({
      stream: labels,
      values: lines.map((line, i) => [String(nowNs + BigInt(i)), line]),
    })),
  };
  const response = await fetch(`${lokiUrl}/loki/api/v1/push`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  if (response.status !== 204) throw new Error(`push: ${response.status} ${(await response.text()).trim()}`);
}
