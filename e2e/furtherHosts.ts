/**
 * The further hosts of the scale lane and of the per-host benchmark: hosts made as namespaces, each running the
 * real node exporter with the web config (TLS + the node exporter's logins) the render produces for it, and the
 * secrets those files are rendered with.
 */
import * as fs from "fs";
import * as path from "path";
import { nodeExporterFlags } from "../exporters/node";
import { renderAll } from "../stack/files";
import { logGatewayHashName, logGatewayPasswordName, type Secrets, type Settings } from "../settings";
import { REMOTE_NODE_EXPORTER_PORT } from "../settings/scale";
import type { HostNetwork } from "./namespaces";
import { startProcess, type ManagedProcess } from "./processes";
import { bcryptHash } from "./logins";
import { e2eSecrets } from "./stack";
import { makeTlsMaterial, type TlsMaterial } from "./tlsMaterial";
import { TOOLS } from "./tools";

/** A host key line for the settings (the lanes reach no host over SSH). */
export const E2E_HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBIgHMKRxkycQTctsSDWa9pydMYpd2fwcA9j5BUtTcbD";

/** The `hosts` settings of a namespace network: the first host is an API host, the others database hosts. */
export function hostsSettingsOf(network: HostNetwork): Record<string, unknown>[] {
  return network.hosts.map((h, i) => ({
    name: h.name,
    address: h.address,
    role: i === 0 ? "api" : "database",
    ssh: { hostKey: E2E_HOST_KEY },
  }));
}

/** A further host's fixed e2e password at the log gateway. */
export function e2eLogGatewayPassword(host: string): string {
  return `e2eloggateway${host.replace(/[^a-z0-9]/g, "")}`;
}

/** Each further host's log gateway login (password and bcrypt hash), as the program generates them. */
export function logGatewaySecrets(hosts: readonly { readonly name: string }[]): Secrets<string> {
  return Object.fromEntries(
    hosts.flatMap((h) => [
      [logGatewayPasswordName(h.name), e2eLogGatewayPassword(h.name)],
      [logGatewayHashName(h.name), bcryptHash(e2eLogGatewayPassword(h.name))],
    ]),
  );
}

/** The e2e secrets (logins included) plus the further hosts' TLS material (the gateway's address a SAN too) and any `extra`. */
export function furtherHostSecrets(
  dir: string,
  network: HostNetwork,
  extra: Secrets<string> = {},
): { secrets: Secrets<string>; tls: TlsMaterial } {
  const tls = makeTlsMaterial(path.join(dir, "tls"), [
    ...new Set([network.gateway, ...network.hosts.map((h) => h.address)]),
  ]);
  return {
    secrets: {
      ...e2eSecrets(),
      ...logGatewaySecrets(network.hosts),
      hostsTlsCaCert: tls.caCert,
      hostsTlsCert: tls.cert,
      hostsTlsKey: tls.key,
      ...extra,
    },
    tls,
  };
}

/** Writes every rendered file under `configDir`, secret files 0600, and returns the directory. */
export function writeAllRendered(settings: Settings, secrets: Secrets<string>, configDir: string): string {
  for (const file of renderAll(settings, secrets)) {
    const target = path.join(configDir, file.path);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, file.content, { mode: file.secret ? 0o600 : 0o644 });
  }
  return configDir;
}

/** Each host's node exporter, in its namespace, with the stack's flags and the web config rendered for it. */
export function startFurtherHostExporters(network: HostNetwork, configDir: string, logDir: string): ManagedProcess[] {
  return network.hosts.map((host) => {
    const flags = nodeExporterFlags(
      `${host.address}:${REMOTE_NODE_EXPORTER_PORT}`,
      "/",
      path.join(configDir, `hosts/${host.name}/node-exporter/web.yml`),
    );
    return startProcess({
      name: `node-exporter-${host.name}`,
      ...network.exec(host, TOOLS.nodeExporter, flags),
      logDir,
    });
  });
}
