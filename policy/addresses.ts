/**
 * Which host addresses count as "not public". A port published on anything else is reachable from the internet:
 * Docker-published ports bypass UFW, so the address is the only guard the engine honours.
 */

/** IPv4 ranges that are not routed on the internet: loopback, RFC 1918, and the shared space of WireGuard/Tailscale. */
const PRIVATE_IPV4: readonly (readonly [string, number])[] = [
  ["127.0.0.0", 8],
  ["10.0.0.0", 8],
  ["172.16.0.0", 12],
  ["192.168.0.0", 16],
  ["100.64.0.0", 10],
];

function ipv4ToNumber(address: string): number | undefined {
  const parts = address.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = value * 256 + Number(part);
  }
  return value;
}

function inIpv4Range(address: number, [network, prefix]: readonly [string, number]): boolean {
  const size = 2 ** (32 - prefix);
  const start = ipv4ToNumber(network)!;
  return address >= start && address < start + size;
}

/**
 * True for loopback and private addresses (IPv4 loopback, RFC 1918, 100.64/10; IPv6 `::1` and `fc00::/7`).
 * Wildcards (`0.0.0.0`, `::`, empty) and every public address are false, and so is anything that is not an IP
 * address (a host name could resolve to anything).
 */
export function isPrivateAddress(address: string): boolean {
  const bare = address.trim().replace(/^\[(.*)\]$/, "$1");
  const v4 = ipv4ToNumber(bare);
  if (v4 !== undefined) return PRIVATE_IPV4.some((range) => inIpv4Range(v4, range));
  const v6 = bare.toLowerCase();
  if (!/^[0-9a-f:]+$/.test(v6) || !v6.includes(":")) return false;
  if (v6 === "::1" || /^0{0,4}(:0{0,4}){6}:0{0,3}1$/.test(v6)) return true;
  // fc00::/7: unique local addresses (the first byte is fc or fd).
  return /^f[cd][0-9a-f]{0,2}:/.test(v6);
}

/** The host part of a `host:port` listen address (`127.0.0.1:9100`, `[::1]:9100`, `:9100` means every address). */
export function listenHost(listen: string): string {
  const bracketed = /^\[([^\]]*)\](?::\d+)?$/.exec(listen);
  if (bracketed) return bracketed[1];
  const colon = listen.lastIndexOf(":");
  return colon === -1 ? listen : listen.slice(0, colon);
}
