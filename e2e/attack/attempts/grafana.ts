/** Grafana (no binary here: a stand-in for reachability, its configuration for its login). */
import { SERVICE_PORTS } from "../../../settings";
import { nameOf, netnsOfService } from "../context";
import { declaredContainer } from "../declared";
import { ok, type Attempt } from "./types";
import { fromApplication, reachableFrom } from "./common";

export const GRAFANA_ATTEMPTS: readonly Attempt[] = [
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
