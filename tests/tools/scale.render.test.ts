/**
 * `npm run render -- --stack scale` writes the multi-host files, and the deployed tools accept them: promtool
 * 3.5 checks prometheus.yml (the further hosts' TLS job, every Alertmanager peer, remote write) and a further
 * host's web config, amtool 0.28 checks alertmanager.yml.
 */
import * as fs from "fs";
import * as path from "path";
import { renderStack } from "../../scripts/render";
import { bcryptHash } from "../../e2e/logins";
import { makeTlsMaterial } from "../../e2e/tlsMaterial";
import { toolPath } from "../../toolchain/cache";
import { PROJECT_DIR } from "../helpers/stacks";
import { describeWithTools, run, tempDir } from "../helpers/tools";

describe("rendering the scale example stack", () => {
  const out = tempDir("render-scale");
  afterAll(() => out.remove());
  const written = renderStack({ stack: "scale", out: out.dir, projectDir: PROJECT_DIR });
  const read = (file: string) => fs.readFileSync(path.join(out.dir, file), "utf8");

  it("writes each further host's node exporter files (TLS and the exporter's logins) and the store's password file", () => {
    expect(read("hosts/api-2/node-exporter/web.yml")).toMatch(
      /tls_server_config:[\s\S]*basic_auth_users:[\s\S]*prometheus:/,
    );
    for (const host of ["api-2", "db-1"])
      for (const file of ["web.yml", "tls.crt", "tls.key"])
        expect(written).toContain(`hosts/${host}/node-exporter/${file}`);
    expect(written).toContain("prometheus/secrets/remote-write-password");
    expect(read("prometheus/secrets/remote-write-password")).toBe("<secret:remoteWritePassword>");
  });

  it("keeps every credential out of prometheus.yml (files only)", () => {
    const prometheus = read("prometheus/prometheus.yml");
    expect(prometheus).toContain("password_file: secrets/remote-write-password");
    expect(prometheus).not.toMatch(/password:\s/);
  });

  describeWithTools("with the deployed tools", [toolPath("promtool"), toolPath("amtool")], () => {
    it("passes promtool check config (rules, TLS job, two Alertmanagers, remote write)", () => {
      const config = path.join(out.dir, "prometheus/prometheus.yml");
      // The CA file must hold a certificate for promtool to load the TLS config, as the generated one will.
      fs.writeFileSync(
        path.join(out.dir, "prometheus/secrets/hosts-ca.crt"),
        makeTlsMaterial(path.join(out.dir, "ca"), ["10.0.0.12"]).caCert,
      );
      const result = run(toolPath("promtool"), ["check", "config", config]);
      expect(result.output).toContain("SUCCESS");
      expect(result.status).toBe(0);
    });

    it("passes amtool check-config", () => {
      const result = run(toolPath("amtool"), ["check-config", path.join(out.dir, "alertmanager/alertmanager.yml")]);
      expect(result.output).toContain("SUCCESS");
      expect(result.status).toBe(0);
    });

    it("renders a further host's web config that promtool check web-config accepts once its hash is real", () => {
      const web = path.join(out.dir, "hosts/api-2/node-exporter/web.yml");
      // The render writes a placeholder hash; any real hash will do for the check.
      fs.writeFileSync(
        web,
        read("hosts/api-2/node-exporter/web.yml").replace(
          /\$2b\$10\$[./A-Za-z0-9]{53}/g,
          bcryptHash("a-scrape-password"),
        ),
      );
      const tls = makeTlsMaterial(path.join(out.dir, "tls"), ["10.0.0.12"]);
      fs.writeFileSync(path.join(out.dir, "hosts/api-2/node-exporter/tls.crt"), tls.cert);
      fs.writeFileSync(path.join(out.dir, "hosts/api-2/node-exporter/tls.key"), tls.key);
      const result = run(toolPath("promtool"), ["check", "web-config", web]);
      expect(result.output).toContain("SUCCESS");
      expect(result.status).toBe(0);
    });
  });
});
