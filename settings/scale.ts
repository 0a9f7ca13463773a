/**
 * Growing past one VPS: further hosts, an Alertmanager cluster, a long-term metrics store, Loki on object storage.
 * Every part is optional and off by default, so a one-VPS stack file says nothing about them. The engines are
 * existing ones (Alertmanager's own gossip clustering, Prometheus `remote_write` to VictoriaMetrics, Mimir or
 * Thanos Receive, Loki's S3 client); nothing here replaces them.
 */
import { z } from "zod";
import { sshHostKey } from "./deployment";
import { dnsNameOrIpv4, httpUrl, memory, port } from "./primitives";

/** A host name as it appears in the `instance` label and in container names: short, lower-case, DNS-safe. */
export const hostName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,30}$/, "must be a short lower-case host name (letters, digits, dashes), e.g. api-2");

/** A private IPv4 address, or a DNS name, that the monitoring host reaches the host at. */
const privateAddress = dnsNameOrIpv4.refine((v) => v !== "0.0.0.0", "must not be 0.0.0.0");

/** A private IPv4 address (10/8, 172.16/12, 192.168/16), for what the monitoring host publishes to the other hosts only. */
function privateIpv4(why: string) {
  return z
    .string()
    .regex(
      /^(10\.\d{1,3}|172\.(1[6-9]|2\d|3[01])|192\.168)\.\d{1,3}\.\d{1,3}$/,
      `must be a private IPv4 address (10/8, 172.16/12, 192.168/16): ${why}`,
    )
    .refine(
      (a) => a.split(".").every((octet) => Number(octet) <= 255),
      "must be an IPv4 address (each part at most 255)",
    );
}

/** A Prometheus label name that is not reserved (`__…`) and not one the stack sets itself. */
const RESERVED_LABELS = ["instance", "job", "environment", "host", "role", "replica"];
const labelName = z
  .string()
  .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, "must be a Prometheus label name")
  .refine((v) => !v.startsWith("__"), "must not start with __ (reserved by Prometheus)")
  .refine((v) => !RESERVED_LABELS.includes(v), `must not be one the stack sets (${RESERVED_LABELS.join(", ")})`);
/** Label values end up in YAML and in Prometheus templates: no template braces, quotes or control characters. */
const labelValue = z
  .string()
  .regex(/^[A-Za-z0-9 ._:/-]{1,63}$/, "must be 1 to 63 letters, digits, spaces or . _ : / -");

/** What a host is for; it becomes the `role` label, so dashboards and alerts can say "the database host". */
export const HOST_ROLES = ["monitoring", "api", "database", "staging", "worker"] as const;

export const hostSettings = z
  .object({
    /** The host's name: its `instance` label on every series and its `host` label on every log stream. */
    name: hostName,
    /** Address on the private network the monitoring host scrapes the host's exporters at. */
    address: privateAddress,
    /** What the host runs. */
    role: z.enum(HOST_ROLES).default("api"),
    /** Further labels on every series of this host (e.g. `zone: fsn1`). */
    labels: z.record(labelName, labelValue).default({}),
    /** How the program reaches the host to install the node exporter, the log shipper and the security agents. */
    ssh: z
      .object({
        /** SSH address; defaults to `address`. */
        host: privateAddress.optional(),
        user: z
          .string()
          .regex(/^[a-z_][a-z0-9_-]{0,31}$/, "must be a Unix user name")
          .default("deploy"),
        port: port.default(22),
        /** The host's public key, pinned: commands and secrets go to this host only. */
        hostKey: sshHostKey,
      })
      .strict(),
  })
  .strict();

export const hostsSettings = z
  .array(hostSettings)
  .default([])
  .superRefine((hosts, ctx) => {
    const seen = new Map<string, number>();
    hosts.forEach((host, index) => {
      const first = seen.get(host.name);
      if (first !== undefined)
        ctx.addIssue({
          code: "custom",
          path: [index, "name"],
          message: `duplicates hosts[${first}].name ${JSON.stringify(host.name)}: host names are instance labels and must be unique`,
        });
      else seen.set(host.name, index);
    });
  });

/** Port of the node exporter on the other hosts, behind TLS and basic auth. */
export const REMOTE_NODE_EXPORTER_PORT = 9100;

/**
 * Alertmanager's own gossip cluster. Every peer runs one Alertmanager; silences and the notification log are
 * shared, so a page is sent once even though Prometheus sends every alert to every peer.
 */
export const alertmanagerClusterSettings = z
  .object({
    /**
     * The peers, by host name (`vps` is the monitoring host; others are `hosts[].name`). Two or three: one is no
     * cluster, and gossip's settle time grows with more.
     */
    peers: z
      .array(hostName)
      .min(2, "must name 2 or 3 peers: one Alertmanager is no cluster")
      .max(3, "must name at most 3 peers"),
    /** The monitoring host's private address: its Alertmanager gossips there (the other peers use `hosts[].address`). */
    monitoringHostAddress: privateIpv4("gossip is published there"),
    /** Gossip port (TCP and UDP), bound to each peer's private address only. */
    port: port.default(9094),
  })
  .strict();

/**
 * The log gateway (components/logGateway.ts): the one door from the further hosts' Alloy to Loki, which stays on
 * the internal monitoring network. nginx on the monitoring host's private address: TLS (the hosts' CA), one
 * basic-auth login per further host, `POST /loki/api/v1/push` only.
 */
export const logGatewaySettings = z
  .object({
    /** The monitoring host's private address the gateway is published on. Defaults to `alertmanager.cluster.monitoringHostAddress`. */
    address: privateIpv4("the log gateway is published there, never on a public address").optional(),
    /** Its port (TCP). */
    port: port.default(3101),
    /**
     * Largest push accepted (nginx `client_max_body_size`, answered 413 above it). Alloy's batches are at most
     * `batch_size` (1 MiB) of snappy-compressed protobuf; 4m leaves room without letting one client fill memory.
     */
    maxBodySize: z
      .string()
      .regex(/^[1-9]\d{0,2}[km]$/, "must be a size in nginx notation such as 512k or 4m")
      .default("4m"),
    /** Container memory limit: nginx with one worker and a few connections stays under 10 MiB. */
    memory: memory.default("32m"),
  })
  .strict();

/** Which long-term store receives `remote_write`: each has its own write path, auth and deduplication. */
export const REMOTE_WRITE_KINDS = ["victoriametrics", "mimir", "thanos"] as const;

export const remoteWriteSettings = z
  .object({
    /** The long-term store: `victoriametrics`, `mimir` or `thanos`. */
    kind: z.enum(REMOTE_WRITE_KINDS),
    /** The write endpoint, e.g. `https://vm.internal:8428/api/v1/write`. */
    url: httpUrl,
    /** Where Grafana queries the store (PromQL API root), e.g. `https://vm.internal:8428`; absent: Grafana keeps querying Prometheus. */
    queryUrl: httpUrl.optional(),
    /** Basic-auth user; the password is the `remoteWritePassword` secret. Absent: no auth (refused unless the URL is https on a private network you trust). */
    username: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, "must be a user name of letters, digits, . _ -")
      .optional(),
    /** Mimir's tenant (`X-Scope-OrgID`). */
    tenant: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, "must be a tenant id of letters, digits, . _ -")
      .optional(),
    /**
     * Queue sizing for a 2-core, 2 GB host: few shards, moderate batches. `capacity` × `maxShards` samples stay
     * in memory while the store is down; past that Prometheus reads the WAL again (2 h of it), so an outage
     * shorter than that loses nothing.
     */
    queue: z
      .object({
        /** Samples buffered per shard. */
        capacity: z.number().int().min(100).max(100_000).default(10_000),
        /** Parallel senders at most. */
        maxShards: z.number().int().min(1).max(50).default(4),
        /** Samples per request. */
        maxSamplesPerSend: z.number().int().min(100).max(50_000).default(2_000),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((rw, ctx) => {
    if (rw.kind === "mimir" && !rw.tenant)
      ctx.addIssue({
        code: "custom",
        path: ["tenant"],
        message: "is required when kind is mimir (Mimir refuses writes without X-Scope-OrgID)",
      });
    if (!rw.username && rw.url.startsWith("http://"))
      ctx.addIssue({
        code: "custom",
        path: ["username"],
        message: "is required for an http:// store: metrics would be written unauthenticated in clear",
      });
  });

/** S3-compatible bucket for Loki's chunks and index (KoproGo already runs MinIO). */
export const lokiObjectStorageSettings = z
  .object({
    /** The only object store kind: S3-compatible. */
    kind: z.literal("s3"),
    /** `host:port` of the S3 endpoint, e.g. `koprogo-minio:9000`. */
    endpoint: z.string().regex(/^[A-Za-z0-9._-]+(:\d{1,5})?$/, "must be host or host:port, without scheme"),
    /** Bucket for the chunks and the index. */
    bucket: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name (3-63 lower-case letters, digits, . -)"),
    /** Region of the bucket (MinIO accepts any). */
    region: z
      .string()
      .regex(/^[a-z0-9-]{1,32}$/, "must be a region like us-east-1")
      .default("us-east-1"),
    /** Access key id; the secret key is the `lokiS3SecretKey` secret. */
    accessKeyId: z.string().regex(/^[A-Za-z0-9+/=._-]{3,128}$/, "must be an access key id"),
    /** `true` for plain HTTP (MinIO on the same private Docker network); defaults to TLS. */
    insecure: z.boolean().default(false),
    /** Path-style URLs (`endpoint/bucket`), which MinIO needs. */
    forcePathStyle: z.boolean().default(true),
  })
  .strict();

export type HostSettings = z.infer<typeof hostSettings>;
export type AlertmanagerClusterSettings = z.infer<typeof alertmanagerClusterSettings>;
export type RemoteWriteSettings = z.infer<typeof remoteWriteSettings>;
export type LogGatewaySettings = z.infer<typeof logGatewaySettings>;
export type LokiObjectStorageSettings = z.infer<typeof lokiObjectStorageSettings>;
