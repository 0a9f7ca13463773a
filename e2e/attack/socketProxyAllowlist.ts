/**
 * What wollomatic/socket-proxy 1.12.2 lets through, computed from a container's command line and environment as
 * the proxy computes it at start. Its binary cannot be built here (toolchain/versions.ts UNAVAILABLE_TOOLS: the Go
 * module proxy answers 403 for the module), so its decision is read from its source at the tag 1.12.2 (commit
 * 08dca430b82a) and restated here, with the lines relied on:
 * - internal/config/config.go `InitConfig`: one allowlist per method of `supportedHTTPMethods` (GET, HEAD, POST,
 *   PUT, PATCH, DELETE, CONNECT, TRACE, OPTIONS) from the flags `-allow<METHOD>=<regex>` (repeatable) and the
 *   environment variables `SP_ALLOW_<METHOD>` and `SP_ALLOW_<METHOD>_<anything>` (env.go); `effectiveMethodParams`: when a
 *   method has a flag its environment values are dropped, otherwise the environment's are used. So an
 *   `SP_ALLOW_POST` in the container's environment opens POST even though no flag names it.
 * - `compileRegexp`: each regex compiled as `^` + regex + `$` (RE2): anchored, matched against `r.URL.Path`
 *   (cmd/socket-proxy/handlehttprequest.go `matchURL`), the query string not included.
 * - handlehttprequest.go `handleHTTPRequest`: the client's address first (`-allowfrom`, default `127.0.0.1/32`, a
 *   CIDR or a host name resolved at every request: 403 "forbidden IP"), then the method (no allowlist: 405), then the
 *   path (no match: 403), then bind-mount restrictions, then the request is proxied.
 * - `-proxycontainername` (or `SP_PROXYCONTAINERNAME`) turns on per-container allowlists read from other
 *   containers' labels (`socket-proxy.allow.*`): any container that can set its own labels on those networks could
 *   then give itself write methods.
 */

export const SOCKET_PROXY_METHODS = [
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "CONNECT",
  "TRACE",
  "OPTIONS",
] as const;
export type SocketProxyMethod = (typeof SOCKET_PROXY_METHODS)[number];

export interface SocketProxyAllowlist {
  /** The anchored patterns per method; a method absent here is answered 405. */
  readonly methods: Partial<Record<SocketProxyMethod, readonly RegExp[]>>;
  readonly allowFrom: readonly string[];
  /** Per-container allowlists from labels are on (`-proxycontainername`). */
  readonly labelAllowlists: boolean;
}

/**
 * The values of a string flag as Go's `flag` package reads them: `-name=value`, `--name=value`, or `-name value`
 * (the next argument), names case-sensitive, repeatable, in order.
 */
function flagValues(command: readonly string[], name: string): string[] {
  const values: string[] = [];
  command.forEach((arg, index) => {
    const match = /^--?([^=]+)(?:=(.*))?$/s.exec(arg);
    if (!match || match[1] !== name) return;
    if (match[2] !== undefined) values.push(match[2]);
    else if (index + 1 < command.length) values.push(command[index + 1]);
  });
  return values;
}

export function socketProxyAllowlist(command: readonly string[], env: readonly string[]): SocketProxyAllowlist {
  const environment = new Map(env.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)] as const));
  const methods: Partial<Record<SocketProxyMethod, RegExp[]>> = {};
  for (const method of SOCKET_PROXY_METHODS) {
    const fromFlags = flagValues(command, `allow${method}`);
    const fromEnv = [...environment]
      // env.go: the part of the name after SP_ALLOW_ up to the next `_` is the method (any suffix after it).
      .filter(([key]) => key === `SP_ALLOW_${method}` || key.startsWith(`SP_ALLOW_${method}_`))
      .map(([, value]) => value);
    const patterns = (fromFlags.length > 0 ? fromFlags : fromEnv).filter((p) => p !== "");
    // RE2 and JavaScript agree on the patterns the stack writes (groups, classes, alternation, `?`, `{m,n}`).
    if (patterns.length > 0) methods[method] = patterns.map((p) => new RegExp(`^${p}$`));
  }
  const allowFrom = (flagValues(command, "allowfrom").pop() ?? environment.get("SP_ALLOWFROM") ?? "127.0.0.1/32").split(
    ",",
  );
  const labelAllowlists =
    (flagValues(command, "proxycontainername").pop() ?? environment.get("SP_PROXYCONTAINERNAME") ?? "") !== "";
  return { methods, allowFrom, labelAllowlists };
}

/** The proxy's answer to an allowed client's request: 405 (method), 403 (path) or `proxied`. */
export function socketProxyDecision(
  list: SocketProxyAllowlist,
  method: SocketProxyMethod,
  path: string,
): 405 | 403 | "proxied" {
  const patterns = list.methods[method];
  if (!patterns) return 405;
  return patterns.some((p) => p.test(path)) ? "proxied" : 403;
}
