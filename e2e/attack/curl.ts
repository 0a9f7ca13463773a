/**
 * HTTP from inside a network namespace: `ip netns exec <ns> curl`, since a socket of this process cannot be
 * opened in another namespace. curl's exit code tells a refused connection from an unreachable network, a
 * timeout or a name that does not resolve, which is what an attempt's verdict reports.
 */
import { execFile } from "child_process";

export type CurlOutcome =
  | { readonly kind: "http"; readonly status: number; readonly body: string }
  | { readonly kind: "no-connection"; readonly reason: string };

export interface CurlRequest {
  readonly method?: "GET" | "POST" | "PUT" | "DELETE";
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** `user:password` for basic auth (passed on stdin-free argv; the lab's secrets are test values). */
  readonly basicAuth?: string;
  /**
   * Seconds to connect; the whole request gets three times as long. Defaults to 1: in the lab a reachable server's
   * kernel answers the SYN at once whatever the load, so a second without an answer means nothing routes there.
   */
  readonly connectTimeout?: number;
  /** Seconds for the whole request; three times `connectTimeout` by default. */
  readonly maxTime?: number;
}

/** curl exit codes an attempt reads (curl(1) EXIT CODES). */
const NO_CONNECTION: Record<number, string> = {
  6: "name does not resolve",
  7: "connection refused or network unreachable",
  28: "timed out (no route answers)",
  52: "empty reply (connection closed)",
  56: "connection reset",
};

const STATUS_MARK = "\n@@status=";

export function curlIn(netns: string, request: CurlRequest): Promise<CurlOutcome> {
  const connect = request.connectTimeout ?? 1;
  const args = [
    "netns",
    "exec",
    netns,
    "curl",
    "-sS",
    "-X",
    request.method ?? "GET",
    "--connect-timeout",
    String(connect),
    "-m",
    String(request.maxTime ?? connect * 3),
    "-w",
    `${STATUS_MARK}%{http_code}`,
  ];
  for (const [name, value] of Object.entries(request.headers ?? {})) args.push("-H", `${name}: ${value}`);
  if (request.basicAuth) args.push("-u", request.basicAuth);
  if (request.body !== undefined) args.push("--data-binary", request.body);
  args.push("--", request.url);
  return new Promise((resolve, reject) => {
    execFile(
      "ip",
      args,
      { encoding: "utf8", timeout: ((request.maxTime ?? connect * 3) + 5) * 1000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error
          ? typeof (error as { code?: unknown }).code === "number"
            ? (error as { code: number }).code
            : -1
          : 0;
        const at = stdout.lastIndexOf(STATUS_MARK);
        const status = at >= 0 ? Number(stdout.slice(at + STATUS_MARK.length)) : 0;
        if (code === 0 && status > 0) {
          resolve({ kind: "http", status, body: stdout.slice(0, at) });
        } else if (NO_CONNECTION[code]) {
          resolve({
            kind: "no-connection",
            reason: `${NO_CONNECTION[code]}: ${stderr.trim().split("\n").pop() ?? ""}`.trim(),
          });
        } else {
          reject(
            new Error(
              `curl in ${netns} ${request.method ?? "GET"} ${request.url}: exit ${code}` +
                `${error?.signal ? ` (signal ${error.signal})` : ""}, status ${at >= 0 ? stdout.slice(at + STATUS_MARK.length) : "missing"}: ` +
                `${stderr.trim()} | stdout: ${JSON.stringify(stdout.slice(0, 200))}`,
            ),
          );
        }
      },
    );
  });
}

/** Short text of an outcome for a verdict line. */
export function describeOutcome(outcome: CurlOutcome): string {
  return outcome.kind === "http" ? `HTTP ${outcome.status}` : outcome.reason.split(":")[0];
}
