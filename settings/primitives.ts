/**
 * Small zod types shared by every part of the settings schema. Each one says in its error message what a valid
 * value looks like, because the message is all an operator sees when `pulumi preview` refuses a stack file.
 */
import { z } from "zod";

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 };
const DURATION_PATTERN = /^(\d+(ms|s|m|h|d|w|y))+$/;

/** Milliseconds in a Prometheus-style duration (`30s`, `1h30m`, `30d`). Throws on anything else. */
export function durationToMs(value: string): number {
  if (!DURATION_PATTERN.test(value)) throw new Error(`"${value}" is not a duration like 30s, 5m, 12h or 30d`);
  let total = 0;
  for (const [, amount, unit] of value.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) total += Number(amount) * DURATION_UNITS[unit];
  return total;
}

/** A Prometheus duration, also understood by Loki and Alertmanager: digits and a unit, e.g. `30s`, `5m`, `30d`. */
export const duration = z.string().refine((v) => DURATION_PATTERN.test(v) && durationToMs(v) > 0, {
  message: "must be a positive duration like 30s, 5m, 12h or 30d",
});

/** A TCP port, 1 to 65535. */
export const port = z.number().int("must be a whole number").min(1, "must be a port between 1 and 65535").max(65535, "must be a port between 1 and 65535");

const MEMORY_UNITS: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
const MEMORY_PATTERN = /^(\d+)(b|k|m|g)$/i;

/** Bytes in a Docker memory size (`256m`, `1g`). */
export function memoryToBytes(value: string): number {
  const match = MEMORY_PATTERN.exec(value);
  if (!match) throw new Error(`"${value}" is not a memory size like 128m or 1g`);
  return Number(match[1]) * MEMORY_UNITS[match[2].toLowerCase()];
}

/** A container memory limit in Docker's notation; at least 16 MiB because no service here starts below that. */
export const memory = z.string().refine((v) => MEMORY_PATTERN.test(v) && memoryToBytes(v) >= 16 * 1024 ** 2, {
  message: "must be a memory size of at least 16m, like 128m or 1g",
});

/** `host:port` of a scrape target or service. */
export const hostPort = z.string().regex(/^[A-Za-z0-9._-]+:\d{1,5}$/, "must be host:port, e.g. koprogo-backend:8080");

/** A URL with an http or https scheme. */
export const httpUrl = z.string().regex(/^https?:\/\/[^\s]+$/, "must be an http:// or https:// URL");

const PUBLIC_WILDCARDS = new Set(["0.0.0.0", "::", "[::]", ""]);

/**
 * The host address a port is published on. Loopback by default; a wildcard is refused because a Docker-published
 * port bypasses UFW and would put an unauthenticated UI on the internet: public access goes through Traefik.
 */
export const bindAddress = z
  .string()
  .refine((v) => !PUBLIC_WILDCARDS.has(v), { message: "must not be a wildcard address (0.0.0.0 or ::): publish through the reverse proxy instead" })
  .refine((v) => /^(\d{1,3}\.){3}\d{1,3}$/.test(v) || /^[0-9a-f:]+$/i.test(v), { message: "must be an IP address such as 127.0.0.1" });

/** A ratio between 0 and 1 (0.1 is 10 %). */
export const ratio = z.number().min(0, "must be between 0 and 1").max(1, "must be between 0 and 1");

/** A non-negative number. */
export const nonNegative = z.number().min(0, "must be zero or more");

/** A positive number. */
export const positive = z.number().positive("must be more than zero");

/** Whether `value` compiles as a JavaScript regular expression. */
export function isRegex(value: string): boolean {
  try {
    new RegExp(value);
    return true;
  } catch {
    return false;
  }
}
