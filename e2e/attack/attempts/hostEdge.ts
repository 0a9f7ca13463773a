/**
 * The host's edges that the namespace lab cannot model: Docker's own iptables chains in front of a neighbour on the
 * provider's link (run on a real engine, e2e/attack/neighbour.ts), and the images the engine pulls by name.
 */
import * as fs from "fs";
import * as path from "path";
import { nameOf } from "../context";
import { neighbourExperiment } from "../neighbour";
import { notOk, ok, type Attempt } from "./types";

const PROJECT_DIR = path.resolve(__dirname, "../../..");

/**
 * The pins the operator's documentation lists as kept without a digest, with the reason (docs/operator/security.md
 * "Image digests": rows `` | `name` | `ref` | why | ``). None where the section does not exist.
 */
function documentedDigestExceptions(): Map<string, string> {
  const file = path.join(PROJECT_DIR, "docs/operator/security.md");
  if (!fs.existsSync(file)) return new Map();
  const doc = fs.readFileSync(file, "utf8");
  const at = doc.indexOf("## Image digests");
  if (at < 0) return new Map();
  const section = doc.slice(at, doc.indexOf("\n## ", at + 1) > 0 ? doc.indexOf("\n## ", at + 1) : undefined);
  return new Map([...section.matchAll(/^\| `([A-Za-z]+)` \| `([^`]+)` \|/gm)].map((m) => [m[2], m[1]]));
}

export const HOST_EDGE_ATTEMPTS: readonly Attempt[] = [
  {
    id: "lan-neighbour-docker-chains",
    title:
      "from a machine on the provider's link, route the container subnets through the host and connect to every published container port on the container's own addresses, past Docker's own chains (real engine)",
    from: "a LAN neighbour of the host",
    mode: "network",
    phase: 0,
    async run(ctx) {
      const grafana = ctx.declared.containers.find((c) => c.name === nameOf(ctx, "grafana"));
      const result = await neighbourExperiment({
        declared: ctx.declared,
        applicationNetwork: ctx.lab.applicationNetwork,
        grafana: {
          container: nameOf(ctx, "grafana"),
          network: grafana?.labels["traefik.docker.network"] ?? ctx.lab.applicationNetwork,
          port: 3000,
        },
        engineSubnet: "10.251.43",
        rules: "declared",
        parentDir: ctx.workDir,
        standInImage: (engine) => ctx.judges.standInImage(engine),
      });
      const reached = result.attempts.filter((a) => a.reached);
      const failed = result.harness.filter((h) => !h.ok);
      return {
        succeeded: reached.length > 0,
        detail: `${
          reached.length > 0
            ? `reached ${reached.map((a) => `${a.container} ${a.address}:${a.port} (${a.network}): ${a.got}`).join(", ")}`
            : `${result.attempts.length} tries, none answered (${[...new Set(result.attempts.map((a) => a.got))].join(", ")})`
        }; the program's DOCKER-USER rules applied: ${result.applied}; kernel (engine's namespace, set before the tries): ${result.kernel.join(", ")}`,
        harness:
          failed.length === 0 && result.harness.length > 0
            ? ok(result.harness.map((h) => `${h.what}: ${h.got}`).join("; "))
            : notOk(failed.map((h) => `${h.what}: ${h.got}`).join("; ") || "nothing checked"),
      };
    },
  },
  {
    id: "image-tag-moved",
    title:
      "push other content under a tag the stack runs (a stolen registry account, a compromised upstream) and have the next `pulumi up` or container re-creation run it with the stack's mounts and secrets",
    from: "whoever can push to an image's repository",
    mode: "config",
    phase: 1,
    async run(ctx) {
      const exceptions = documentedDigestExceptions();
      const images = [...new Set(ctx.declared.containers.map((c) => c.image))];
      const movable = images.filter((image) => !/@sha256:[a-f0-9]{64}$/.test(image));
      const undocumented = movable.filter((image) => !exceptions.has(image));
      const documented = movable.filter((image) => exceptions.has(image));
      const untagged = images.filter((image) => !/:v?\d+\.\d+\.\d+[^/@]*(@|$)/.test(image));
      return {
        succeeded: undocumented.length > 0,
        detail: `${images.length - movable.length} of ${images.length} images pinned by digest${
          undocumented.length > 0 ? `; movable by a tag push: ${undocumented.join(", ")}` : ""
        }${
          documented.length > 0
            ? `; still movable, documented with the reason (docs/operator/security.md "Image digests"): ${documented.map((i) => `${exceptions.get(i)} ${i}`).join(", ")}`
            : ""
        }`,
        harness:
          untagged.length === 0
            ? ok("every image still names its exact release tag beside the digest (what Renovate compares releases on)")
            : notOk(`no exact tag: ${untagged.join(", ")}`),
      };
    },
  },
];
