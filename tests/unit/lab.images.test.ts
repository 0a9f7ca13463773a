/** The lab's Dockerfiles and image table (pure: no Docker, no tool cache). */
import { IMAGES, type ImageName } from "../../settings/images";
import { BUSYBOX_BASES, groupFile, passwdFile } from "../../lab/images/bases";
import { renderDockerfile, type DockerfileSpec } from "../../lab/images/dockerfile";
import { labImages, labTag, prometheusModuleVersion, type LabImage } from "../../lab/images/services";
import { labVersion } from "../../lab/images/build";

const INPUTS = { versions: { logGateway: "1.26.3" } };
const images = labImages(INPUTS);
const byName = (name: LabImage["name"]) => {
  const image = images.find((i) => i.name === name);
  if (!image) throw new Error(`no image ${name}`);
  return image;
};
const render = (image: LabImage) =>
  renderDockerfile({ name: image.name, from: "koprogo-lab/base:1", ...image.dockerfile });

describe("renderDockerfile", () => {
  const spec: DockerfileSpec = {
    name: "demo",
    from: "scratch",
    labels: { "org.opencontainers.image.source": "https://example.org/demo" },
    env: { PATH: "/bin" },
    workdirFirst: "/data",
    copies: [{ from: "bin/demo", to: "/bin/demo", chown: "10:10" }],
    run: ["chown -R nobody /data", ["/bin/demo", "--install"]],
    user: "nobody",
    expose: [9090, 9091],
    volumes: ["/data"],
    workdir: "/data",
    stopSignal: "SIGQUIT",
    entrypoint: ["/bin/demo"],
    cmd: ["--flag=a b", 'quote"d'],
  };

  it("writes every instruction in upstream's order, exec forms as JSON arrays", () => {
    expect(renderDockerfile(spec)).toBe(
      [
        "FROM scratch",
        'LABEL org.opencontainers.image.source="https://example.org/demo"',
        'ENV PATH="/bin"',
        "WORKDIR /data",
        "COPY --chown=10:10 bin/demo /bin/demo",
        "RUN chown -R nobody /data",
        'RUN ["/bin/demo","--install"]',
        "USER nobody",
        "EXPOSE 9090",
        "EXPOSE 9091",
        'VOLUME ["/data"]',
        "WORKDIR /data",
        "STOPSIGNAL SIGQUIT",
        'ENTRYPOINT ["/bin/demo"]',
        'CMD ["--flag=a b","quote\\"d"]',
        "",
      ].join("\n"),
    );
  });

  it.each([
    ["a copy out of the context", { copies: [{ from: "../etc/passwd", to: "/x" }] }, "copies.from"],
    ["a relative destination", { copies: [{ from: "a", to: "x" }] }, "copies.to"],
    ["a two-line RUN", { run: ["true\nFROM evil"] }, "run"],
    ["an environment value with a quote", { env: { A: 'x" B="y' } }, "env.A"],
    ["a user with a space", { user: "nobody root" }, "user"],
    ["port 0", { expose: [0] }, "expose"],
    ["an empty entrypoint", { entrypoint: [] }, "entrypoint"],
    ["a bad stop signal", { stopSignal: "QUIT" }, "stopSignal"],
    ["a volume with a newline", { volumes: ["/data\nRUN x"] }, "volumes"],
  ] as [string, Partial<DockerfileSpec>, string][])("refuses %s, naming the field", (_, change, field) => {
    expect(() => renderDockerfile({ ...spec, ...change })).toThrow(`image demo: ${field}`);
  });
});

describe("the lab's images follow their upstream Dockerfiles", () => {
  it("has one image per pinned image (the stack's and the application's Traefik)", () => {
    expect(images.map((i) => i.name).sort()).toEqual(Object.keys(IMAGES).sort());
  });

  it.each(Object.keys(IMAGES).filter((name) => name !== "logGateway") as ImageName[])(
    "tags %s with the exact deployed version",
    (name) => {
      const image = byName(name);
      expect(`${image.tag}`).toBe(IMAGES[name].slice(IMAGES[name].lastIndexOf(":") + 1));
      expect(image.version).toBe(image.tag.replace(/^v/, ""));
    },
  );

  it("tags the log gateway with the nginx it carries (Debian's), and says how it differs", () => {
    expect(byName("logGateway")).toMatchObject({ repository: "nginx", tag: "1.26.3", version: "1.26.3" });
    expect(byName("logGateway").differs).toContain("Debian's nginx package");
  });

  // From the upstream Dockerfiles at the deployed versions (final stage).
  it.each([
    ["prometheus", "nobody", [9090], ["/prometheus"], ["/bin/prometheus"], "prometheus-busybox"],
    ["alertmanager", "nobody", [9093], ["/alertmanager"], ["/bin/alertmanager"], "prometheus-busybox"],
    ["nodeExporter", "nobody", [9100], [], ["/bin/node_exporter"], "prometheus-busybox"],
    ["postgresExporter", "nobody", [9187], [], ["/bin/postgres_exporter"], "prometheus-busybox"],
    ["blackboxExporter", undefined, [9115], [], ["/bin/blackbox_exporter"], "prometheus-busybox"],
    ["loki", "10001", [3100], [], ["/usr/bin/loki"], "distroless-static-debug"],
    ["alloy", undefined, [], [], ["/bin/alloy"], "debian"],
    ["grafana", "472", [3000], [], ["/run.sh"], "debian"],
    ["socketProxy", "65534:65534", [2375], ["/var/run/docker.sock"], ["/socket-proxy"], "scratch"],
    ["logGateway", undefined, [80], [], ["/docker-entrypoint.sh"], "debian"],
    ["appTraefik", undefined, [80], [], ["/entrypoint.sh"], "debian"],
  ] as const)(
    "%s: user %s, ports %j, volumes %j, entrypoint %j on %s",
    (name, user, ports, volumes, entrypoint, base) => {
      const image = byName(name);
      expect(image.dockerfile.user).toBe(user);
      expect(image.dockerfile.expose ?? []).toEqual(ports);
      expect(image.dockerfile.volumes ?? []).toEqual(volumes);
      expect(image.dockerfile.entrypoint).toEqual(entrypoint);
      expect(image.base).toBe(base);
      expect(image.expect.ports).toEqual(ports);
      expect(image.expect.volumes).toEqual(volumes);
    },
  );

  it("keeps upstream's commands and working folders", () => {
    expect(byName("prometheus").dockerfile).toMatchObject({
      workdirFirst: "/prometheus",
      cmd: ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"],
    });
    expect(byName("alertmanager").dockerfile).toMatchObject({
      workdir: "/alertmanager",
      cmd: ["--config.file=/etc/alertmanager/alertmanager.yml", "--storage.path=/alertmanager"],
    });
    expect(byName("loki").dockerfile).toMatchObject({
      shell: ["/busybox/sh", "-c"],
      cmd: ["-config.file=/etc/loki/local-config.yaml"],
    });
    expect(byName("alloy").dockerfile).toMatchObject({
      env: { ALLOY_DEPLOY_MODE: "docker" },
      cmd: ["run", "/etc/alloy/config.alloy", "--storage.path=/var/lib/alloy/data"],
    });
    expect(byName("grafana").dockerfile).toMatchObject({
      workdirFirst: "/usr/share/grafana",
      env: { GF_PATHS_DATA: "/var/lib/grafana", GF_PATHS_PROVISIONING: "/etc/grafana/provisioning" },
    });
    expect(byName("logGateway").dockerfile).toMatchObject({
      stopSignal: "SIGQUIT",
      cmd: ["nginx", "-g", "daemon off;"],
    });
  });

  it("expects the uid each upstream image runs as", () => {
    expect(Object.fromEntries(images.map((i) => [i.name, i.expect.uid]))).toEqual({
      prometheus: 65534,
      alertmanager: 65534,
      nodeExporter: 65534,
      postgresExporter: 65534,
      blackboxExporter: 0,
      loki: 10001,
      alloy: 0,
      grafana: 472,
      socketProxy: 65534,
      logGateway: 0,
      appTraefik: 0,
    });
  });

  it("reads Prometheus's own files from its Go module at the deployed release", () => {
    expect(prometheusModuleVersion("v3.5.0")).toBe("v0.305.0");
    expect(prometheusModuleVersion("v2.53.4")).toBe("v0.253.4");
    expect(() => prometheusModuleVersion("latest")).toThrow("not a Prometheus release");
    expect(byName("prometheus").files).toContainEqual({
      path: "prometheus.yml",
      source: {
        kind: "module",
        module: "github.com/prometheus/prometheus@v0.305.0",
        path: "documentation/examples/prometheus.yml",
      },
    });
  });

  it.each(images.map((i) => [i.name, i] as const))(
    "%s: a valid Dockerfile whose copies all come from the context",
    (_, image) => {
      const text = render(image);
      expect(text.startsWith("FROM koprogo-lab/base:1\n")).toBe(true);
      const contextPaths = image.files.map((f) => f.path);
      for (const copy of image.dockerfile.copies) expect(contextPaths).toContain(copy.from);
    },
  );

  it("the busybox bases install the applets and carry the accounts upstream's have", () => {
    const [prometheusBase, distroless] = BUSYBOX_BASES;
    expect(prometheusBase.dockerfile.run?.[0]).toEqual(["/bin/busybox", "--install", "-s", "/bin"]);
    expect(distroless.dockerfile.entrypoint).toEqual(["/busybox/sh"]);
    expect(passwdFile([{ name: "nobody", uid: 65534, gid: 65534, home: "/home", shell: "/bin/false" }])).toBe(
      "nobody:x:65534:65534:nobody:/home:/bin/false\n",
    );
    expect(groupFile([{ name: "nonroot", uid: 65532, gid: 65532, home: "/", shell: "/x" }])).toBe("nonroot:x:65532:\n");
  });

  it("takes the upstream release out of a tool-cache version", () => {
    expect(labVersion("1.26.3-3+deb13u1")).toBe("1.26.3");
    expect(labVersion("1:1.37.0-6+b3")).toBe("1.37.0");
    expect(labVersion("0.28.1+ds-1")).toBe("0.28.1");
    expect(labVersion("v3.5.0")).toBe("3.5.0");
  });

  it("tags an image with the version it carries, written as upstream writes its tags", () => {
    expect(labTag("v3.5.0", "3.5.0")).toEqual({ tag: "v3.5.0", version: "3.5.0" });
    expect(labTag("v1.10.2", "v1.10.0")).toEqual({ tag: "v1.10.0", version: "1.10.0" });
    expect(labTag("3.5.3", undefined)).toEqual({ tag: "3.5.3", version: "3.5.3" });
    expect(byName("appTraefik")).toMatchObject({ repository: "traefik", tag: "v3.6.17", version: "3.6.17" });
  });
});
