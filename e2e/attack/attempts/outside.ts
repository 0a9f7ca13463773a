/** From outside the host: the internet, and a neighbour on the host's link. */
import { SERVICE_PORTS } from "../../../settings";
import { nameOf } from "../context";
import { declaredContainer } from "../declared";
import { commandListenAddress } from "../lab";
import { probe, url } from "../probe";
import { notOk, ok, type Attempt } from "./types";
import { crowdsecAddress, listenHostOf, scrapedUp } from "./common";

export const OUTSIDE_ATTEMPTS: readonly Attempt[] = [
  {
    id: "internet-published",
    title: "reach the published ports from the internet (host's public address)",
    from: "the internet",
    mode: "network",
    phase: 1,
    async run(ctx) {
      // Every port something of the stack listens on, and the Docker engine's own TCP port (2375) for good measure.
      const listening = ctx.declared.containers.flatMap((c) => {
        const bind = commandListenAddress(c.command);
        return bind ? [bind.port] : [];
      });
      const ports = [
        ...new Set([
          ...ctx.declared.containers.flatMap((c) => c.ports.map((p) => p.external ?? p.internal)),
          ...listening,
          ...Object.values(SERVICE_PORTS),
          crowdsecAddress(ctx).port,
          2375,
        ]),
      ].sort((a, b) => a - b);
      const results = await Promise.all(
        ports.map((port) =>
          probe(ctx.lab.net.outside, [ctx.lab.net.publicAddress], (host) => ({ url: url(host, port, "/") })),
        ),
      );
      const open = ports.filter((_, i) => results[i].succeeded);
      const published = ctx.declared.containers.flatMap((c) =>
        c.ports.filter((p) => p.external !== undefined).map((p) => `${c.name} ${p.ip}:${p.external}`),
      );
      const harness = await Promise.all(
        ctx.lab.published.map(async (p) => ({
          p,
          outcome: await probe(ctx.lab.net.host, [p.ip], (host) => ({
            url: url(host, p.port, "/"),
            ...(p.service ? ctx.credentials(p.service, "operator") : {}),
          })),
        })),
      );
      return {
        succeeded: open.length > 0,
        detail: `${ctx.lab.net.publicAddress} ports ${ports.join(", ")}: ${open.length > 0 ? `open: ${open.join(", ")}` : "all refused"}; published: ${published.join(", ") || "none"}`,
        harness: harness.every((h) => h.outcome.succeeded)
          ? ok(
              `the operator's SSH tunnel end (the host's ${[...new Set(ctx.lab.published.map((p) => p.ip))].join(", ")}) reaches ${ctx.lab.published.map((p) => `${p.container.replace(/^.*?-obs-/, "")}:${p.port}`).join(", ") || "nothing"}`,
            )
          : notOk(`published ports do not answer on the host: ${harness.map((h) => h.outcome.detail).join("; ")}`),
      };
    },
  },
  {
    id: "lan-docker-subnets",
    title: "route the Docker subnets through the host's public address and reach what listens on them",
    from: "a LAN neighbour of the host",
    mode: "network",
    phase: 1,
    async run(ctx) {
      const node = declaredContainer(ctx.declared, nameOf(ctx, "nodeExporter"));
      const targets = [
        ...ctx.lab.services
          .filter((s) => s.netns !== ctx.lab.net.host)
          .flatMap((s) =>
            Object.values(ctx.lab.labContainer(s.container).addresses).map((a) => ({ host: a, port: s.port })),
          ),
        { host: listenHostOf(node) ?? ctx.lab.net.docker0Gateway, port: SERVICE_PORTS.nodeExporter },
        { host: crowdsecAddress(ctx).host, port: crowdsecAddress(ctx).port },
      ];
      const results = await Promise.all(
        targets.map((t) => probe(ctx.lab.net.outside, [t.host], (host) => ({ url: url(host, t.port, "/") }))),
      );
      const open = targets.filter((_, i) => results[i].succeeded).map((t) => `${t.host}:${t.port}`);
      return {
        succeeded: open.length > 0,
        detail: `${targets.length} container and host-bridge addresses via ${ctx.lab.net.publicAddress}: ${open.length > 0 ? `open: ${open.join(", ")}` : "none answers"}`,
        harness: await scrapedUp(ctx, "node"),
      };
    },
  },
];
