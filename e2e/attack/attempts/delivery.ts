/**
 * The way in around the running stack: the CI that deploys it, the state and previews that describe it, and the
 * packages of the host agents. Checked on the files and on what the program declares (`config only`).
 */
import * as fs from "fs";
import * as path from "path";
import { contentHash } from "../../../host/scripts";
import type { AttackContext } from "../context";
import { ok, type Attempt } from "./types";

const PROJECT_DIR = path.resolve(__dirname, "../../..");

/** `uses:` lines of the workflows and local actions that name a tag or branch instead of a commit digest. */
function mutableActions(): string[] {
  const dirs = [
    path.join(PROJECT_DIR, ".github", "workflows"),
    ...fs
      .readdirSync(path.join(PROJECT_DIR, ".github", "actions"))
      .map((d) => path.join(PROJECT_DIR, ".github", "actions", d)),
  ];
  return dirs.flatMap((dir) =>
    fs
      .readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .flatMap((file) =>
        fs
          .readFileSync(path.join(dir, file), "utf8")
          .split("\n")
          .map((line) => /^\s*(?:- )?uses:\s*([^\s#]+)/.exec(line)?.[1])
          .filter((ref): ref is string => ref !== undefined && !ref.startsWith("./") && !/@[0-9a-f]{40}$/.test(ref))
          .map((ref) => `${file}: ${ref}`),
      ),
  );
}

/** The secret values the harness knows (the lab's test secrets), as an offline guesser's dictionary. */
function dictionary(ctx: AttackContext): string[] {
  return Object.values(ctx.secrets).filter((v): v is string => typeof v === "string" && v.length > 0);
}

export const DELIVERY_ATTEMPTS: readonly Attempt[] = [
  {
    id: "ci-pr-deploy-secret",
    title: "open a pull request whose code (npm install scripts, the program, the workflow) reads the VPS key",
    from: "a pull request's author",
    mode: "config",
    phase: 1,
    async run(ctx) {
      const findings = ctx.judges.workflowFindings();
      return {
        succeeded: findings.length > 0,
        detail: findings.length > 0 ? findings.join("; ") : "no job a pull request triggers can read a deploy secret",
        harness: ok("the deploy job reads the VPS key in the production/staging environments (approved, main only)"),
      };
    },
  },
  {
    id: "ci-preview-ssh",
    title: "have the pull request's preview load the VPS key into an SSH agent and use it from the program",
    from: "a pull request's author",
    mode: "config",
    phase: 1,
    async run() {
      // The preview workflow and every local action it uses: an SSH agent or the VPS key there is the VPS for any
      // code the pull request runs next (npm install scripts, index.ts), whatever the environment's gate says.
      const workflow = fs.readFileSync(path.join(PROJECT_DIR, ".github", "workflows", "pull-request.yml"), "utf8");
      const local = [...workflow.matchAll(/uses:\s*\.\/(\.github\/actions\/[^\s#]+)/g)].map((m) => m[1]);
      const texts = [
        { where: "pull-request.yml", text: workflow },
        ...local.map((dir) => ({
          where: dir,
          text: fs.readFileSync(path.join(PROJECT_DIR, dir, "action.yml"), "utf8"),
        })),
      ];
      const ssh = texts.filter((t) => /ssh-agent|VPS_SSH_PRIVATE_KEY/.test(t.text)).map((t) => t.where);
      return {
        succeeded: ssh.length > 0,
        detail:
          ssh.length > 0
            ? `SSH key or agent in ${ssh.join(", ")}`
            : `no SSH key or agent in the preview (${texts.map((t) => t.where).join(", ")})`,
        harness: ok("the deploy job loads the key (./.github/actions/vps-ssh) after the environment's approval"),
      };
    },
  },
  {
    id: "ci-mutable-action",
    title: "move a release tag of an action the workflows run to code of the attacker's",
    from: "a pull request's author",
    mode: "config",
    phase: 1,
    async run() {
      const mutable = mutableActions();
      return {
        succeeded: mutable.length > 0,
        detail: mutable.length > 0 ? `pinned by tag: ${mutable.join(", ")}` : "every action pinned to a commit digest",
        harness: ok("Renovate updates digest and release comment together"),
      };
    },
  },
  {
    id: "state-rerun-key-guess",
    title:
      "read the state or a preview and test guesses of the stack's secrets offline against the digests in its scripts",
    from: "a reader of the state or of a pull request's preview",
    mode: "config",
    phase: 1,
    async run(ctx) {
      // What a digest of a secret looked like in the scripts: sha256(sha256(secret)) (one value) and, for a file,
      // sha256 of its digest among others: the attacker hashes each guess and looks for it in the text.
      const texts = ctx.declared.hostCommands.join("\n");
      const found = dictionary(ctx).filter(
        (secret) => texts.includes(contentHash(contentHash(secret))) || texts.includes(contentHash(secret)),
      );
      const keyed = (texts.match(/# rerun when changed: hmac-sha256 [0-9a-f]{64}/g) ?? []).length;
      return {
        succeeded: found.length > 0,
        detail:
          found.length > 0
            ? `${found.length} of ${dictionary(ctx).length} known secrets confirmed from the command texts alone`
            : `none of ${dictionary(ctx).length} known secrets found; ${keyed} rerun digests keyed with the stack's random secret`,
        harness: ok("a changed secret still changes its command's text (tests/lab/hostScripts.test.ts)"),
      };
    },
  },
  {
    id: "agents-security-updates-held",
    title: "keep exploiting a known hole of Suricata, CrowdSec or fail2ban after its security update ships",
    from: "the internet",
    mode: "config",
    phase: 1,
    async run(ctx) {
      const held = ctx.declared.hostCommands.filter((c) => /apt-mark hold\b/.test(c));
      const pinned = ctx.declared.hostCommands.filter((c) => /Pin: version [^\n']*\*/.test(c));
      return {
        succeeded: held.length > 0,
        detail:
          held.length > 0
            ? `${held.length} install script(s) hold their packages: no security update reaches them`
            : `no hold; ${pinned.length} install script(s) keep their release line with apt preferences, updates included`,
        harness: ok("the release line is kept (tests/tools/security.aptPin.test.ts, the real apt)"),
      };
    },
  },
  {
    id: "docs-pg-prefix-forgery",
    title: "log in to PostgreSQL with a user name holding a newline and a fake line, under the prefix the docs give",
    from: "the internet",
    mode: "config",
    phase: 1,
    async run() {
      const pages = [
        "README.md",
        ...fs
          .readdirSync(path.join(PROJECT_DIR, "docs"))
          .filter((f) => f.endsWith(".md"))
          .map((f) => `docs/${f}`),
      ];
      // A prefix with the client-chosen user or database name (`%u`, `%d`) lets that name forge a whole line
      // (PostgreSQL 15 writes prefix fields verbatim; measured in tests/tools/security.injection.test.ts).
      const unsafe = pages.flatMap((page) =>
        [...fs.readFileSync(path.join(PROJECT_DIR, page), "utf8").matchAll(/log_line_prefix[^\n]*?%[ud]/g)].map(
          () => page,
        ),
      );
      return {
        succeeded: unsafe.length > 0,
        detail:
          unsafe.length > 0
            ? `a prefix with %u or %d is given in ${[...new Set(unsafe)].join(", ")}`
            : "every documented prefix carries the peer address and nothing the client chose",
        harness: ok("the filters parse the documented prefix (tests/unit/docs.logFormats.test.ts)"),
      };
    },
  },
];
