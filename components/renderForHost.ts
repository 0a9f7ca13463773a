/**
 * The rendered files as the components write them: the same generators as the render CLI, with real secrets.
 * The list of files is known at declaration time (rendered with placeholders); only the content of secret files
 * waits for the secret values, inside an `apply`.
 */
import * as pulumi from "@pulumi/pulumi";
import { renderAll } from "../stack/files";
import { placeholderSecrets, type AnySecretName, type Secrets, type Settings } from "../settings";
import type { HostFile } from "./configFiles";

export function hostFilesFor(settings: Settings, secrets: Secrets<pulumi.Output<string>>): HostFile[] {
  const skeleton = renderAll(settings, placeholderSecrets(settings));
  const names = Object.keys(secrets) as AnySecretName[];
  const real = pulumi.all(names.map((n) => secrets[n]!)).apply((values) => {
    const byName: Secrets<string> = {
      ...placeholderSecrets(settings),
      ...Object.fromEntries(names.map((n, i) => [n, values[i]])),
    };
    return new Map(renderAll(settings, byName).map((file) => [file.path, file]));
  });
  return skeleton.map((file) => {
    if (!file.secret) {
      // A file that is not marked secret must not change with the secrets: otherwise a secret would be written
      // world-readable and shown in the rendered files.
      real.apply((byPath) => {
        if (byPath.get(file.path)?.content !== file.content)
          throw new Error(`${file.path} contains a secret but is not marked secret`);
      });
      return { path: file.path, content: file.content };
    }
    return {
      path: file.path,
      secret: true,
      content: pulumi.secret(real.apply((byPath) => byPath.get(file.path)?.content ?? "")),
    };
  });
}
