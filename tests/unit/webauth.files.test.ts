/** The login files as pure generator output: which file each login lands in, and what a web.yml refuses to hold. */
import { WEB_LOGINS, webHashName, webPasswordName } from "../../contract/webAccess";
import { placeholderSecrets, PLACEHOLDER_BCRYPT_HASH } from "../../settings";
import { renderWebAuthFiles, webConfig } from "../../webauth/files";
import { passwordFile, passwordReader } from "../../webauth/paths";
import { stackSettings } from "../helpers/stacks";

const files = renderWebAuthFiles(stackSettings("prod").settings, placeholderSecrets());

describe("the login files", () => {
  it("writes a web.yml per server with one bcrypt user per caller", () => {
    expect(webConfig("alertmanager", placeholderSecrets())).toEqual({
      basic_auth_users: {
        operator: PLACEHOLDER_BCRYPT_HASH,
        grafana: PLACEHOLDER_BCRYPT_HASH,
        prometheus: PLACEHOLDER_BCRYPT_HASH,
        alertmanager: PLACEHOLDER_BCRYPT_HASH,
      },
    });
  });

  it.each(["", "plain-password", "$2b$04$short", "{{ $externalURL }}"])(
    "refuses %j as a hash, naming the secret",
    (hash) => {
      expect(() =>
        webConfig("prometheus", { ...placeholderSecrets(), [webHashName("prometheus", "grafana")]: hash }),
      ).toThrow("secret web.prometheus.grafana.bcrypt must be a bcrypt hash");
    },
  );

  it("puts each caller's password in the caller's own directory, and none for people or Grafana's data sources", () => {
    for (const login of WEB_LOGINS) {
      const reader = passwordReader(login);
      if (!reader) {
        expect(["operator", "grafana"]).toContain(login.user);
        continue;
      }
      const file = files.find((f) => f.path === passwordFile(login.server, login.user).rendered);
      expect(`${login.server}/${login.user}: ${file?.secret} ${file?.content}`).toBe(
        `${login.server}/${login.user}: true <secret:${webPasswordName(login.server, login.user)}>`,
      );
    }
  });

  it("marks every login file secret (written 0600 for its reader)", () => {
    expect(files.every((f) => f.secret)).toBe(true);
    expect(files.map((f) => f.path).sort()).toEqual([
      "alertmanager/secrets/web-alertmanager",
      "alertmanager/web.yml",
      "grafana/secrets/metrics-password",
      "node-exporter/secrets/web-nodeExporter",
      "node-exporter/web.yml",
      "postgres-exporter/secrets/web-postgresExporter",
      "postgres-exporter/web.yml",
      "prometheus/secrets/web-alertmanager",
      "prometheus/secrets/web-grafana",
      "prometheus/secrets/web-nodeExporter",
      "prometheus/secrets/web-postgresExporter",
      "prometheus/secrets/web-prometheus",
      "prometheus/web.yml",
    ]);
  });
});
