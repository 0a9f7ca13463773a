/**
 * The log formats the documentation tells the operator to configure on the application's side are the ones the
 * jails and CrowdSec parse safely: one PostgreSQL `log_line_prefix` (POSTGRES_LOG_LINE_PREFIX, without the
 * client-chosen `%u`/`%d`, which let a user name with a newline forge lines), and Traefik's JSON access log
 * (the common format lets a URL's user name forge lines). Any other prefix anywhere in the README, `docs/` or the
 * runbooks fails here.
 */
import * as fs from "fs";
import * as path from "path";
import { POSTGRES_LOG_LINE_PREFIX } from "../../security/fail2ban";
import { traefikAccessLogFlags } from "../../security/traefikAccessLog";
import { documentationFiles } from "../helpers/docs";
import { PROJECT_DIR, stackSettings } from "../helpers/stacks";

/**
 * Every `log_line_prefix` value written in `text`: `log_line_prefix='…'`, `log_line_prefix = '…'`,
 * `"log_line_prefix=…"` (a quoted command-line argument) or `log_line_prefix '…'`; values without a `%` escape
 * (prose such as "the log_line_prefix this stack asks for") are not prefixes. A bare code span starting with `%m`
 * counts too.
 */
function postgresPrefixesIn(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/(["'`]?)log_line_prefix(\s*=\s*|\s+)(["'`]?)/g)) {
    const rest = text.slice(match.index + match[0].length);
    const closing = match[3] || match[1];
    const value = closing ? rest.slice(0, Math.max(0, rest.indexOf(closing))) : (/^\S*/.exec(rest)?.[0] ?? "");
    if (value.includes("%")) found.push(value);
  }
  for (const span of text.matchAll(/`(%m[^`]*)`/g)) found.push(span[1]);
  return found;
}

const pages = [
  ...documentationFiles(),
  ...fs
    .readdirSync(path.join(PROJECT_DIR, "alerts", "runbooks"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `alerts/runbooks/${f}`),
];

describe("PostgreSQL's log_line_prefix in the documentation", () => {
  const prefixes = pages.flatMap((page) =>
    postgresPrefixesIn(fs.readFileSync(path.join(PROJECT_DIR, page), "utf8")).map((value) => ({ page, value })),
  );

  it("is given where the operator configures PostgreSQL", () => {
    const where = new Set(prefixes.map((p) => p.page));
    for (const page of ["docs/operator/deploying.md", "docs/operator/host-agents.md"]) expect(where).toContain(page);
  });

  it("is the one the fail2ban filter and the CrowdSec parser read, everywhere", () => {
    for (const { page, value } of prefixes)
      expect(`${page}: '${value}'`).toBe(`${page}: '${POSTGRES_LOG_LINE_PREFIX}'`);
  });

  it.each([
    ["log_line_prefix='%m [%p] %h%q %u@%d '", "%m [%p] %h%q %u@%d "],
    ['-c "log_line_prefix=%m [%p] %u "', "%m [%p] %u "],
    ["log_line_prefix = '%t [%p] %h '", "%t [%p] %h "],
    ["the prefix `%m [%p] %h %a `", "%m [%p] %h %a "],
  ])("finds the prefix in %s (so a wrong one cannot hide)", (text, value) => {
    expect(postgresPrefixesIn(text)).toEqual([value]);
  });
});

describe("Traefik's access log in the documentation", () => {
  const { settings } = stackSettings("prod");
  const flags = traefikAccessLogFlags(settings).join(" ");

  it.each(["docs/operator/deploying.md", "docs/operator/host-agents.md"])(
    "%s gives prod's flags: JSON, to the host file",
    (page) => {
      expect(flags).toContain("--accesslog.format=json");
      expect(fs.readFileSync(path.join(PROJECT_DIR, page), "utf8")).toContain(flags);
    },
  );

  it("never tells the operator to run Traefik with the common format", () => {
    for (const page of pages)
      expect(
        `${page}: ${/--accesslog\.format=(common|genericCLF)/.test(fs.readFileSync(path.join(PROJECT_DIR, page), "utf8"))}`,
      ).toBe(`${page}: false`);
  });
});
