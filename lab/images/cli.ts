/**
 * `npm run lab-images -- [--only prometheus,loki] [--prefix koprogo-lab] [--host unix:///path/docker.sock]`
 *
 * Builds the lab's images (lab/images/) and prints each reference, size and build time. With `--host` it builds into
 * that engine (the lab's); without, into a private engine it starts and stops (e2e/dockerEngine.ts), which leaves the
 * images as archives in the tool cache for the next engine to load.
 */
import { runDocker, startDockerEngine, type DockerEngine } from "../../e2e/dockerEngine";
import { buildLabImages, LAB_IMAGE_PREFIX } from "./build";
import type { LabImageName } from "./services";

function option(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(`--${name}`);
  if (index < 0) return undefined;
  const value = args[index + 1];
  if (!value || value.startsWith("--")) throw new Error(`--${name} needs a value`);
  return value;
}

async function main(args: readonly string[]): Promise<void> {
  const known = new Set(["--only", "--prefix", "--host"]);
  for (const arg of args.filter((a) => a.startsWith("--")))
    if (!known.has(arg)) throw new Error(`unknown option ${arg} (options: ${[...known].join(", ")})`);
  const only = option(args, "only")?.split(",") as LabImageName[] | undefined;
  const prefix = option(args, "prefix") ?? LAB_IMAGE_PREFIX;
  const host = option(args, "host");
  let engine: DockerEngine | undefined;
  const cli = host
    ? { docker: (dockerArgs: readonly string[], o?: { timeoutMs?: number }) => runDocker(host, dockerArgs, o) }
    : (engine = await startDockerEngine({ name: "labimages" }));
  try {
    const built = await buildLabImages(cli, { only, prefix, log: (line) => console.error(line) });
    console.log("| image | reference | size | how | seconds |");
    console.log("|---|---|---:|---|---:|");
    for (const image of built)
      console.log(
        `| ${image.name} | ${image.reference} | ${(image.sizeBytes / 1024 ** 2).toFixed(1)} MiB | ${image.built ? "built" : "loaded"} | ${image.seconds.toFixed(1)} |`,
      );
  } finally {
    await engine?.stop();
  }
}

main(process.argv.slice(2)).catch((error: Error) => {
  console.error(`lab-images: ${error.message}`);
  process.exit(1);
});
