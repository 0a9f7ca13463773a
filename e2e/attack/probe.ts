/**
 * The two halves of every network attempt: the attacker's request, sent to a container under every name and
 * address the attacker could use (its name, which resolves only on a shared network, and each of its addresses
 * on every network, reachable or not), and the verdict rule: an attempt fails only when every try is refused,
 * unreachable, or answered 401/403/404. Anything else (a 2xx, a 400 that parsed the request, a 500) means the
 * request reached a server that acted on it.
 */
import { curlIn, describeOutcome, type CurlOutcome, type CurlRequest } from "./curl";
import type { AttackLab } from "./lab";

export const REFUSED_STATUSES = [401, 403, 404] as const;

export function refused(outcome: CurlOutcome): boolean {
  return outcome.kind === "no-connection" || (REFUSED_STATUSES as readonly number[]).includes(outcome.status);
}

export interface TryResult {
  readonly target: string;
  readonly outcome: CurlOutcome;
}

export interface ProbeResult {
  readonly succeeded: boolean;
  readonly tries: readonly TryResult[];
  readonly detail: string;
}

/** Every host an attacker could name a container by: its name, then each of its addresses. */
export function hostsOf(lab: AttackLab, container: string): string[] {
  const found = lab.labContainer(container);
  return [found.name, ...Object.values(found.addresses)];
}

/** Sends `request(host)` from `netns` to each host; compact detail such as `name: does not resolve; 10.230.1.12: HTTP 401`. */
export async function probe(
  netns: string,
  hosts: readonly string[],
  request: (host: string) => CurlRequest,
): Promise<ProbeResult> {
  const tries = await Promise.all(
    hosts.map(async (host) => ({ target: host, outcome: await curlIn(netns, request(host)) })),
  );
  const succeeded = tries.some((t) => !refused(t.outcome));
  const grouped = new Map<string, string[]>();
  for (const t of tries) {
    // An answer that is neither a refusal nor a plain success says why in its body (e.g. "admin APIs disabled").
    const body =
      t.outcome.kind === "http" && t.outcome.status >= 300 && !refused(t.outcome)
        ? ` (${t.outcome.body.trim().slice(0, 80)})`
        : "";
    const what = `${describeOutcome(t.outcome)}${body}`;
    grouped.set(what, [...(grouped.get(what) ?? []), t.target]);
  }
  const detail = [...grouped].map(([what, targets]) => `${targets.join(", ")}: ${what}`).join("; ");
  return { succeeded, tries, detail };
}

/** `http://host:port/path`. */
export const url = (host: string, port: number, pathAndQuery: string) => `http://${host}:${port}${pathAndQuery}`;
