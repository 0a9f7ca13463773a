/** The Alertmanager component in the resource graph (Pulumi mocks): its container, retained volume, files and reload. */
import * as pulumi from "@pulumi/pulumi";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { SERVICE_USERS } from "../../contract/serviceUsers";
import { installPulumiMocks, settle } from "../helpers/pulumiMocks";
import { fakeSecretValue, stackSettings } from "../helpers/stacks";
import { IMAGES } from "../../settings/images";

const mocks = installPulumiMocks("koprogo-observability", "prod");
const CONTAINER = "docker:index/container:Container";
const VOLUME = "docker:index/volume:Volume";
const REMOTE_COMMAND = "command:remote:Command";

/** How the mocks see a secret input: wrapped with Pulumi's secret signature. */
function secretValue(input: unknown): string | undefined {
  if (
    typeof input === "object" &&
    input !== null &&
    (input as Record<string, unknown>)[specialSigKey] === specialSecretSig
  )
    return String((input as { value: unknown }).value);
  return undefined;
}

describe("the Alertmanager component of the prod stack", () => {
  const retained = new Map<string, boolean | undefined>();

  beforeAll(async () => {
    mocks.reset();
    const { ObservabilityStack } = await import("../../components");
    const { settings, secrets } = stackSettings("prod");
    const record: pulumi.ResourceTransformation = (args) => {
      retained.set(`${args.type} ${args.name}`, args.opts.retainOnDelete);
      return undefined;
    };
    new ObservabilityStack("koprogo", { settings, secrets }, { transformations: [record] });
    await settle();
  });

  const container = () => mocks.one(CONTAINER, "-alertmanager").inputs;
  const writes = () => mocks.ofType(REMOTE_COMMAND).filter((c) => c.name.startsWith("koprogo-alertmanager-config-"));

  it("runs the pinned image with a memory limit from the settings", () => {
    expect(container().image).toBe(IMAGES.alertmanager);
    expect(container().memory).toBe(48);
  });

  it("publishes its port on loopback only", () => {
    expect(container().ports).toEqual([{ internal: 9093, external: 9093, ip: "127.0.0.1", protocol: "tcp" }]);
  });

  it("disables clustering, sets the external URL and keeps its data on the volume", () => {
    const command = container().command as string[];
    expect(command).toContain("--cluster.listen-address=");
    expect(command).toContain("--web.external-url=http://127.0.0.1:9093");
    expect(command).toContain("--storage.path=/alertmanager");
    expect(container().mounts).toEqual([
      expect.objectContaining({ type: "volume", source: "koprogo-obs-alertmanager-data", target: "/alertmanager" }),
    ]);
    expect(container().volumes).toEqual(
      expect.arrayContaining([expect.objectContaining({ containerPath: "/etc/alertmanager", readOnly: true })]),
    );
  });

  it("checks its health on /-/healthy, signed in with its own login read from its file", () => {
    expect((container().healthcheck as { tests: string[] }).tests).toEqual([
      "CMD",
      "sh",
      "-c",
      `wget -q --spider "http://alertmanager:$(cat /etc/alertmanager/secrets/web-alertmanager)@127.0.0.1:9093/-/healthy"`,
    ]);
  });

  it("retains its data volume when the container or the stack is deleted", () => {
    expect(mocks.one(VOLUME, "-alertmanager-data").inputs.name).toBe("koprogo-obs-alertmanager-data");
    expect(retained.get(`${VOLUME} koprogo-alertmanager-data`)).toBe(true);
  });

  it("writes each secret file through secret stdin, owned by Alertmanager's own uid", () => {
    const secretWrites = writes().filter((c) => c.name.includes("-secrets-") && !c.name.includes("-secrets-web-"));
    expect(secretWrites.map((c) => c.name).sort()).toEqual([
      "koprogo-alertmanager-config-alertmanager-secrets-pagerduty-routing-key",
      "koprogo-alertmanager-config-alertmanager-secrets-slack-webhook-url",
      "koprogo-alertmanager-config-alertmanager-secrets-sms-webhook-token",
      "koprogo-alertmanager-config-alertmanager-secrets-watchdog-heartbeat-url",
    ]);
    for (const write of secretWrites) {
      expect(secretValue(write.inputs.stdin)).toMatch(
        /^FAKE-(slackWebhookUrl|pagerdutyRoutingKey|smsWebhookToken|watchdogHeartbeatUrl)-VALUE$/,
      );
      expect(write.inputs.create).toContain("chmod 0600");
      expect(write.inputs.create).toContain(
        `chown ${SERVICE_USERS.alertmanager.uid}:${SERVICE_USERS.alertmanager.uid}`,
      );
    }
  });

  it("writes alertmanager.yml and the templates in clear, with no secret in them", () => {
    for (const name of ["alertmanager-alertmanager-yml", "alertmanager-templates-koprogo-tmpl"]) {
      const write = writes().find((c) => c.name === `koprogo-alertmanager-config-${name}`)!;
      expect(typeof write.inputs.stdin).toBe("string");
      for (const secret of ["slackWebhookUrl", "pagerdutyRoutingKey", "smsWebhookToken"] as const)
        expect(write.inputs.stdin).not.toContain(fakeSecretValue(secret));
    }
  });

  it("reloads with SIGHUP when a file changes, instead of restarting", () => {
    const reload = mocks.one(REMOTE_COMMAND, "koprogo-alertmanager-reload");
    expect(reload.inputs.create).toBeUndefined();
    expect(reload.inputs.update).toContain("docker kill --signal=HUP 'koprogo-obs-alertmanager'");
  });
});
