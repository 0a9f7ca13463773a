/**
 * Local receivers standing in for PagerDuty, Slack, the SMS gateway and the dead man's switch: one HTTP server,
 * one path per role, every request recorded with its arrival time and decoded Alertmanager webhook body.
 */
import * as http from "http";

export const RECEIVER_ROLES = ["pager", "chat", "sms", "watchdog"] as const;
export type ReceiverRole = (typeof RECEIVER_ROLES)[number];

/** The part of Alertmanager's webhook payload (version 4) the scenarios read. */
export interface WebhookAlert {
  readonly status: "firing" | "resolved";
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly startsAt: string;
  readonly endsAt: string;
}
export interface WebhookPayload {
  readonly version: string;
  readonly status: "firing" | "resolved";
  readonly receiver: string;
  readonly groupLabels: Record<string, string>;
  readonly commonLabels: Record<string, string>;
  readonly commonAnnotations: Record<string, string>;
  readonly alerts: readonly WebhookAlert[];
}

export interface ReceivedNotification {
  readonly role: ReceiverRole;
  /** `Date.now()` when the request arrived. */
  readonly at: number;
  readonly authorization: string | undefined;
  readonly payload: WebhookPayload;
}

export class Receivers {
  readonly received: ReceivedNotification[] = [];
  private server: http.Server | undefined;
  private port = 0;
  private host = "127.0.0.1";

  /** Starts listening on 127.0.0.1, or `host` (an address of a test's own namespace bridge); port 0: the OS picks one. */
  async start(port = 0, host = "127.0.0.1"): Promise<void> {
    this.host = host;
    const server = http.createServer((request, response) => {
      const role = RECEIVER_ROLES.find((r) => request.url === `/${r}`);
      if (request.method !== "POST" || !role) {
        response.writeHead(404).end();
        return;
      }
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString()));
      request.on("end", () => {
        const at = Date.now();
        try {
          this.received.push({
            role,
            at,
            authorization: request.headers.authorization,
            payload: JSON.parse(body) as WebhookPayload,
          });
          response.writeHead(200).end("ok");
        } catch {
          response.writeHead(400).end("not JSON");
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, this.host, () => resolve());
    });
    const address = server.address();
    if (typeof address !== "object" || !address) throw new Error("receivers: no address");
    this.port = address.port;
    this.server = server;
  }

  url(role: ReceiverRole): string {
    return `http://${this.host}:${this.port}/${role}`;
  }

  /** Notifications that carry `alertname` (as firing or resolved), in arrival order. */
  about(alertname: string, status?: "firing" | "resolved"): ReceivedNotification[] {
    return this.received.filter((n) =>
      n.payload.alerts.some((a) => a.labels.alertname === alertname && (status === undefined || a.status === status)),
    );
  }

  /** Whether the last notification at `role` that carries `alertname` says it fires (a resolved one follows when it is over). */
  lastSaysFiring(role: ReceiverRole, alertname: string): boolean {
    const last = this.about(alertname)
      .filter((n) => n.role === role)
      .at(-1);
    return last?.payload.alerts.some((a) => a.labels.alertname === alertname && a.status === "firing") ?? false;
  }

  /** First arrival of `alertname` at `role`, or undefined. */
  first(
    role: ReceiverRole,
    alertname: string,
    status: "firing" | "resolved" = "firing",
    after = 0,
  ): ReceivedNotification | undefined {
    return this.about(alertname, status).find((n) => n.role === role && n.at >= after);
  }

  /** Every alert name each role received, for "nothing reaches a receiver it should not". */
  alertnamesByRole(): Record<ReceiverRole, string[]> {
    const result = Object.fromEntries(RECEIVER_ROLES.map((r) => [r, [] as string[]])) as Record<ReceiverRole, string[]>;
    for (const n of this.received)
      for (const a of n.payload.alerts)
        if (!result[n.role].includes(a.labels.alertname)) result[n.role].push(a.labels.alertname);
    for (const role of RECEIVER_ROLES) result[role].sort();
    return result;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
