/**
 * The attempts: what an attacker on the application's network (a compromised application container, or an SSRF
 * in the API: the lab's `koprogo-backend` namespace) or on the internet (the lab's outside machine) would try
 * against the monitoring plane. Each network attempt is made for real against the running lab and is paired with
 * the harness's own call on the same endpoint (or, where the endpoint is closed to everyone, the legitimate way
 * of doing the same thing), which must succeed. Where the service cannot run here, the attempt is checked on the
 * rendered configuration and the declared network membership, and says so (`mode: "config"`).
 */
import { ALERTMANAGER_ATTEMPTS } from "./alertmanager";
import { PROMETHEUS_ATTEMPTS } from "./prometheus";
import { EXPORTERS_ATTEMPTS } from "./exporters";
import { LOGS_ATTEMPTS } from "./logs";
import { GRAFANA_ATTEMPTS } from "./grafana";
import { STACK_ATTEMPTS } from "./stack";
import { OUTSIDE_ATTEMPTS } from "./outside";
import { ACCESS_LOG_ATTEMPTS } from "./accessLog";
import { DELIVERY_ATTEMPTS } from "./delivery";
import { HOST_EDGE_ATTEMPTS } from "./hostEdge";

export type { Attempt, AttemptResult } from "./types";

/** Every attempt, in the order the suite reports them. */
export const ATTEMPTS = [
  ...ALERTMANAGER_ATTEMPTS,
  ...PROMETHEUS_ATTEMPTS,
  ...EXPORTERS_ATTEMPTS,
  ...LOGS_ATTEMPTS,
  ...GRAFANA_ATTEMPTS,
  ...STACK_ATTEMPTS,
  ...OUTSIDE_ATTEMPTS,
  ...ACCESS_LOG_ATTEMPTS,
  ...DELIVERY_ATTEMPTS,
  ...HOST_EDGE_ATTEMPTS,
] as const;
