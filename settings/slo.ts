/**
 * The API's service level objectives: availability (requests answered without a server error) and latency
 * (requests answered within a threshold), over a 30-day period, alerted on with multi-window multi-burn-rate rules
 * (alerts/rules/slo.ts; Google's SRE workbook, "Alerting on SLOs").
 */
import { z } from "zod";
import { positive } from "./primitives";

/** An SLO target: a share strictly between 0 and 1 (a target of 1 leaves no error budget to burn). */
const target = z
  .number()
  .gt(0, "must be between 0 and 1 (exclusive), like 0.999")
  .lt(1, "must be below 1: a target of 1 has no error budget");

export const sloSettings = z
  .object({
    /** Share of the API's requests over 30 days that must be answered without a server error (5xx). Defaults to `0.999`. */
    availability: target.default(0.999),
    /** Share of the API's requests over 30 days that must be answered within `latencySeconds`. Defaults to `0.99`. */
    latency: target.default(0.99),
    /**
     * The latency SLO's threshold in seconds. It must be an upper bound (`le`) of the request histogram's buckets:
     * Traefik's default buckets are 0.1, 0.3, 1.2 and 5; the backend's are 0.005 to 10 (Prometheus's defaults).
     * Defaults to `0.3` with `requestMetricsSource: traefik` and `0.25` with `backend`.
     */
    latencySeconds: positive.optional(),
  })
  .strict();

export type SloSettings = z.infer<typeof sloSettings>;

/** The default latency threshold of each request-metrics source: a bucket boundary of its histogram. */
export const DEFAULT_LATENCY_SECONDS = { traefik: 0.3, backend: 0.25 } as const;
