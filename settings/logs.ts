/**
 * Logs: Loki and the Grafana Alloy shipper. The defaults fit the real deployment (a 2 GB VPS running the
 * application's Compose containers) and an assumed volume of about 300 MB of raw log lines a day (docs/operator/logs.md "Volume assumed for the limits").
 */
import { z } from "zod";
import { ALL_LOG_JOBS, type LogJob } from "../contract/logs";
import { duration, durationToMs, memory } from "./primitives";
import { lokiObjectStorageSettings } from "./scale";

/** Milliseconds of a duration, or NaN when it is not one (its own check reports that; zod runs every refinement). */
function msOrNaN(value: string): number {
  try {
    return durationToMs(value);
  } catch {
    return Number.NaN;
  }
}

/** A size in Loki's notation for byte quantities (`512KB`, `2MB`). */
const byteSize = z.string().regex(/^\d+(B|KB|MB)$/, "must be a size like 512KB or 2MB");

/**
 * Ingestion and query limits. They bound what one burst of logs or one heavy query can cost Loki in memory and
 * CPU on a 2-core VPS; hitting one shows up as `LokiDiscardingLogs` (ingestion) or a query error (queries).
 */
export const lokiLimitSettings = z
  .object({
    /** Sustained ingestion rate in MB/s for the whole stack. ~3 KB/s is the assumed average; 2 MB/s leaves room for incident bursts. */
    ingestionRateMb: z.number().positive("must be more than zero").default(2),
    /** Burst above the rate, in MB. Must be at least the rate. */
    ingestionBurstSizeMb: z.number().positive("must be more than zero").default(4),
    /** Rate of one stream (one job/level/... combination): one noisy container cannot starve the others. */
    perStreamRateLimit: byteSize.default("512KB"),
    /** Burst of one stream. */
    perStreamRateLimitBurst: byteSize.default("2MB"),
    /**
     * Active streams. The label set here gives well under 200; a higher count means a label exploded (a
     * mistake in a pipeline), and refusing it protects Loki's memory.
     */
    maxStreams: z.number().int().positive("must be more than zero").default(500),
    /** Lines one query may return (Grafana's Explore asks for 1000 by default). */
    maxEntriesPerQuery: z.number().int().positive("must be more than zero").default(5000),
    /** Series one metric query may return (a dashboard panel). */
    maxQuerySeries: z.number().int().positive("must be more than zero").default(500),
    /** Sub-queries run in parallel for one query: the VPS has 2 cores shared with the application. */
    maxQueryParallelism: z.number().int().positive("must be more than zero").default(2),
    /** A query running longer is cancelled; at most 5m, since a longer one would hold the VPS's cores. */
    queryTimeout: duration.refine((d) => !(msOrNaN(d) > 300_000), "must be at most 5m").default("1m"),
  })
  .strict()
  .refine((limits) => limits.ingestionBurstSizeMb >= limits.ingestionRateMb, {
    message: "ingestionBurstSizeMb must be at least ingestionRateMb",
    path: ["ingestionBurstSizeMb"],
  });

export const lokiSettings = z
  .object({
    /** Container memory limit. */
    memory: memory.default("192m"),
    /**
     * Always `null`: Loki is on the internal monitoring network only, where Docker publishes no port. Reach it
     * through Grafana's Explore, or `docker exec` into the Loki container.
     */
    hostPort: z
      .null({
        message:
          "must be null: Loki is on the internal monitoring network, which cannot publish a port (use Grafana's Explore)",
      })
      .default(null),
    /** How long logs are kept; the compactor deletes older chunks. Defaults to `168h` (7 days). */
    retention: duration
      .refine(
        (d) => !(msOrNaN(d) % 86_400_000 > 0),
        "must be a whole number of days such as 168h or 7d (Loki's index period is 24h)",
      )
      .default("168h"),
    limits: lokiLimitSettings.prefault({}),
    /** Chunks and index on an S3-compatible bucket instead of the local volume; absent: the retained local volume. */
    storage: lokiObjectStorageSettings.optional(),
  })
  .strict();

const CONTAINER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** A host log file Alloy tails: an absolute path under `/var/log` (the only host directory mounted into Alloy), or `null` for none. */
const hostLogFile = z
  .string()
  .regex(
    /^\/var\/log\/[A-Za-z0-9._/-]+$/,
    "must be an absolute path of a file under /var/log (the host directory mounted into Alloy) of letters, digits and . _ - / only (no wildcards, spaces, quotes, $ or newlines)",
  )
  .refine((p) => !p.split("/").includes(".."), "must not contain ..")
  .nullable();

export const alloySettings = z
  .object({
    /** Container memory limit. */
    memory: memory.default("128m"),
    /** Always `null`: Alloy is on internal networks only and listens on its monitoring address (its UI: `docker exec` or a tunnel). */
    hostPort: z
      .null({ message: "must be null: Alloy is on internal networks only, which cannot publish a port" })
      .default(null),
    /**
     * Which Docker container logs under which `job` (container name → job). Defaults to the real deployment's
     * Compose containers. The stack's own services are added from their container names; any other container
     * keeps its logs under `job="docker"` with its `container` label.
     */
    containers: z
      .record(z.string(), z.string())
      .superRefine((containers, ctx) => {
        // Keys and values checked together, so one run names every bad entry with its key.
        for (const [name, job] of Object.entries(containers)) {
          if (!CONTAINER_NAME.test(name))
            ctx.addIssue({
              code: "custom",
              path: [name],
              message: "must be a Docker container name (letters, digits, _ . -)",
              input: name,
            });
          else if (!(ALL_LOG_JOBS as readonly string[]).includes(job))
            ctx.addIssue({
              code: "custom",
              path: [name],
              message: `must be one of the log jobs of contract/logs.ts: ${ALL_LOG_JOBS.join(", ")}`,
              input: job,
            });
        }
      })
      .transform((containers) => containers as Record<string, LogJob>)
      .default({ "koprogo-backend": "koprogo-api", "koprogo-postgres": "postgresql", "koprogo-traefik": "traefik" }),
    /** Host log files by job. The agents' files by default; `api`/`postgres` for a host that runs them as systemd services with file logs. */
    hostFiles: z
      .object({
        /** Suricata's `eve.json`. */
        suricata: hostLogFile.default("/var/log/suricata/eve.json"),
        /** fail2ban's log. */
        fail2ban: hostLogFile.default("/var/log/fail2ban.log"),
        /** sshd and sudo (`auth.log`). */
        auth: hostLogFile.default("/var/log/auth.log"),
        /** CrowdSec's agent log. */
        crowdsec: hostLogFile.default("/var/log/crowdsec.log"),
        /** The backend's log file when it runs as a systemd service (default: its container's log). */
        api: hostLogFile.default(null),
        /** PostgreSQL's log file when it runs on the host (default: its container's log). */
        postgres: hostLogFile.default(null),
      })
      .strict()
      .prefault({}),
    /** Suricata `event_type`s not shipped: flow and stats records are most of eve.json's volume and answer no incident question that metrics do not. */
    suricataDropEventTypes: z
      .array(z.string().regex(/^[a-z_]+$/, "must be a Suricata event_type such as flow or stats"))
      .default(["flow", "netflow", "stats"]),
    journal: z
      .object({
        /** Ship the systemd journal (sshd, dockerd, kernel, the agents' units). */
        enabled: z.boolean().default(true),
        /** How far back the first start reads: older entries would be refused by Loki anyway, and a backlog costs memory. */
        maxAge: duration.default("12h"),
      })
      .strict()
      .prefault({}),
    /** Value of the `host` label on every stream. */
    hostLabel: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]*$/, "must be a short lower-case host name")
      .default("vps"),
    /** The Docker engine's socket on the host, mounted read-only into the socket proxy (never into Alloy). */
    dockerSocket: z
      .string()
      .regex(/^\/[A-Za-z0-9._/-]+\.sock$/, "must be the absolute path of a unix socket (letters, digits, . _ - /)")
      .default("/var/run/docker.sock"),
  })
  .strict();

export type LokiSettings = z.infer<typeof lokiSettings>;
export type LokiLimitSettings = z.infer<typeof lokiLimitSettings>;
export type AlloySettings = z.infer<typeof alloySettings>;
