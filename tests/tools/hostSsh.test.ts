/**
 * The ssh options the Docker provider gets, tried with the real OpenSSH client against a real `sshd` on a
 * loopback port: the stack's host key lets it in, any other key is refused, whatever known_hosts holds.
 */
import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { pinnedHostKeySshOptions } from "../../host/ssh";
import { freePort } from "../helpers/freePort";
import { describeWithTools, run, tempDir } from "../helpers/tools";

const SSHD = "/usr/sbin/sshd";

describeWithTools("pinning the host key for the Docker provider's ssh", [SSHD, "ssh", "ssh-keygen"], () => {
  const tmp = tempDir("host-ssh");
  const file = (name: string) => path.join(tmp.dir, name);
  let sshd: ChildProcess;
  let port: number;
  const keyOf = (name: string) =>
    fs
      .readFileSync(file(`${name}.pub`), "utf8")
      .trim()
      .split(" ")
      .slice(0, 2)
      .join(" ");

  beforeAll(async () => {
    for (const name of ["host_ed25519", "other_ed25519", "client"])
      expect(run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", file(name)]).status).toBe(0);
    // A second host key, as every Debian/Ubuntu sshd has: the client must pick the pinned type, whichever it is.
    expect(run("ssh-keygen", ["-q", "-t", "ecdsa", "-N", "", "-C", "", "-f", file("host_ecdsa")]).status).toBe(0);
    fs.copyFileSync(file("client.pub"), file("authorized_keys"));
    port = await freePort();
    fs.writeFileSync(
      file("sshd_config"),
      [
        `Port ${port}`,
        "ListenAddress 127.0.0.1",
        `HostKey ${file("host_ecdsa")}`,
        `HostKey ${file("host_ed25519")}`,
        `AuthorizedKeysFile ${file("authorized_keys")}`,
        "StrictModes no",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "PermitRootLogin prohibit-password",
        "UsePAM no",
        `PidFile ${file("sshd.pid")}`,
      ].join("\n") + "\n",
    );
    // sshd refuses to start without its privilege-separation directory (Debian creates it in its unit).
    fs.mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
    sshd = spawn(SSHD, ["-D", "-e", "-f", file("sshd_config")], { stdio: "ignore" });
    for (let i = 0; i < 50; i++) {
      if (run("ssh-keyscan", ["-p", String(port), "-t", "ed25519", "127.0.0.1"]).output.includes("ssh-ed25519")) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  afterAll(() => {
    sshd?.kill("SIGTERM");
    tmp.remove();
  });

  const ssh = (hostKey: string, extra: string[] = []) =>
    run(
      "ssh",
      [
        ...pinnedHostKeySshOptions(hostKey),
        ...extra,
        "-o",
        "BatchMode=yes",
        "-o",
        "ConnectTimeout=5",
        "-i",
        file("client"),
        "-p",
        String(port),
        "root@127.0.0.1",
        "echo",
        "connected",
      ],
      {
        env: { ...process.env, HOME: tmp.dir },
      },
    );

  it("connects to the host whose key the stack pins", () => {
    expect(ssh(keyOf("host_ed25519"))).toEqual({ status: 0, output: "connected\n" });
  });

  it("connects whichever of the host's key types is pinned (OpenSSH asks for the pinned type)", () => {
    expect(ssh(keyOf("host_ecdsa"))).toEqual({ status: 0, output: "connected\n" });
  });

  it("refuses a host that answers with another key", () => {
    const result = ssh(keyOf("other_ed25519"));
    expect(result.status).not.toBe(0);
    expect(result.output).toContain("Host key verification failed");
    expect(result.output).not.toContain("connected");
  });

  it("cannot be loosened by a stack's own sshOpts given after them", () => {
    const result = ssh(keyOf("other_ed25519"), [
      "-o",
      "StrictHostKeyChecking=no",
      "-o",
      `UserKnownHostsFile=${file("known_hosts")}`,
    ]);
    expect(result.status).not.toBe(0);
    expect(result.output).not.toContain("connected");
  });

  it("refuses a value that is not `<type> <base64>`", () => {
    expect(() => pinnedHostKeySshOptions("ssh-ed25519 AAAA; rm -rf /")).toThrow("must be `<type> <base64>`");
  });
});
