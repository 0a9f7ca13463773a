import * as docker from "@pulumi/docker";
import { isPrivateAddress, listenHost } from "../../policy/addresses";
import {
  checkContainerImage,
  checkContainerMemory,
  checkContainerPorts,
  checkRemoteImage,
  listenAddresses,
} from "../../policy/containers";
import { RESOURCE_TYPES } from "../../policy/policies";
import { checkCommand, checkContainerEnvs, isSecretLikeName } from "../../policy/secretsInClear";
import { checkVolumeRetained } from "../../policy/volumes";
import { RETAIN_ON_DELETE_LABEL } from "../../components/retention";
import { IMAGES } from "../../settings";
import { installPulumiMocks, settle } from "../helpers/pulumiMocks";
import { violationsOf } from "../helpers/policyRunner";
import { stackSettings } from "../helpers/stacks";

/** A container as the stack declares one: passes every policy. */
const GOOD_CONTAINER = {
  name: "koprogo-obs-prometheus",
  image: IMAGES.prometheus,
  memory: 256,
  ports: [{ internal: 9090, external: 9090, ip: "127.0.0.1", protocol: "tcp" }],
  envs: ["TZ=UTC", "GF_SECURITY_ADMIN_PASSWORD__FILE=/run/secrets/grafana-admin-password"],
  command: ["--config.file=/etc/prometheus/prometheus.yml"],
};

describe("addresses", () => {
  it.each([
    "127.0.0.1",
    "127.8.9.10",
    "10.0.0.5",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.2",
    "100.64.0.1",
    "::1",
    "[::1]",
    "fd12:3456::1",
    "fc00::2",
  ])("treats %s as private", (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each([
    "",
    "0.0.0.0",
    "::",
    "[::]",
    "203.0.113.7",
    "172.32.0.1",
    "8.8.8.8",
    "2001:db8::1",
    "vps.koprogo.com",
    "256.1.1.1",
  ])("treats %j as public", (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });

  it("splits listen addresses into their host", () => {
    expect(listenHost("127.0.0.1:9100")).toBe("127.0.0.1");
    expect(listenHost("[::1]:9100")).toBe("::1");
    expect(listenHost(":9100")).toBe("");
  });
});

describe("no-public-port", () => {
  it("accepts ports on loopback and on a private address, and containers without ports", () => {
    expect(checkContainerPorts(GOOD_CONTAINER)).toEqual([]);
    expect(checkContainerPorts({ ports: [{ internal: 3000, external: 3001, ip: "10.8.0.1" }] })).toEqual([]);
    expect(checkContainerPorts({ name: "internal-only" })).toEqual([]);
  });

  it.each([
    ["no ip (Docker's default is every address)", { internal: 9090, external: 9090 }, "every address"],
    ["the 0.0.0.0 wildcard", { internal: 9090, external: 9090, ip: "0.0.0.0" }, "every address"],
    ["the IPv6 wildcard", { internal: 9090, external: 9090, ip: "::" }, "every address"],
    ["a public address", { internal: 3000, external: 3001, ip: "203.0.113.7" }, "the public address 203.0.113.7"],
  ])("refuses a port published on %s", (_case, port, where) => {
    const violations = checkContainerPorts({ name: "koprogo-obs-grafana", ports: [port] });
    expect(violations).toHaveLength(1);
    expect(violations[0]).toContain("container `koprogo-obs-grafana`");
    expect(violations[0]).toContain(where);
    expect(violations[0]).toContain("reverse proxy");
  });

  it("accepts a host-network container that listens on the Docker bridge address", () => {
    expect(listenAddresses(["--path.rootfs=/host", "--web.listen-address=172.17.0.1:9100"])).toEqual([
      "172.17.0.1:9100",
    ]);
    expect(checkContainerPorts({ networkMode: "host", command: ["--web.listen-address", "127.0.0.1:9100"] })).toEqual(
      [],
    );
  });

  it("refuses a host-network container that listens everywhere or does not say where", () => {
    expect(checkContainerPorts({ name: "node", networkMode: "host", command: ["--web.listen-address=:9100"] })).toEqual(
      [expect.stringContaining("listens on `:9100`")],
    );
    expect(
      checkContainerPorts({ name: "node", networkMode: "host", command: ["--web.listen-address=0.0.0.0:9100"] }),
    ).toHaveLength(1);
    expect(checkContainerPorts({ name: "node", networkMode: "host", command: [] })).toEqual([
      expect.stringContaining("without a listen address flag"),
    ]);
  });
});

describe("exact-image-version", () => {
  it.each(Object.values(IMAGES))("accepts the pinned image %s", (image) => {
    expect(checkContainerImage({ image })).toEqual([]);
    expect(checkRemoteImage({ name: image })).toEqual([]);
  });

  it("accepts a digest and the image id a RemoteImage gives a container", () => {
    expect(checkContainerImage({ image: `grafana/grafana@sha256:${"a".repeat(64)}` })).toEqual([]);
    expect(checkContainerImage({ image: `sha256:${"b".repeat(64)}` })).toEqual([]);
  });

  it.each([
    "prom/prometheus:latest",
    "prom/prometheus",
    "prom/prometheus:v3",
    "grafana/loki:3.5",
    "grafana/grafana:main",
    "",
  ])("refuses %j", (image) => {
    expect(checkContainerImage({ name: "c", image })).toEqual([expect.stringContaining("without an exact version")]);
    expect(checkRemoteImage({ name: image })).toEqual([expect.stringContaining("without an exact version")]);
  });
});

describe("container-memory-limit", () => {
  it("accepts a positive limit", () => {
    expect(checkContainerMemory({ memory: 48 })).toEqual([]);
  });

  it.each([[undefined], [0], [-1]])("refuses memory %p", (memory) => {
    expect(checkContainerMemory({ name: "c", memory })).toEqual([
      expect.stringContaining("container `c` has no memory limit"),
    ]);
  });
});

describe("data-volume-retained", () => {
  const retained = [
    { label: "com.koprogo.observability", value: "data" },
    { label: RETAIN_ON_DELETE_LABEL, value: "true" },
  ];

  it("accepts a volume declared with retainOnDelete (its label) or protect", () => {
    expect(checkVolumeRetained({ name: "prometheus-data", labels: retained }, { protect: false })).toEqual([]);
    expect(checkVolumeRetained({ name: "prometheus-data" }, { protect: true })).toEqual([]);
  });

  it.each([
    ["no labels", undefined],
    ["the label saying false", [{ label: RETAIN_ON_DELETE_LABEL, value: "false" }]],
    ["other labels only", [{ label: "com.koprogo.observability", value: "data" }]],
  ])("refuses a volume with %s", (_case, labels) => {
    expect(checkVolumeRetained({ name: "loki-data", labels }, { protect: false })).toEqual([
      expect.stringContaining("volume `loki-data` is not declared with `retainOnDelete: true`"),
    ]);
  });
});

describe("no-secret-in-clear", () => {
  it.each([
    "GF_SECURITY_ADMIN_PASSWORD",
    "DATA_SOURCE_PASS",
    "PGPASSWORD",
    "METRICS_AUTH_TOKEN",
    "GF_SECURITY_SECRET_KEY",
    "apiKey",
    "--auth-token",
    "SLACK_WEBHOOK_SECRET",
  ])("sees %s as a secret name", (name) => {
    expect(isSecretLikeName(name)).toBe(true);
  });

  it.each([
    "GF_SECURITY_ADMIN_PASSWORD__FILE",
    "DATA_SOURCE_PASS_FILE",
    "--password-stdin",
    "--token-file",
    "PWD",
    "StrictHostKeyChecking",
    "AWS_ACCESS_KEY_ID",
    "TZ",
    "KEYBOARD",
  ])("does not see %s as a secret name", (name) => {
    expect(isSecretLikeName(name)).toBe(false);
  });

  it("accepts secrets passed as files or references, and plain settings", () => {
    expect(checkContainerEnvs("grafana", GOOD_CONTAINER.envs)).toEqual([]);
    expect(
      checkContainerEnvs("grafana", [
        "GF_SECURITY_ADMIN_PASSWORD=$__file{/run/secrets/admin}",
        "DATA_SOURCE_URI=koprogo-postgres:5432/koprogo_db",
        "EMPTY_TOKEN=",
      ]),
    ).toEqual([]);
  });

  it.each([
    ["GF_SECURITY_ADMIN_PASSWORD=hunter2", "sets `GF_SECURITY_ADMIN_PASSWORD` to a value in clear"],
    ["DATA_SOURCE_PASS=s3cret", "sets `DATA_SOURCE_PASS` to a value in clear"],
    ["DATA_SOURCE_NAME=postgresql://monitor:s3cret@koprogo-postgres:5432/koprogo_db", "a URL with a password in it"],
  ])("refuses the env entry %s", (entry, message) => {
    expect(checkContainerEnvs("pg-exporter", [entry])).toEqual([expect.stringContaining(message)]);
  });

  it("never repeats the secret's value in its message", () => {
    const messages = checkContainerEnvs("grafana", ["GF_SECURITY_ADMIN_PASSWORD=hunter2"]).join("\n");
    expect(messages).not.toContain("hunter2");
  });

  it("accepts commands that take secrets through stdin or variables", () => {
    expect(
      checkCommand({ create: "set -eu; umask 077; cat > /opt/koprogo/grafana/admin-password", delete: "rm -f /opt/x" }),
    ).toEqual([]);
    expect(checkCommand({ create: 'PGPASSWORD="$(cat)" psql -h 127.0.0.1 -U koprogo -c "select 1"' })).toEqual([]);
    expect(
      checkCommand({
        create: "docker login --password-stdin -u ci registry.example && ssh -o StrictHostKeyChecking=yes host true",
      }),
    ).toEqual([]);
    expect(checkCommand({ create: 'curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:3001/api/health' })).toEqual(
      [],
    );
    expect(
      checkCommand({
        create: `echo "ALTER ROLE koprogo_monitoring WITH PASSWORD :'password'" | docker exec -i koprogo-postgres psql -v password="$(cat /run/secrets/pg)"`,
      }),
    ).toEqual([]);
  });

  it.each([
    ["an assignment", { create: "PGPASSWORD=s3cret psql -c 'select 1'" }, "assigns `PGPASSWORD` a value in clear"],
    [
      "an exported variable",
      { update: "export GRAFANA_TOKEN='abc123'; ./sync" },
      "assigns `GRAFANA_TOKEN` a value in clear",
    ],
    [
      "a password flag",
      { create: "grafana cli admin reset-admin-password --password hunter2" },
      "passes `--password` a value in clear",
    ],
    [
      "a URL with credentials",
      { create: "psql postgresql://koprogo:s3cret@127.0.0.1/koprogo_db -c 'select 1'" },
      "a URL with a password in it",
    ],
    [
      "a bearer header",
      { delete: "curl -H 'Authorization: Bearer abc123' http://127.0.0.1:9090/-/reload" },
      "Authorization: Bearer header",
    ],
    [
      "the command's environment",
      { create: "./run", environment: { ADMIN_PASSWORD: "hunter2" } },
      "sets `ADMIN_PASSWORD` to a value in clear",
    ],
    [
      "an SQL statement",
      {
        create: `docker exec -i koprogo-postgres psql -U koprogo -c "ALTER ROLE koprogo_monitoring WITH PASSWORD 's3cret'"`,
      },
      "an SQL PASSWORD literal",
    ],
  ])("refuses a secret in clear in %s", (_case, props, message) => {
    expect(checkCommand(props)).toEqual([expect.stringContaining(message)]);
  });
});

describe("the policy pack", () => {
  it("reports each policy by name for a resource that breaks them all", async () => {
    const violations = await violationsOf(RESOURCE_TYPES.container, {
      name: "bad",
      image: "grafana/grafana:latest",
      ports: [{ internal: 3000, external: 3000 }],
      envs: ["GF_SECURITY_ADMIN_PASSWORD=admin"],
    });
    expect(violations.map((v) => v.policy).sort()).toEqual([
      "container-memory-limit",
      "exact-image-version",
      "no-public-port",
      "no-secret-in-clear",
    ]);
  });

  it("passes a good container, a retained volume, a pinned image and a stdin command", async () => {
    expect(await violationsOf(RESOURCE_TYPES.container, GOOD_CONTAINER)).toEqual([]);
    expect(
      await violationsOf(RESOURCE_TYPES.volume, {
        name: "v",
        labels: [{ label: RETAIN_ON_DELETE_LABEL, value: "true" }],
      }),
    ).toEqual([]);
    expect(await violationsOf(RESOURCE_TYPES.remoteImage, { name: IMAGES.loki })).toEqual([]);
    expect(await violationsOf(RESOURCE_TYPES.remoteCommand, { create: "cat > /tmp/x" })).toEqual([]);
  });

  it("checks volumes, images and both kinds of command", async () => {
    expect((await violationsOf(RESOURCE_TYPES.volume, { name: "v" })).map((v) => v.policy)).toEqual([
      "data-volume-retained",
    ]);
    expect((await violationsOf(RESOURCE_TYPES.remoteImage, { name: "grafana/loki:3" })).map((v) => v.policy)).toEqual([
      "exact-image-version",
    ]);
    for (const type of [RESOURCE_TYPES.localCommand, RESOURCE_TYPES.remoteCommand]) {
      expect((await violationsOf(type, { create: "TOKEN=abc ./x" })).map((v) => v.policy)).toEqual([
        "no-secret-in-clear",
      ]);
    }
  });

  it("leaves other resource types alone", async () => {
    expect(await violationsOf("docker:index/network:Network", { name: "n", envs: ["PASSWORD=x"] })).toEqual([]);
  });

  it("matches the type tokens of the providers the program uses", () => {
    expect((docker.Container as unknown as { __pulumiType: string }).__pulumiType).toBe(RESOURCE_TYPES.container);
    expect((docker.Volume as unknown as { __pulumiType: string }).__pulumiType).toBe(RESOURCE_TYPES.volume);
    expect((docker.RemoteImage as unknown as { __pulumiType: string }).__pulumiType).toBe(RESOURCE_TYPES.remoteImage);
  });
});

describe("the program's own resources", () => {
  const mocks = installPulumiMocks();

  describe.each(["dev", "staging", "prod", "scale"])("in the %s stack", (stack) => {
    beforeAll(async () => {
      mocks.reset();
      const { ObservabilityStack } = await import("../../components");
      const { settings, secrets } = stackSettings(stack);
      new ObservabilityStack(`koprogo-${stack}`, { settings, secrets });
      await settle();
    });

    it("pass every policy of the pack", async () => {
      expect(mocks.resources.length).toBeGreaterThan(0);
      const violations = [];
      for (const resource of mocks.resources) {
        for (const v of await violationsOf(resource.type, resource.inputs, {}, resource.name))
          violations.push(`${resource.name}: ${v.policy}: ${v.message}`);
      }
      expect(violations).toEqual([]);
    });

    it("declare data volumes with the retention label", () => {
      expect(mocks.ofType(RESOURCE_TYPES.volume).length).toBeGreaterThan(0);
      for (const volume of mocks.ofType(RESOURCE_TYPES.volume)) {
        expect(volume.inputs.labels).toEqual(
          expect.arrayContaining([{ label: RETAIN_ON_DELETE_LABEL, value: "true" }]),
        );
      }
    });
  });
});
