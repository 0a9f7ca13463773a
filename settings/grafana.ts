/**
 * Grafana: the UI, how it is published (loopback port, and the application's Traefik when a domain is given),
 * how `pulumi up` reaches its API, and the dashboard-only thresholds (the alert thresholds live in `alerts`).
 */
import { z } from "zod";
import { httpUrl, isPrivateAddress, memory, port, positive, ratio } from "./primitives";

/** A DNS host name such as `grafana.koprogo.com` (no scheme, no port, no path). */
const domainName = z
  .string()
  .regex(
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i,
    "must be a host name like grafana.example.com (no scheme, port or path)",
  );

/** The application's Traefik, which publishes Grafana on `domain` over TLS. */
export const traefikPublishing = z
  .object({
    /** Traefik entrypoint of the HTTPS port. Defaults to `websecure`. */
    entrypoint: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, "must be a Traefik entrypoint name")
      .default("websecure"),
    /** Name of Traefik's ACME certificate resolver. Defaults to `letsencrypt`. */
    certResolver: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, "must be a Traefik certificate resolver name")
      .default("letsencrypt"),
    /**
     * The application's Traefik container. `pulumi up` connects it to the stack's own Grafana network
     * (`<namePrefix>-grafana-ingress`), the only network Traefik reaches Grafana on: Grafana is not on the
     * application's network, where any container could read its logins off the wire (docs/operator/security.md). Add that
     * network to Traefik's service in the application's Compose file too (docs/operator/deploying.md), so a re-created Traefik
     * keeps it. Defaults to `koprogo-traefik`.
     */
    container: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "must be a Docker container name like koprogo-traefik")
      .default("koprogo-traefik"),
  })
  .strict();

export const grafanaSettings = z
  .object({
    /** Container memory limit. */
    memory: memory.default("160m"),
    /** Port published on the host's `bindAddress` (the runbook's 3001), or `null`. */
    hostPort: port.nullable().default(3001),
    /**
     * Public host name. When set, Grafana is published through the application's Traefik (router on this host,
     * TLS from `traefik.certResolver`) and its root URL is `https://<domain>/`. Never a bare public port.
     */
    domain: domainName.optional(),
    traefik: traefikPublishing.prefault({}),
    /** URL Grafana builds its links with. Defaults to `https://<domain>/`, else `alerts.grafanaUrl`. */
    rootUrl: httpUrl.optional(),
    /**
     * URL at which the machine running `pulumi up` reaches Grafana's API for data sources and dashboards.
     * Defaults to `https://<domain>` when a domain is set, else `http://127.0.0.1:<hostPort>` for a local engine.
     * A remote engine without a domain needs it set (e.g. an SSH tunnel `http://127.0.0.1:3001`).
     */
    apiUrl: httpUrl.optional(),
    /**
     * Admin login. Unset (the default): generated once, `admin-` and 16 random letters and digits (stack output
     * `grafanaAdminUser`). Grafana locks a login for 5 minutes after 5 wrong passwords, and its login and API are
     * on the internet through Traefik: a known name such as `admin` lets anyone keep the operators and `pulumi up`
     * locked out during an incident. `staging` and `prod` refuse the usual names. The password is the
     * `grafanaAdminPassword` secret, or generated.
     */
    adminUser: z
      .string()
      .regex(/^[A-Za-z0-9_.@-]{1,64}$/, "must be a login name")
      .optional(),
    /** Dashboard thresholds that no alert shares (the alert thresholds are `alerts.thresholds`). */
    dashboards: z
      .object({
        /** A statement whose mean time per call exceeds this is listed as slow. Defaults to `1` second. */
        slowQuerySeconds: positive.default(1),
        /** The PostgreSQL buffer cache hit ratio should stay above this. Defaults to `0.9`. */
        cacheHitRatioMin: ratio.default(0.9),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type GrafanaSettings = z.infer<typeof grafanaSettings>;

/** A problem that involves several keys, reported on the key to change. */
export interface SettingsIssue {
  readonly path: readonly string[];
  readonly message: string;
}

// Grafana's checks and their tests read it here; settings/primitives.ts writes it.
export { isPrivateAddress } from "./primitives";

/** The keys Grafana's checks read; `settings/schema.ts` runs them on the parsed settings. */
export interface GrafanaContext {
  readonly grafana: GrafanaSettings;
  readonly alerts: { readonly grafanaUrl: string };
  readonly docker: { readonly host: string; readonly bindAddress: string };
}

/**
 * Grafana settings that parse one by one but do not work together: checked with the rest of the stack config,
 * so `pulumi preview` refuses them before anything is declared.
 */
export function grafanaSettingsIssues({ grafana, alerts, docker }: GrafanaContext): SettingsIssue[] {
  const issues: SettingsIssue[] = [];
  const alertLink = new URL(alerts.grafanaUrl);
  if (grafana.domain) {
    // Notifications link with `alerts.grafanaUrl`: a page from Slack must open the Grafana that answers.
    if (alertLink.hostname !== grafana.domain)
      issues.push({
        path: ["alerts", "grafanaUrl"],
        message: `must be on grafana.domain \`${grafana.domain}\` so alert links open this Grafana (got "${alerts.grafanaUrl}")`,
      });
    if (grafana.rootUrl && new URL(grafana.rootUrl).hostname !== grafana.domain)
      issues.push({
        path: ["grafana", "rootUrl"],
        message: `must be on grafana.domain \`${grafana.domain}\` (got "${grafana.rootUrl}")`,
      });
  } else if (
    !grafana.rootUrl &&
    grafana.hostPort !== null &&
    ["127.0.0.1", "localhost", "[::1]"].includes(alertLink.hostname) &&
    Number(alertLink.port || 80) !== grafana.hostPort
  ) {
    issues.push({
      path: ["alerts", "grafanaUrl"],
      message: `points at port ${alertLink.port || 80} on loopback, but grafana.hostPort is ${grafana.hostPort} (got "${alerts.grafanaUrl}")`,
    });
  }
  if (!grafana.apiUrl && !grafana.domain) {
    if (!docker.host.startsWith("unix://")) {
      issues.push({
        path: ["grafana", "apiUrl"],
        message: `is required when the Docker engine is remote (${docker.host}) and grafana.domain is not set: give the address this machine reaches Grafana at, e.g. http://127.0.0.1:3001 through \`ssh -L 3001:127.0.0.1:3001 ...\``,
      });
    } else if (grafana.hostPort === null) {
      issues.push({
        path: ["grafana", "apiUrl"],
        message: "is required when grafana.hostPort is null: `pulumi up` has no other way to reach Grafana's API",
      });
    }
  }
  if (grafana.hostPort !== null && !isPrivateAddress(docker.bindAddress)) {
    issues.push({
      path: ["grafana", "hostPort"],
      message: `would publish Grafana on the public address ${docker.bindAddress} without TLS: set grafana.domain to publish it through Traefik, or docker.bindAddress to a loopback or private address`,
    });
  }
  return issues;
}

/** Admin names anyone tries first: refused where Grafana is on the internet (`staging`, `prod`). */
export const GUESSABLE_ADMIN_USERS = ["admin", "administrator", "root", "grafana", "koprogo", "operator", "ops"];

/** A guessable `grafana.adminUser` in `staging`/`prod` (settings/load.ts reports it with the other stack problems). */
export function grafanaAdminUserProblem(settings: {
  environment: string;
  grafana: { adminUser?: string };
}): { key: string; message: string } | undefined {
  const user = settings.grafana.adminUser;
  if ((settings.environment !== "prod" && settings.environment !== "staging") || user === undefined) return undefined;
  if (!GUESSABLE_ADMIN_USERS.includes(user.toLowerCase())) return undefined;
  return {
    key: "grafana.adminUser",
    message: `must not be "${user}" in ${settings.environment}: Grafana locks a login after 5 wrong passwords, and anyone on the internet who knows the name can keep the operators and pulumi up locked out; leave it unset (a random name is generated, stack output grafanaAdminUser)`,
  };
}
