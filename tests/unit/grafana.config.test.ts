import { BUSINESS_METRICS } from "../../contract/backendMetrics";
import { DATASOURCES } from "../../contract/datasources";
import { grafanaApiUrl, grafanaEnvironment, grafanaRootUrl, grafanaTraefikLabels } from "../../grafana/config";
import { dataSourcesDocument, grafanaDataSources } from "../../grafana/datasources";
import { renderAll } from "../../stack/files";
import { parseStackConfig, placeholderSecrets, type Settings } from "../../settings";
import { isPrivateAddress } from "../../settings/grafana";
import { stackSettings } from "../helpers/stacks";
import { documentationText } from "../helpers/docs";

/** Dev settings with some keys changed, through the real parser. */
function devWith(values: Record<string, unknown>): Settings {
  return parseStackConfig("dev", values, new Set()).settings;
}
const dev = stackSettings("dev").settings;
const prod = stackSettings("prod").settings;
const env = (settings: Settings) =>
  Object.fromEntries(grafanaEnvironment(settings).map((e) => e.split(/=(.*)/s).slice(0, 2)));

describe("Grafana settings", () => {
  it("default to port 3001 on loopback and 160m", () => {
    expect(dev.grafana).toMatchObject({
      hostPort: 3001,
      memory: "160m",
      traefik: { entrypoint: "websecure", certResolver: "letsencrypt" },
    });
    // No default admin name: absent, the stack generates one (a known name can be locked out by anyone).
    expect(dev.grafana.adminUser).toBeUndefined();
    expect(dev.docker.bindAddress).toBe("127.0.0.1");
  });

  it.each([
    [
      { grafana: { domain: "https://grafana.example.com" } },
      "koprogo-observability:grafana.domain: must be a host name",
    ],
    [{ grafana: { domain: "grafana.example.com:443" } }, "koprogo-observability:grafana.domain: must be a host name"],
    [
      { grafana: { rootUrl: "grafana.example.com" } },
      "koprogo-observability:grafana.rootUrl: must be an http:// or https:// URL",
    ],
    [
      { grafana: { traefik: { certResolver: "lets encrypt" } } },
      "koprogo-observability:grafana.traefik.certResolver: must be a Traefik certificate resolver name",
    ],
    [
      { grafana: { dashboards: { cacheHitRatioMin: 90 } } },
      "koprogo-observability:grafana.dashboards.cacheHitRatioMin: must be between 0 and 1",
    ],
    [{ grafana: { adminPassword: "x" } }, "koprogo-observability:grafana.adminPassword: unknown key"],
  ])("refuse %j", (values, message) => {
    expect(() => devWith(values)).toThrow(message);
  });
});

describe("Grafana URLs", () => {
  it("use alerts.grafanaUrl as root URL without a domain", () => {
    expect(grafanaRootUrl(dev)).toBe("http://127.0.0.1:3001/");
  });

  it("use https://<domain>/ with a domain (prod)", () => {
    expect(grafanaRootUrl(prod)).toBe("https://grafana.koprogo.com/");
    expect(grafanaApiUrl(prod)).toBe("https://grafana.koprogo.com");
  });

  it("refuse a domain that alert links would not open, when the stack config is read", () => {
    expect(() => devWith({ grafana: { domain: "grafana.example.com" } })).toThrow(
      "koprogo-observability:alerts.grafanaUrl: must be on grafana.domain `grafana.example.com`",
    );
    expect(() =>
      devWith({
        grafana: { domain: "grafana.example.com", rootUrl: "https://other.example.com" },
        alerts: { grafanaUrl: "https://grafana.example.com" },
      }),
    ).toThrow("koprogo-observability:grafana.rootUrl: must be on grafana.domain");
    expect(
      grafanaRootUrl(
        devWith({ grafana: { domain: "grafana.example.com" }, alerts: { grafanaUrl: "https://grafana.example.com/" } }),
      ),
    ).toBe("https://grafana.example.com/");
  });

  it("refuse alert links to another loopback port than Grafana's", () => {
    expect(() => devWith({ grafana: { hostPort: 13001 } })).toThrow(
      "koprogo-observability:alerts.grafanaUrl: points at port 3001 on loopback, but grafana.hostPort is 13001",
    );
    expect(
      grafanaRootUrl(devWith({ grafana: { hostPort: 13001 }, alerts: { grafanaUrl: "http://127.0.0.1:13001" } })),
    ).toBe("http://127.0.0.1:13001/");
  });

  it("reach the API on the loopback port for a local engine", () => {
    expect(grafanaApiUrl(dev)).toBe("http://127.0.0.1:3001");
    expect(
      grafanaApiUrl(devWith({ grafana: { hostPort: 13001 }, alerts: { grafanaUrl: "http://127.0.0.1:13001" } })),
    ).toBe("http://127.0.0.1:13001");
  });

  it("need grafana.apiUrl for a remote engine without a domain, or without a published port", () => {
    expect(() => devWith({ docker: { host: "ssh://deploy@vps.example.com" } })).toThrow(
      "koprogo-observability:grafana.apiUrl: is required when the Docker engine is remote",
    );
    expect(() => devWith({ grafana: { hostPort: null } })).toThrow(
      "koprogo-observability:grafana.apiUrl: is required when grafana.hostPort is null",
    );
    // A remote engine needs its host key too (settings/deployment.ts); the example key of Pulumi.prod.yaml.
    const hostKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILhcoNp53R0z9bHOJjEhaaDj9rrlVplxwpnnVKLI752O";
    expect(
      grafanaApiUrl(
        devWith({
          docker: { host: "ssh://deploy@vps.example.com" },
          ssh: { hostKey },
          grafana: { apiUrl: "http://127.0.0.1:3001/" },
        }),
      ),
    ).toBe("http://127.0.0.1:3001");
  });
});

describe("Grafana publication", () => {
  it.each([
    ["127.0.0.1", true],
    ["::1", true],
    ["10.1.2.3", true],
    ["172.17.0.1", true],
    ["192.168.1.10", true],
    ["172.32.0.1", false],
    ["203.0.113.7", false],
  ])("%s is private: %s", (address, expected) => {
    expect(isPrivateAddress(address)).toBe(expected);
  });

  it("refuses to publish the port on a public address", () => {
    expect(() => devWith({ docker: { bindAddress: "203.0.113.7" } })).toThrow(
      "koprogo-observability:grafana.hostPort: would publish Grafana on the public address 203.0.113.7",
    );
    expect(() =>
      devWith({ docker: { bindAddress: "203.0.113.7" }, grafana: { hostPort: null, apiUrl: "http://10.0.0.2:3000" } }),
    ).not.toThrow();
  });

  it("reports every Grafana problem of a stack at once", () => {
    expect(() => devWith({ docker: { host: "ssh://deploy@vps.example.com", bindAddress: "203.0.113.7" } })).toThrow(
      /grafana\.apiUrl: is required[\s\S]*grafana\.hostPort: would publish/,
    );
  });

  it("has no Traefik labels without a domain", () => {
    expect(grafanaTraefikLabels(dev)).toEqual({});
  });

  it("routes the domain through the application's Traefik over TLS with the configured resolver", () => {
    expect(grafanaTraefikLabels(prod)).toEqual({
      "traefik.enable": "true",
      "traefik.docker.network": "koprogo-obs-grafana-ingress",
      "traefik.http.routers.koprogo-obs-grafana.rule": "Host(`grafana.koprogo.com`) && !PathPrefix(`/metrics`)",
      "traefik.http.routers.koprogo-obs-grafana.entrypoints": "websecure",
      "traefik.http.routers.koprogo-obs-grafana.tls": "true",
      "traefik.http.routers.koprogo-obs-grafana.tls.certresolver": "letsencrypt",
      "traefik.http.routers.koprogo-obs-grafana.service": "koprogo-obs-grafana",
      "traefik.http.services.koprogo-obs-grafana.loadbalancer.server.port": "3000",
    });
  });
});

describe("Grafana's environment", () => {
  it("turns off anonymous access, sign-up and phoning home, and reads the password from a file", () => {
    expect(env(dev)).toMatchObject({
      GF_SERVER_ROOT_URL: "http://127.0.0.1:3001/",
      GF_AUTH_ANONYMOUS_ENABLED: "false",
      GF_USERS_ALLOW_SIGN_UP: "false",
      GF_USERS_ALLOW_ORG_CREATE: "false",
      GF_ANALYTICS_REPORTING_ENABLED: "false",
      GF_SECURITY_ADMIN_PASSWORD__FILE: "/etc/grafana/secrets/admin-password",
      GF_SECURITY_COOKIE_SECURE: "false",
    });
    expect(Object.keys(env(dev))).not.toContain("GF_SECURITY_ADMIN_PASSWORD");
    // No admin name here when none is set: the component adds the generated one (components/grafana.ts).
    expect(Object.keys(env(dev))).not.toContain("GF_SECURITY_ADMIN_USER");
  });

  it("sets secure cookies behind https", () => {
    expect(env(prod)).toMatchObject({
      GF_SERVER_ROOT_URL: "https://grafana.koprogo.com/",
      GF_SECURITY_COOKIE_SECURE: "true",
    });
  });
});

describe("Grafana's data sources", () => {
  it("have the contract's fixed UIDs, Prometheus as the only default, URLs on the stack's network", () => {
    expect(grafanaDataSources(dev).map(({ uid, type, url, isDefault }) => ({ uid, type, url, isDefault }))).toEqual([
      {
        uid: DATASOURCES.prometheus.uid,
        type: "prometheus",
        url: "http://koprogo-obs-prometheus:9090",
        isDefault: true,
      },
      { uid: DATASOURCES.loki.uid, type: "loki", url: "http://koprogo-obs-loki:3100", isDefault: false },
      {
        uid: DATASOURCES.alertmanager.uid,
        type: "alertmanager",
        url: "http://koprogo-obs-alertmanager:9093",
        isDefault: false,
      },
    ]);
  });

  it("follow serviceAddresses overrides", () => {
    expect(grafanaDataSources(devWith({ serviceAddresses: { loki: "127.0.0.1:13100" } }))[1].url).toBe(
      "http://127.0.0.1:13100",
    );
  });
});

describe("the rendered Grafana files", () => {
  // The secrets directory holds the `/metrics` login (webauth/files.ts), written for Grafana's uid only.
  const files = renderAll(prod, placeholderSecrets()).filter(
    (f) => f.path.startsWith("grafana/") && !f.path.startsWith("grafana/secrets/"),
  );

  it("are the five dashboards by UID and the data sources", () => {
    expect(files.map((f) => f.path).sort()).toEqual([
      "grafana/dashboards/api-overview.json",
      "grafana/dashboards/business.json",
      "grafana/dashboards/postgresql.json",
      "grafana/dashboards/security-events.json",
      "grafana/dashboards/system-health.json",
      "grafana/datasources.json",
    ]);
  });

  it("hold no secret", () => {
    for (const file of files) {
      expect(file.secret).toBeFalsy();
      expect(file.content).not.toContain("<secret:");
    }
  });

  it("mirror the provider's data sources", () => {
    const document = JSON.parse(files.find((f) => f.path === "grafana/datasources.json")!.content);
    expect(document).toEqual(JSON.parse(JSON.stringify(dataSourcesDocument(prod))));
    expect(document.datasources.map((d: { uid: string }) => d.uid)).toEqual(grafanaDataSources(prod).map((d) => d.uid));
  });
});

describe("the documented business metrics contract", () => {
  const readme = documentationText();

  it.each(BUSINESS_METRICS.map((m) => [m.name, m]))("documents %s with its type and labels", (name, metric) => {
    const line = readme.split("\n").find((l) => l.startsWith(`| \`${name}\` |`));
    expect(line).toBeDefined();
    const [, , type, labels] = line!.split("|").map((cell) => cell.trim());
    expect(type).toBe(metric.type);
    expect(labels).toBe(metric.labels.map((l) => `\`${l}\``).join(", "));
  });
});
