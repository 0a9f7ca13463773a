/**
 * Grafana: the UI, how it is published (loopback port, and the application's Traefik when a domain is given),
 * how `pulumi up` reaches its API, and the dashboard-only thresholds (the alert thresholds live in `alerts`).
 */
import { z } from "zod";
import { httpUrl, memory, port, positive, ratio } from "./primitives";

/** A DNS host name such as `grafana.koprogo.com` (no scheme, no port, no path). */
const domainName = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i, "must be a host name like grafana.example.com (no scheme, port or path)");

/** The application's Traefik, which publishes Grafana on `domain` over TLS. */
export const traefikPublishing = z
  .object({
    /** Traefik entrypoint of the HTTPS port. Defaults to `websecure`. */
    entrypoint: z.string().regex(/^[A-Za-z0-9_-]+$/, "must be a Traefik entrypoint name").default("websecure"),
    /** Name of Traefik's ACME certificate resolver. Defaults to `letsencrypt`. */
    certResolver: z.string().regex(/^[A-Za-z0-9_-]+$/, "must be a Traefik certificate resolver name").default("letsencrypt"),
    /** Docker network Traefik reaches Grafana on. Defaults to the stack's `docker.network.name`. */
    network: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "must be a Docker network name").optional(),
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
    /** Admin login. The password is the `grafanaAdminPassword` secret, or generated. Defaults to `admin`. */
    adminUser: z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/, "must be a login name").default("admin"),
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
