/** Loki, Alloy and the Docker API behind the log shipper (no binaries here: stand-ins and configuration). */
import { SERVICE_PORTS } from "../../../settings";
import { nameOf, netnsOfService, renderedText, renderedYaml } from "../context";
import { declaredContainer } from "../declared";
import { hostsOf, probe, url } from "../probe";
import { notOk, ok, type Attempt } from "./types";
import { json, reachableFrom, socketHolders, standInReach } from "./common";
import { SOCKET_PROXY_METHODS, socketProxyAllowlist, socketProxyDecision } from "../socketProxyAllowlist";

export const LOGS_ATTEMPTS: readonly Attempt[] = [
  standInReach("loki-port", "loki", "reach Loki's port (push, query, delete API)", "grafana"),
  {
    id: "loki-delete",
    title: 'erase logs (POST /loki/api/v1/delete?query={job="auth"})',
    from: "the application's network",
    mode: "config",
    phase: 1,
    async run(ctx) {
      const loki = renderedYaml<{
        auth_enabled?: boolean;
        limits_config?: { deletion_mode?: string };
        compactor?: { delete_request_store?: string; retention_enabled?: boolean };
      }>(ctx, "loki/loki.yaml");
      // Loki 3.x: deletion_mode defaults to filter-and-delete wherever the compactor has a delete request store.
      const mode = loki.limits_config?.deletion_mode ?? "filter-and-delete (default)";
      // `filter-only` hides lines from queries and never deletes a chunk (docs/operator/security.md): only the other modes erase.
      const deletes = !["disabled", "filter-only"].includes(mode) && loki.compactor?.delete_request_store !== undefined;
      const name = nameOf(ctx, "loki");
      const sharesApp = declaredContainer(ctx.declared, name).networks.some(
        (n) => n.name === ctx.lab.applicationNetwork,
      );
      return {
        succeeded: deletes && sharesApp,
        detail: `loki.yaml: limits_config.deletion_mode ${mode}, auth_enabled ${String(loki.auth_enabled ?? false)}; ${name} ${sharesApp ? "is" : "is not"} on ${ctx.lab.applicationNetwork}`,
        harness: deletes
          ? notOk("the delete API is on for the operators too")
          : ok(
              `no client of the stack deletes logs (deletion_mode ${mode}): retention alone removes them (compactor.retention_enabled)`,
            ),
      };
    },
  },
  standInReach("alloy-port", "alloy", "reach Alloy's HTTP server (UI, pprof, POST /-/reload)", "prometheus"),
  {
    id: "alloy-bind",
    title: "Alloy's HTTP server bound where the application's containers reach it",
    from: "the application's network",
    mode: "config",
    phase: 1,
    async run(ctx) {
      const alloy = declaredContainer(ctx.declared, nameOf(ctx, "alloy"));
      const flag =
        alloy.command.find((a) => a.startsWith("--server.http.listen-addr=")) ??
        "--server.http.listen-addr=127.0.0.1:12345 (default)";
      const bindHost = flag.slice(flag.indexOf("=") + 1).replace(/:\d+.*$/, "");
      const sharesApp = alloy.networks.some((n) => n.name === ctx.lab.applicationNetwork);
      const exposed = sharesApp && !["127.0.0.1", "localhost"].includes(bindHost);
      return {
        succeeded: exposed,
        detail: `${flag}; Alloy's networks: ${alloy.networks.map((n) => n.name).join(", ")}`,
        harness: await reachableFrom(
          netnsOfService(ctx, "prometheus"),
          "Prometheus (its scrape)",
          alloy.name,
          SERVICE_PORTS.alloy,
        ),
      };
    },
  },
  {
    id: "docker-api-reach",
    title: "reach the Docker socket proxy (docker run --privileged -v /:/host, docker inspect)",
    from: "the application's network",
    mode: "network",
    phase: 1,
    async run(ctx) {
      const proxies = socketHolders(ctx).filter((c) => ctx.lab.services.some((s) => s.container === c.name));
      if (proxies.length === 0)
        return {
          succeeded: false,
          detail: "no container of the stack holds the engine's socket behind a port",
          harness: ok("nothing to reach"),
        };
      const results = await Promise.all(
        proxies.map(async (proxy) => ({
          proxy,
          result: await probe(ctx.lab.applicationNetns, hostsOf(ctx.lab, proxy.name), (host) => ({
            method: "POST",
            url: url(host, ctx.lab.service(proxy.name).port, "/containers/create"),
            ...json({ Image: "alpine", HostConfig: { Privileged: true, Binds: ["/:/host"] } }),
          })),
        })),
      );
      const alloy = nameOf(ctx, "alloy");
      const harness = await Promise.all(
        proxies.map((p) => reachableFrom(netnsOfService(ctx, "alloy"), alloy, p.name, ctx.lab.service(p.name).port)),
      );
      return {
        succeeded: results.some((r) => r.result.succeeded),
        detail: `POST /containers/create (privileged, / mounted): ${results.map((r) => (results.length > 1 ? `${r.proxy.name}: ${r.result.detail}` : r.result.detail)).join(" | ")} (a listener on the proxy's port stands in for it: no binary here)`,
        harness: harness.every((h) => h.ok)
          ? ok(harness.map((h) => h.detail).join("; "))
          : notOk(harness.map((h) => h.detail).join("; ")),
      };
    },
  },
  {
    id: "docker-api",
    title:
      "use the Docker API from the stack's own containers (create, exec, archive, images) through whatever holds the socket",
    from: "a container of the stack",
    mode: "config",
    phase: 1,
    async run(ctx) {
      const problems: string[] = [];
      const notes: string[] = [];
      for (const holder of socketHolders(ctx)) {
        const env = Object.fromEntries(
          holder.env.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]),
        );
        if (!/socket-proxy/.test(holder.image)) {
          problems.push(`${holder.name} (${holder.image}) mounts the engine's socket: the whole API`);
          continue;
        }
        // Tecnativa's and LinuxServer's proxies: sections by environment (POST=1 opens every write).
        for (const key of ["POST", "EXEC", "BUILD", "IMAGES", "SECRETS", "CONFIGS", "SWARM"])
          if (env[key] === "1") problems.push(`${holder.name}: ${key}=1`);
        // wollomatic/socket-proxy 1.12.2, its flags and SP_ environment as it reads them (socketProxyAllowlist.ts).
        const list = socketProxyAllowlist(holder.command, holder.env);
        for (const method of SOCKET_PROXY_METHODS.filter((m) => m !== "GET" && m !== "HEAD"))
          if (list.methods[method]) problems.push(`${holder.name}: ${method} has an allowlist`);
        if (list.labelAllowlists) problems.push(`${holder.name}: per-container allowlists from labels are on`);
        if (socketProxyDecision(list, "POST", "/v1.41/containers/create") !== 405)
          problems.push(`${holder.name}: POST /containers/create is not answered 405`);
        if (list.methods.GET) {
          const dangerous = [
            "/containers/abc/archive",
            "/containers/abc/export",
            "/images/json",
            "/info",
            "/events",
            "/secrets",
            "/v1.47/containers/abc/top",
            "/exec/abc/json",
          ].filter((p) => socketProxyDecision(list, "GET", p) === "proxied");
          if (dangerous.length > 0) problems.push(`${holder.name}: GET allows ${dangerous.join(", ")}`);
          const needed = ["/v1.47/containers/json", "/containers/abc/logs", "/_ping"].filter(
            (p) => socketProxyDecision(list, "GET", p) !== "proxied",
          );
          if (needed.length > 0) notes.push(`GET refuses what Alloy needs: ${needed.join(", ")}`);
        }
        if (list.allowFrom.join(",") !== nameOf(ctx, "alloy"))
          problems.push(`${holder.name}: -allowfrom=${list.allowFrom.join(",")}`);
        if (holder.networks.some((n) => n.name === ctx.lab.applicationNetwork))
          problems.push(`${holder.name} is on ${ctx.lab.applicationNetwork}`);
      }
      const alloyConfig = renderedText(ctx, "alloy/config.alloy");
      const dockerHost = /discovery\.docker[^{]*\{[^}]*host\s*=\s*"([^"]+)"/.exec(alloyConfig)?.[1] ?? "(none)";
      const holders = socketHolders(ctx);
      return {
        succeeded: problems.length > 0,
        detail: `${problems.length > 0 ? problems.join("; ") : `socket held only by ${holders.map((h) => `${h.name} (${h.image}): no write method, GET only ${holders.map((h) => h.command.find((a) => a.startsWith("-allowGET="))?.slice(10) ?? "(env sections)").join(", ")}, from ${nameOf(ctx, "alloy")} only`).join(", ") || "nobody"}`}`,
        harness:
          dockerHost !== "(none)" && notes.length === 0
            ? ok(
                `Alloy discovers containers through ${dockerHost}, and the proxy lets its calls through (/containers/json, logs, _ping)`,
              )
            : notOk(notes.join("; ") || "Alloy discovers no containers"),
      };
    },
  },
];
