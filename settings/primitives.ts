/**
 * Small zod types shared by every part of the settings schema. Each one says in its error message what a valid
 * value looks like, because the message is all an operator sees when `pulumi preview` refuses a stack file.
 */
import { z } from "zod";

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};
const DURATION_PATTERN = /^(\d+(ms|s|m|h|d|w|y))+$/;

/** Milliseconds in a Prometheus-style duration (`30s`, `1h30m`, `30d`). Throws on anything else. */
export function durationToMs(value: string): number {
  if (!DURATION_PATTERN.test(value)) throw new Error(`"${value}" is not a duration like 30s, 5m, 12h or 30d`);
  let total = 0;
  for (const [, amount, unit] of value.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g))
    total += Number(amount) * DURATION_UNITS[unit];
  return total;
}

/**
 * A string in a notation with a unit (`15s`, `256m`), with a message for what YAML hands over instead: a bare
 * number (`scrapeInterval: 15`) has no unit, and zod's own "expected string, received number" does not say so.
 * @param units how the number would be written with a unit, e.g. `(n) => \`"${n}s" for seconds\``
 */
function unitString(what: string, examples: string, units: (n: number) => string) {
  return z.string({
    error: (issue) =>
      typeof issue.input === "number"
        ? `must be ${what} with its unit, like ${examples}: a bare number has none (write ${units(issue.input)})`
        : `must be ${what} like ${examples}`,
  });
}

/** A Prometheus duration, also understood by Loki and Alertmanager: digits and a unit, e.g. `30s`, `5m`, `30d`. */
export const duration = unitString(
  "a duration",
  "30s, 5m, 12h or 30d",
  (n) => `"${n}s" for seconds, "${n}m" for minutes`,
).refine((v) => DURATION_PATTERN.test(v) && durationToMs(v) > 0, {
  message: "must be a positive duration like 30s, 5m, 12h or 30d",
});

/** A TCP port, 1 to 65535. */
export const port = z
  .number()
  .int("must be a whole number")
  .min(1, "must be a port between 1 and 65535")
  .max(65535, "must be a port between 1 and 65535");

const MEMORY_UNITS: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
const MEMORY_PATTERN = /^(\d+)(b|k|m|g)$/i;

/** Bytes in a Docker memory size (`256m`, `1g`). */
export function memoryToBytes(value: string): number {
  const match = MEMORY_PATTERN.exec(value);
  if (!match) throw new Error(`"${value}" is not a memory size like 128m or 1g`);
  return Number(match[1]) * MEMORY_UNITS[match[2].toLowerCase()];
}

/** A container memory limit in Docker's notation; at least 16 MiB because no service here starts below that. */
export const memory = unitString("a memory size", "128m or 1g", (n) => `"${n}m" for MiB, "${n}g" for GiB`).refine(
  (v) => MEMORY_PATTERN.test(v) && memoryToBytes(v) >= 16 * 1024 ** 2,
  {
    message: "must be a memory size of at least 16m, like 128m or 1g",
  },
);

/** `host:port` of a scrape target or service. */
export const hostPort = z.string().regex(/^[A-Za-z0-9._-]+:\d{1,5}$/, "must be host:port, e.g. koprogo-backend:8080");

/**
 * A URL with an http or https scheme, of the characters a URL needs and nothing a shell, a YAML/INI/Alloy file or
 * a template could read as syntax. URLs of the settings land in every alert's annotations (`runbook_url`,
 * `dashboard_url`), which Prometheus expands as Go templates: `{{ ... }}` there would run as a template
 * (`{{ $externalURL }}`, `{{ query ... }}`), so it is refused outright rather than escaped.
 * Allowed: letters, digits and `. _ ~ : / ? # [ ] @ & + , = % -` (percent-encode anything else).
 */
export const httpUrl = z.string().superRefine((value, ctx) => {
  const problem = urlProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem, input: value });
});

const URL_PATTERN = /^https?:\/\/[A-Za-z0-9.[\]:-]+(\/[A-Za-z0-9._~:/?#[\]@&+,=%-]*)?$/;

/** Why `value` is not an acceptable URL setting, or undefined. */
export function urlProblem(value: string): string | undefined {
  if (/\{\{|\}\}/.test(value))
    return "must not contain {{ or }}: it would run as a Prometheus/Alertmanager template in the alerts' annotations";
  if (!/^https?:\/\//.test(value)) return "must be an http:// or https:// URL";
  if (!URL_PATTERN.test(value))
    return "must be a URL of letters, digits and . _ ~ : / ? # [ ] @ & + , = % - only (no spaces, newlines, quotes, $, backticks, braces or backslashes: percent-encode them)";
  return undefined;
}

/**
 * An absolute path of plain characters: letters, digits, `. _ - /`, no `..` segment. Paths of the settings go into
 * shell scripts (quoted as well), bind mounts, Alloy and INI files.
 */
export const absolutePath = z
  .string()
  .regex(
    /^\/[A-Za-z0-9._/-]*$/,
    "must be an absolute path of letters, digits and . _ - / only (no spaces, quotes, $, backticks or newlines)",
  )
  .refine((p) => !p.split("/").includes(".."), "must not contain a .. segment");

/** An IPv4 address: four decimal parts of 0 to 255, no leading zeros. */
export const IPV4_PATTERN = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6_PATTERN = /^[0-9a-f:]{2,39}$/i;

export function isIpv4(value: string): boolean {
  return IPV4_PATTERN.test(value);
}

/**
 * A dotted name whose last part is a number is meant as an IPv4 address (no top-level domain is all digits), so
 * it must be a valid one: `999.999.1.1` is refused instead of being looked up as a DNS name.
 */
function numericNameProblem(value: string): string | undefined {
  if (!/\.\d+$/.test(value) || isIpv4(value)) return undefined;
  return "must be a valid IPv4 address (four parts, each 0 to 255, like 10.0.0.5) or a DNS name";
}

/** A zod refinement that reports `numericNameProblem`'s finding on the value. */
function refuseNumericNameProblem(value: string, ctx: z.RefinementCtx): void {
  const problem = numericNameProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem, input: value });
}

/** Loopback (127.0.0.0/8, ::1) or private (RFC 1918: 10/8, 172.16/12, 192.168/16; IPv6 ULA fc00::/7): not on the internet. */
export function isPrivateAddress(address: string): boolean {
  if (address === "::1") return true;
  if (isIpv4(address)) {
    const [a, b] = address.split(".").map(Number);
    return a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
  }
  return /^f[cd][0-9a-f]{2}:/i.test(address);
}

/** A DNS host name, an IPv4 or an IPv6 address (no user, port, path or shell syntax). */
export const hostName = z
  .string()
  .regex(
    /^((?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|[0-9A-Fa-f:]{2,39})$/,
    "must be a host name or an IP address such as vps.example.com",
  )
  .superRefine(refuseNumericNameProblem);

/** A DNS name or an IPv4 address (checked as one when it looks like one), without port. */
export const dnsNameOrIpv4 = z
  .string()
  .regex(
    /^([a-z0-9]([a-z0-9-]*[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i,
    "must be an IP address or a DNS name, without port",
  )
  .superRefine(refuseNumericNameProblem);

/** A Unix login name (`deploy`, `root`). */
export const loginName = z
  .string()
  .regex(/^[a-z_][a-z0-9_-]{0,31}$/, "must be a Unix login name (lower-case letters, digits, _ and -)");

/** A PostgreSQL identifier left unquoted: a database or role name that a DSN, psql and SQL take as is. */
export const sqlIdentifier = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]{0,62}$/,
    "must be a PostgreSQL name of letters, digits and _ (no ?, &, =, / or quotes: it is pasted into the exporter's DSN)",
  );

/** A Docker container name. */
export const dockerName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, "must be a Docker container name (letters, digits, _ . -)");

const PUBLIC_WILDCARDS = new Set(["0.0.0.0", "::", "[::]", ""]);

/**
 * The host address a port is published on. Loopback by default; a wildcard is refused because a Docker-published
 * port bypasses UFW and would put an unauthenticated UI on the internet: public access goes through Traefik.
 */
export const bindAddress = z
  .string()
  .refine((v) => !PUBLIC_WILDCARDS.has(v), {
    message: "must not be a wildcard address (0.0.0.0 or ::): publish through the reverse proxy instead",
  })
  .refine((v) => isIpv4(v) || IPV6_PATTERN.test(v), {
    message: "must be an IP address such as 127.0.0.1 (an IPv4 address has four parts, each 0 to 255)",
  });

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
