/** Settings of the committed stack files, and secrets as Pulumi outputs, for tests. */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { loadStackFile, parseStackConfig, type SecretName, type Secrets, type Settings } from "../../settings";

export const PROJECT_DIR = path.resolve(__dirname, "../..");

/** A fake value per secret, easy to search for in rendered files and resource inputs. */
export function fakeSecretValue(name: SecretName): string {
  return `FAKE-${name}-VALUE`;
}

export function stackSettings(stack: string): { settings: Settings; secrets: Secrets<pulumi.Output<string>> } {
  const { settings, secretNames } = loadStackFile(stack, PROJECT_DIR);
  const secrets = Object.fromEntries(
    secretNames.map((name) => [name, pulumi.secret(fakeSecretValue(name))]),
  ) as Secrets<pulumi.Output<string>>;
  return { settings, secrets };
}

/**
 * The settings the alert and dashboard tests run on: the committed dev and prod stacks, and dev with the request
 * metrics fed by Traefik (the other `alerts.requestMetricsSource`), each with a name for `describe.each`.
 */
export function alertingVariants(): [string, Settings][] {
  return [
    ["dev", stackSettings("dev").settings],
    ["prod", stackSettings("prod").settings],
    [
      "dev with request metrics from Traefik",
      parseStackConfig("dev", { alerts: { requestMetricsSource: "traefik" } }, new Set()).settings,
    ],
  ];
}
