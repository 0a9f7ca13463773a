/**
 * The exporter toolkit's web configuration (`--web.config.file`), read by the node exporter on the further hosts:
 * TLS with the stack's certificate, and basic auth with a bcrypt hash. Format (exporter-toolkit, as in node
 * exporter 1.9 and Prometheus 3.5): `tls_server_config.{cert_file,key_file}`, `basic_auth_users: {user: bcrypt}`.
 * The hash, not the password, is in the file, so a copy of the file gives no access.
 */
import { toYaml } from "../render/yaml";

export interface WebConfigInput {
  /** Certificate and key paths as the exporter sees them; absent: plain HTTP (never for a further host). */
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
  /** User name → bcrypt hash (`$2a$`/`$2b$`/`$2y$`, cost ≥ 10). */
  readonly users: Readonly<Record<string, string>>;
}

const BCRYPT = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;

export function webConfig(input: WebConfigInput) {
  for (const [user, hash] of Object.entries(input.users)) {
    const cost = BCRYPT.exec(hash)?.[1];
    // Placeholders of the render CLI pass; anything else must be a real bcrypt hash: a clear password here would be accepted by nothing and leak.
    if (!hash.startsWith("<secret:") && (!cost || Number(cost) < 10)) throw new Error(`web config: the hash of user ${JSON.stringify(user)} must be a bcrypt hash of cost 10 or more`);
  }
  return {
    ...(input.tls ? { tls_server_config: { cert_file: input.tls.certFile, key_file: input.tls.keyFile, min_version: "TLS12" } } : {}),
    basic_auth_users: { ...input.users },
  };
}

export function webConfigYaml(input: WebConfigInput): string {
  return toYaml(webConfig(input));
}
