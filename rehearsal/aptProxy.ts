/**
 * The rehearsal host's only way out: a forwarding HTTP proxy on the host side of its veth pair, for apt. The host
 * has its own network namespace (its firewall is the agents' to change, never this machine's), so it has no route
 * to Debian's archive; apt inside reads `Acquire::http::Proxy` and sends each request here with its absolute URL.
 *
 * Only the hosts of this machine's own apt sources are forwarded (the same archive the machine uses), over plain
 * HTTP as those sources are; anything else is answered 403, so a script that reaches elsewhere fails visibly
 * instead of hanging. Behaviour relied on: apt (2.6) sends `GET http://host/path HTTP/1.1` to an HTTP proxy and
 * verifies every index by its Release signature, so the proxy needs no trust of its own.
 */
import * as http from "http";

export interface AptProxy {
  readonly url: string;
  /** Requests refused (host not allowed), to report. */
  readonly refused: string[];
  close(): Promise<void>;
}

export function startAptProxy(listenAddress: string, allowedHosts: readonly string[]): Promise<AptProxy> {
  const refused: string[] = [];
  const server = http.createServer((request, response) => {
    let target: URL;
    try {
      target = new URL(request.url ?? "");
    } catch {
      response.writeHead(400).end("absolute URL expected\n");
      return;
    }
    if (target.protocol !== "http:" || !allowedHosts.includes(target.hostname)) {
      refused.push(`${request.method} ${target.href}`);
      response.writeHead(403).end(`the rehearsal forwards only to ${allowedHosts.join(", ")}\n`);
      return;
    }
    const headers: http.OutgoingHttpHeaders = { ...request.headers, host: target.host };
    delete headers["proxy-connection"];
    const upstream = http.request(target, { method: request.method, headers, timeout: 60_000 }, (reply) => {
      response.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(response);
    });
    upstream.on("timeout", () => upstream.destroy(new Error("upstream timeout")));
    upstream.on("error", (error) => {
      if (!response.headersSent) response.writeHead(502);
      response.end(`${error.message}\n`);
    });
    request.pipe(upstream);
  });
  // CONNECT (https) is not forwarded: the machine's Debian sources are http and signed.
  server.on("connect", (request, socket) => {
    refused.push(`CONNECT ${request.url}`);
    socket.end("HTTP/1.1 403 Forbidden\r\n\r\n");
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, listenAddress, () => {
      const address = server.address();
      if (address === null || typeof address === "string") throw new Error("the apt proxy has no TCP address");
      resolve({
        url: `http://${listenAddress}:${address.port}/`,
        refused,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

/**
 * Runs the proxy in a child process (`aptProxy.ts <address> <host>...`, prints its URL): the rehearsal runs the
 * host's commands synchronously, which would block a proxy in its own event loop.
 */
if (require.main === module) {
  const [address, ...hosts] = process.argv.slice(2);
  void startAptProxy(address, hosts).then((proxy) => {
    process.stdout.write(`${proxy.url}\n`);
    setInterval(() => {
      for (const line of proxy.refused.splice(0)) process.stderr.write(`refused ${line}\n`);
    }, 500);
  });
}
