/**
 * A small network of namespaces for the Suricata tests, standing in for the VPS: an `internet` namespace, a
 * `vps` namespace whose public interface has an Ubuntu-style name and whose Docker-style bridge (`br-<12 hex>`)
 * joins a `traefik` and a `backend` namespace, plain HTTP servers, tcpdump captures and a client that sends raw
 * requests. Every name starts with the test's prefix and every address is in the test's subnet; `destroy()` stops
 * the processes by pid and deletes the namespaces (which deletes their interfaces), also after a failure.
 */
import * as fs from "fs";
import * as path from "path";
import { HostLab } from "../../e2e/harness/hostLab";
import { must } from "../../e2e/harness/namespaces";
import { waitFor, type ManagedProcess } from "../../e2e/processes";

export { must };

/** `ip -n <ns> -batch -`: one `ip` call for many commands. */
export function ipBatch(ns: string | undefined, commands: readonly string[]): void {
  must("ip", [...(ns ? ["-n", ns] : []), "-batch", "-"], `${commands.join("\n")}\n`);
}

/** The harness's hosts (e2e/harness/hostLab.ts) with tcpdump captures that are complete when stopped. */
export class Lab extends HostLab {
  /**
   * A tcpdump of one interface into `file`, ready when it says it listens. `--immediate-mode`: libpcap's
   * TPACKET_V3 ring otherwise hands packets over a block at a time, and tcpdump stopped right after the traffic
   * leaves the last, partly filled block unread (the file holds only its header). In immediate mode the ring has
   * one slot per packet of the snapshot length: with tcpdump's defaults (262144 bytes, a 2 MiB buffer) that is 8
   * slots, and the kernel drops packets as soon as tcpdump is not scheduled for a moment (measured: 211 of 603 on
   * this machine under load). 64 KiB slots in a 64 MiB buffer hold 1024 packets, more than a test sends.
   */
  capture(ns: string, iface: string, file: string): Promise<ManagedProcess> {
    return this.start(
      ns,
      "tcpdump",
      ["-i", iface, "-w", file, "-U", "--immediate-mode", "-n", "-s", "65535", "-B", "65536"],
      /listening on/,
    );
  }

  /**
   * Stops a capture once it holds `marker`, a datagram sent after the traffic by `sendMarker` (so every packet
   * before it is in the file too: tcpdump writes each packet as it reads it, in order, but on a busy machine it
   * may read them well after the client has returned). The marker is sent again every second in case one is
   * lost; after `timeoutMs` this fails, saying whether tcpdump is still running, rather than hand over a short
   * capture.
   */
  async stopCapture(
    child: ManagedProcess,
    file: string,
    marker: string,
    sendMarker: () => void,
    timeoutMs = 20_000,
  ): Promise<void> {
    const started = Date.now();
    let sent = 0;
    let exitedWith: string | undefined;
    void child.exited.then((code) => (exitedWith = code));
    await waitFor(
      `the end marker in the capture ${file}`,
      () => {
        if (fs.existsSync(file) && fs.readFileSync(file).includes(marker)) return true;
        if (Date.now() - started >= sent * 1_000) {
          sendMarker();
          sent++;
        }
        const state = exitedWith !== undefined ? `tcpdump exited (${exitedWith})` : "tcpdump still running";
        throw new Error(`${sent} sent, ${state}, ${fs.existsSync(file) ? fs.statSync(file).size : 0} bytes`);
      },
      timeoutMs,
      50,
    );
    // SIGINT: tcpdump then writes out its buffer and prints its counts.
    await child.stop(5_000, "SIGINT");
    // tcpdump's last words: `N packets dropped by kernel`. A dropped packet is a request Suricata never sees.
    const dropped = /(\d+) packets? dropped by kernel/.exec(this.output(child));
    if (!dropped || dropped[1] !== "0") throw new Error(`the capture ${file} is incomplete: ${this.output(child)}`);
  }
}

/** An HTTP server (Node's) on each `host:port`: 401 for a POST to the login path, 200 for the rest. */
export const HTTP_SERVER = `
const http = require("http");
const listen = process.argv.slice(1);
let ready = 0;
for (const target of listen) {
  const [host, port] = target.split(":");
  http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const status = req.method === "POST" && req.url.startsWith("/api/v1/auth/login") ? 401 : 200;
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify({ status }));
    });
  }).listen(Number(port), host, () => { if (++ready === listen.length) console.log("listening"); });
}
`;

/**
 * One thing the client does: a raw HTTP request on its own connection, a connection attempt (a SYN), or a UDP
 * datagram (the end marker of a capture).
 */
export type ClientStep = { readonly id: string; readonly from: string; readonly to: string; readonly port: number } & (
  { readonly http: string } | { readonly syn: true } | { readonly datagram: string }
);

export interface ClientResult {
  readonly id: string;
  readonly from: string;
  readonly localPort: number | null;
  /** The response's status line, or the connection error (`ECONNREFUSED` for a SYN to a closed port). */
  readonly outcome: string;
}

/**
 * The client: runs the steps one after the other (each on a new connection from its own source address) and
 * prints, as JSON, the local port of each (what eve.json's `src_port` names) and what came back.
 */
export const RAW_CLIENT = `
const net = require("net");
const steps = JSON.parse(require("fs").readFileSync(0, "utf8"));
const datagram = (step) => new Promise((resolve) => {
  const socket = require("dgram").createSocket("udp4");
  socket.bind(0, step.from, () => socket.send(step.datagram, step.port, step.to, (error) => { socket.close(); resolve({ id: step.id, from: step.from, localPort: null, outcome: error ? error.code : "sent" }); }));
});
// Each connection gets its own local port, so an alert's (src_ip, src_port) names one request: left to the
// kernel, a port is reused by the next connection to the same server as soon as the previous one is closed.
let nextPort = 20000;
const one = (step) => step.datagram ? datagram(step) : new Promise((resolve) => {
  const socket = net.connect({ host: step.to, port: step.port, localAddress: step.from, localPort: nextPort++ });
  let localPort = null, data = "";
  const done = (outcome) => { socket.destroy(); resolve({ id: step.id, from: step.from, localPort, outcome }); };
  socket.setTimeout(3000, () => done("timeout"));
  socket.on("connect", () => { localPort = socket.localPort; if (step.http) socket.write(step.http); else done("connected"); });
  socket.on("data", (chunk) => { data += chunk; });
  socket.on("end", () => done(data.split("\\r\\n")[0]));
  socket.on("error", (error) => done(error.code));
});
(async () => { const results = []; for (const step of steps) results.push(await one(step)); console.log(JSON.stringify(results)); })();
`;

/** Runs the client in a namespace. */
export function runClient(ns: string, steps: readonly ClientStep[]): ClientResult[] {
  return JSON.parse(
    must("ip", ["netns", "exec", ns, process.execPath, "-e", RAW_CLIENT], JSON.stringify(steps)),
  ) as ClientResult[];
}

/** Reads an eve.json: each line and its event. */
export function readEve(dir: string): { line: string; event: Record<string, unknown> }[] {
  const file = path.join(dir, "eve.json");
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => ({ line, event: JSON.parse(line) as Record<string, unknown> }));
}
