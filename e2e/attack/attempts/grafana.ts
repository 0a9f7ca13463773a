/** Grafana (no binary here: a stand-in for reachability, its configuration for its login). */
import { execFile } from "child_process";
import { promisify } from "util";
import { SERVICE_PORTS } from "../../../settings";
import { GUESSABLE_ADMIN_USERS } from "../../../settings/grafana";
import { nameOf, netnsOfService } from "../context";
import { declaredContainer } from "../declared";
import { notOk, ok, type Attempt } from "./types";

const run = promisify(execFile);

/** Whether `from` reaches `address` with one ICMP echo: on a shared bridge only (the lab's host routes nothing there). */
const pings = (from: string, address: string) =>
  run("ip", ["netns", "exec", from, "ping", "-c", "1", "-W", "1", "-n", "-q", address], { timeout: 5000 }).then(
    () => true,
    () => false,
  );
import { fromApplication, reachableFrom } from "./common";

export const GRAFANA_ATTEMPTS: readonly Attempt[] = [
  {
    id: "grafana-login-sniff",
    title: "share the bridge of the Traefik→Grafana hop (admin Basic auth in clear) to ARP-spoof it",
    from: "the application's network",
    mode: "network",
    phase: 1,
    async run(ctx) {
      // The hop that carries every login and every `pulumi up`'s admin Basic auth, in clear HTTP: Traefik to
      // Grafana on the network Grafana's label names. Whoever has an interface on that bridge can ARP-spoof it
      // (CAP_NET_RAW is in Docker's default set): reaching Grafana there at layer 2 (one ping, no router) is that.
      const grafana = declaredContainer(ctx.declared, nameOf(ctx, "grafana"));
      const network = grafana.labels["traefik.docker.network"] ?? ctx.lab.applicationNetwork;
      const target = ctx.lab.labContainer(grafana.name).addresses[network];
      const attacker = ctx.lab.applicationNetns;
      const adjacent = target !== undefined && (await pings(attacker, target));
      const traefik = ctx.settings.targets.traefik?.split(":")[0];
      const traefikNs = traefik ? ctx.lab.labContainer(traefik).netns : undefined;
      const harness = target !== undefined && traefikNs !== undefined && (await pings(traefikNs, target));
      return {
        succeeded: adjacent,
        detail: `Traefik reaches Grafana on ${network} (${target ?? "Grafana is not on it"}): the application's container ${adjacent ? "is ON that bridge (layer 2: it can ARP-spoof the hop)" : "has no interface there"}`,
        harness: harness
          ? ok(`${traefik} reaches Grafana at ${target} on ${network}`)
          : notOk(`${traefik ?? "Traefik"} does not reach Grafana on ${network}`),
      };
    },
  },
  {
    id: "grafana-admin-lockout",
    title:
      "send 5 wrong passwords for Grafana's admin every 5 minutes through Traefik, locking out people and pulumi up",
    from: "the internet",
    mode: "config",
    phase: 1,
    async run(ctx) {
      const grafana = declaredContainer(ctx.declared, nameOf(ctx, "grafana"));
      const env = Object.fromEntries(grafana.env.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
      const user = env.GF_SECURITY_ADMIN_USER ?? "admin";
      const routed = grafana.labels["traefik.enable"] === "true";
      const guessable = GUESSABLE_ADMIN_USERS.includes(user.toLowerCase());
      const protection = env.GF_SECURITY_DISABLE_BRUTE_FORCE_LOGIN_PROTECTION !== "true";
      return {
        succeeded: routed && protection && guessable,
        detail: `login routed from the internet: ${routed}; brute-force lockout (5 tries) on: ${protection}; admin login "${guessable ? user : `${user.slice(0, 6)}…`}" ${guessable ? "is guessable" : "is generated, unknown outside the state"}`,
        harness: ok("pulumi up signs in with the admin login it generated (stack output grafanaAdminUser)"),
      };
    },
  },
  {
    id: "grafana-anonymous",
    title: "use Grafana from the application's network without signing in",
    from: "the application's network",
    mode: "config",
    phase: 1,
    async run(ctx) {
      // Grafana must be on the application's network (the application's Traefik routes to it): what stops an
      // attacker there is its login, which only its configuration can show here.
      const reach = await fromApplication(ctx, "grafana", (base) => ({ url: `${base}/` }));
      const grafana = declaredContainer(ctx.declared, nameOf(ctx, "grafana"));
      const env = Object.fromEntries(grafana.env.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
      const open =
        env.GF_AUTH_ANONYMOUS_ENABLED !== "false" ||
        env.GF_AUTH_DISABLE_LOGIN_FORM === "true" ||
        env.GF_AUTH_PROXY_ENABLED === "true" ||
        !env.GF_SECURITY_ADMIN_PASSWORD__FILE;
      return {
        succeeded: reach.succeeded && open,
        detail: `reach (a listener stands in for Grafana): ${reach.detail}; GF_AUTH_ANONYMOUS_ENABLED=${env.GF_AUTH_ANONYMOUS_ENABLED ?? "(default)"}, auth proxy ${env.GF_AUTH_PROXY_ENABLED ?? "off"}, admin password ${env.GF_SECURITY_ADMIN_PASSWORD__FILE ? "from a file" : "DEFAULT"}`,
        harness: await reachableFrom(
          netnsOfService(ctx, "prometheus"),
          nameOf(ctx, "prometheus"),
          grafana.name,
          SERVICE_PORTS.grafana,
        ),
      };
    },
  },
  {
    id: "grafana-metrics",
    title: "read Grafana's /metrics through the public Traefik router",
    from: "the internet",
    mode: "config",
    phase: 1,
    async run(ctx) {
      const grafana = declaredContainer(ctx.declared, nameOf(ctx, "grafana"));
      const env = Object.fromEntries(grafana.env.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
      const rules = Object.entries(grafana.labels)
        .filter(([k]) => /^traefik\.http\.routers\.[^.]+\.rule$/.test(k))
        .map(([, v]) => v);
      const routed =
        grafana.labels["traefik.enable"] === "true" &&
        rules.some((rule) => !/!\s*PathPrefix\(`\/metrics`\)/.test(rule));
      const metricsOn = env.GF_METRICS_ENABLED !== "false";
      const metricsAuth = Boolean(env.GF_METRICS_BASIC_AUTH_USERNAME);
      return {
        succeeded: routed && metricsOn && !metricsAuth,
        detail: `GF_METRICS_ENABLED=${env.GF_METRICS_ENABLED ?? "(default true)"}, metrics basic auth ${metricsAuth ? "set" : "unset"}; router rule${rules.length === 1 ? "" : "s"}: ${rules.join(" | ") || "(not routed)"}`,
        harness: ok("Prometheus scrapes Grafana on the internal network (job grafana), not through Traefik"),
      };
    },
  },
];
