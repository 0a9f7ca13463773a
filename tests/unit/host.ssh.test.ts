/**
 * The Docker provider's `ssh` options and a further host's engine address (host/ssh.ts). The pinning options
 * themselves are run against a real sshd in tests/tools/hostSsh.test.ts.
 */
import { dockerSshOptions, furtherHostEngine, pinnedDockerSshOptions, pinnedHostKeySshOptions } from "../../host/ssh";
import { stackSettings } from "../helpers/stacks";

describe("the Docker provider's ssh options", () => {
  const prod = stackSettings("prod").settings;

  it("pin the stack's host key first, then keep the stack's own options (ssh keeps the first value)", () => {
    const hostKey = prod.ssh!.hostKey!;
    expect(dockerSshOptions(prod)).toEqual([...pinnedHostKeySshOptions(hostKey), ...prod.docker.sshOpts]);
    expect(dockerSshOptions(prod).slice(0, 2)).toEqual(["-o", "StrictHostKeyChecking=yes"]);
  });

  it("leave a local engine's options as they are", () => {
    const dev = stackSettings("dev").settings;
    expect(dev.docker.host.startsWith("ssh://")).toBe(false);
    expect(dockerSshOptions(dev)).toEqual([...dev.docker.sshOpts]);
  });

  it("pin a further host's own key before the stack's options", () => {
    const [host] = stackSettings("scale").settings.hosts;
    expect(pinnedDockerSshOptions(host.ssh.hostKey, ["-o", "ServerAliveInterval=30"])).toEqual([
      ...pinnedHostKeySshOptions(host.ssh.hostKey),
      "-o",
      "ServerAliveInterval=30",
    ]);
  });
});

describe("a further host's engine", () => {
  it("is reached over ssh as its user, at its SSH host or else its address, on its port", () => {
    const [host] = stackSettings("scale").settings.hosts;
    expect(furtherHostEngine(host)).toBe(`ssh://deploy@10.0.0.12:${host.ssh.port}`);
    expect(furtherHostEngine({ ...host, ssh: { ...host.ssh, host: "api-2.koprogo.internal", port: 2222 } })).toBe(
      "ssh://deploy@api-2.koprogo.internal:2222",
    );
  });
});
