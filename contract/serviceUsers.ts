/**
 * The uid:gid each container of the stack runs as (`user:` on every container). One table, so that:
 * - no two services share a uid: a secret file owned by one service's uid (mode 0400) is readable by that service
 *   and by no other container of the stack, even the node exporter, which mounts the host's `/` read-only;
 * - none of them is `nobody` (65534), which the official images default to and which other host daemons use too;
 * - the data volumes are handed to that uid before the container starts (components/volumeOwner.ts).
 * The numbers are arbitrary but fixed: changing one re-owns the service's volume and files on the next `up`.
 */
import type { ServiceName } from "./services";

export interface ServiceUser {
  readonly uid: number;
  readonly gid: number;
  /** Why this uid, when it is not an arbitrary one of the 64xxx block. */
  readonly why?: string;
}

/** Services of the stack plus the Docker socket proxy (components/socketProxy.ts) and the log gateway (components/logGateway.ts). */
export type StackService = ServiceName | "socketProxy" | "logGateway";

export const SERVICE_USERS: Readonly<Record<StackService, ServiceUser>> = {
  prometheus: { uid: 64090, gid: 64090 },
  alertmanager: { uid: 64093, gid: 64093 },
  nodeExporter: {
    uid: 64100,
    gid: 64100,
    why: "mounts the host's / read-only: its own uid, so it can read no secret file of the stack",
  },
  postgresExporter: { uid: 64187, gid: 64187 },
  loki: { uid: 10001, gid: 10001, why: "the grafana/loki image's own user (it owns /loki in the image)" },
  grafana: {
    uid: 472,
    gid: 0,
    why: "the grafana/grafana image's own user; gid 0 as the image sets it (its files are group 0)",
  },
  alloy: {
    uid: 0,
    gid: 0,
    why: "reads root-owned host logs (/var/log/auth.log 0640 root:adm, the journal); it has no Docker API (only the socket proxy's read-only endpoints); on a further host it holds its one secret, its log gateway password",
  },
  logGateway: {
    uid: 64310,
    gid: 64310,
    why: "nginx as its own uid (master too): it owns the further hosts' logins and the TLS key, and listens on an unprivileged port",
  },
  socketProxy: {
    uid: 0,
    gid: 0,
    why: "opens /var/run/docker.sock (root:docker 0660, the docker gid differs per host); all capabilities dropped, read-only root filesystem",
  },
};

/** `uid:gid` for Docker's `user`. */
export function dockerUser(service: StackService): string {
  const { uid, gid } = SERVICE_USERS[service];
  return `${uid}:${gid}`;
}
