/** Prometheus: scrapes the contract's jobs, evaluates `alerts/` rules, keeps 30 days on a retained volume. */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { prometheusFlags } from "../prometheus/flags";
import { PROMETHEUS_PATHS } from "../prometheus/paths";
import { authenticatedHealthcheck } from "../webauth/healthcheck";

import { imageOf, SERVICE_PORTS, type Settings } from "../settings";
import type { HostFile } from "./configFiles";
import { configuredService } from "./configuredService";
import type { DockerHost } from "./dockerHost";

export interface PrometheusArgs {
  /** The stack settings it reads: `prometheus` (memory, port, retention, URL), `docker`, `namePrefix`. */
  readonly settings: Pick<Settings, "prometheus" | "docker" | "namePrefix">;
  /** Engine, network and host access. */
  readonly host: DockerHost;
  /** `prometheus.yml`, rule files and the token file, relative to the stack's config root (`prometheus/...`). */
  readonly files: readonly HostFile[];
}

export class Prometheus extends pulumi.ComponentResource {
  readonly container: docker.Container;
  readonly dataVolume: docker.Volume;
  /** `host:port` inside the Docker network. */
  readonly internalUrl: string;

  constructor(name: string, args: PrometheusArgs, opts?: pulumi.ComponentResourceOptions) {
    super("koprogo:observability:Prometheus", name, {}, opts);
    const { settings, host } = args;
    const service = configuredService(name, this, {
      service: "prometheus",
      settings,
      host,
      files: args.files,
      image: imageOf(settings, "prometheus"),
      memory: settings.prometheus.memory,
      hostPort: settings.prometheus.hostPort,
      command: prometheusFlags(settings),
      dataPath: PROMETHEUS_PATHS.data,
      binds: [{ hostPath: `${host.configRoot}/prometheus`, path: PROMETHEUS_PATHS.configDir, readOnly: true }],
      healthcheck: authenticatedHealthcheck("prometheus", `127.0.0.1:${SERVICE_PORTS.prometheus}`, "/-/healthy"),
      // SIGHUP re-reads prometheus.yml and the rules: a config change never restarts Prometheus or touches its data.
      onChange: "reload",
      // Closing the TSDB (head and WAL) of 30 days on a small disk can outlast the common 30 s.
      stopGraceSeconds: 120,
    });
    this.container = service.container;
    this.dataVolume = service.dataVolume;
    this.internalUrl = service.internalUrl;
    this.registerOutputs({ internalUrl: this.internalUrl });
  }
}
