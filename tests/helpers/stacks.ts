/** Settings of the committed stack files, and secrets as Pulumi outputs, for tests. */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { loadStackFile, type SecretName, type Secrets, type Settings } from "../../settings";

export const PROJECT_DIR = path.resolve(__dirname, "../..");

/** A fake value per secret, easy to search for in rendered files and resource inputs. */
export function fakeSecretValue(name: SecretName): string {
  return `FAKE-${name}-VALUE`;
}

export function stackSettings(stack: string): { settings: Settings; secrets: Secrets<pulumi.Output<string>> } {
  const { settings, secretNames } = loadStackFile(stack, PROJECT_DIR);
  const secrets = Object.fromEntries(secretNames.map((name) => [name, pulumi.secret(fakeSecretValue(name))])) as Secrets<pulumi.Output<string>>;
  return { settings, secrets };
}
