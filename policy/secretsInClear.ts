/**
 * Finding a secret passed in clear to a container's environment or in a command's text.
 *
 * A policy cannot tell a Pulumi secret from a plain value: the engine hands analyzers every input decrypted and
 * unmarked (pulumi/pulumi-policy#241), so "is this a secret output" cannot be asked here. What can be checked is
 * where the value travels. The stack's rule is that a secret reaches a container as a file (`*_FILE` variables,
 * Grafana's `__FILE` or `$__file{}`), and a host command through stdin, because an environment variable shows in
 * `docker inspect` and a command line shows in `ps`, shell traces and the command's recorded inputs. So a
 * secret-looking name carrying a literal value is refused, whatever its value is, and so are credentials written
 * into a URL or an `Authorization` header.
 */

/** Words that mark a variable, flag or key as holding a secret. */
const SECRET_WORDS = /PASSWORD|PASSWD|TOKEN|SECRET|APIKEY|CREDENTIAL|PRIVATEKEY/;
/**
 * Words that mark a secret only as the last segment: `DATA_SOURCE_PASS`, `SECRET_KEY`, `apiKey`; not
 * `StrictHostKeyChecking` or `AWS_ACCESS_KEY_ID` (an identifier, not the secret).
 */
const SECRET_LAST_SEGMENTS = new Set(["PASS", "KEY", "PWD"]);
/** Segments that say the variable holds where the secret is, not the secret. */
const REFERENCE_SUFFIXES = new Set(["FILE", "PATH", "STDIN", "DIR"]);
/** Names that look secret but are not (the shell's working directory). */
const NOT_SECRETS = new Set(["PWD", "OLDPWD"]);

function segments(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter((s) => s.length > 0);
}

/** True for `GF_SECURITY_ADMIN_PASSWORD`, `DATA_SOURCE_PASS`, `apiKey`, `--auth-token`; false for `*_FILE` names. */
export function isSecretLikeName(name: string): boolean {
  if (NOT_SECRETS.has(name.toUpperCase())) return false;
  const parts = segments(name);
  if (parts.length === 0 || REFERENCE_SUFFIXES.has(parts[parts.length - 1])) return false;
  return parts.some((part) => SECRET_WORDS.test(part)) || SECRET_LAST_SEGMENTS.has(parts[parts.length - 1]);
}

/**
 * A value that points at the secret instead of holding it: empty, a shell or Grafana expansion (`$VAR`,
 * `${VAR}`, `$(cat /run/secrets/x)`, `$__file{/run/secrets/x}`) or a placeholder of the render CLI.
 */
export function isReferenceValue(value: string): boolean {
  const bare = value.trim().replace(/^(['"])(.*)\1$/, "$2");
  return bare === "" || /^\$(\{|\(|__(file|env|vault)\{|[A-Za-z_])/.test(bare) || /^<secret:[A-Za-z]+>$/.test(bare);
}

/** `scheme://user:password@host` with a literal password (not `$VAR`). */
const URL_CREDENTIALS = /\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@'"]+:([^\s@'"/]+)@/gi;
/** `Authorization: Bearer <literal>` or `Basic <literal>`. */
const AUTH_HEADER = /authorization:\s*(bearer|basic)\s+([^\s'"]+)/gi;

/** SQL `[ENCRYPTED] PASSWORD '<literal>'` (a role created through psql); psql's `:'var'` is a reference. */
const SQL_PASSWORD = /\bpassword\s+'([^']*)'/gi;

/** Credentials embedded in text (URLs with a password, authorization headers, SQL), whatever variable holds them. */
export function embeddedCredentials(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(SQL_PASSWORD)) {
    if (!isReferenceValue(match[1])) found.push("an SQL PASSWORD literal");
  }
  for (const match of text.matchAll(URL_CREDENTIALS)) {
    if (!isReferenceValue(match[1])) found.push("a URL with a password in it");
  }
  for (const match of text.matchAll(AUTH_HEADER)) {
    if (!isReferenceValue(match[2])) found.push(`an Authorization: ${match[1]} header with a literal credential`);
  }
  return found;
}

/** Violations of one `NAME=value` pair (a container env entry or a command's environment). */
function checkAssignment(where: string, name: string, value: string): string[] {
  const violations: string[] = [];
  if (isSecretLikeName(name) && !isReferenceValue(value)) {
    violations.push(
      `${where} sets \`${name}\` to a value in clear: pass the secret as a file (\`${name}_FILE\` or \`$__file{}\`) or through stdin`,
    );
  }
  for (const what of embeddedCredentials(value))
    violations.push(`${where} puts ${what} in \`${name}\`: pass the credential as a file or through stdin`);
  return violations;
}

/** A container's `KEY=value` environment entries. */
export function checkContainerEnvs(containerName: string | undefined, envs: readonly string[] | undefined): string[] {
  const where = containerName ? `container \`${containerName}\`` : "the container";
  return (envs ?? []).flatMap((entry) => {
    const equals = entry.indexOf("=");
    return equals === -1 ? [] : checkAssignment(where, entry.slice(0, equals), entry.slice(equals + 1));
  });
}

/** `NAME=value` assignments in shell text (`export TOKEN=abc`, `PGPASSWORD=x psql ...`). */
const SHELL_ASSIGNMENT = /(?:^|[\s;&|(`])(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|[^\s;&|)`]*)/g;
/** `--password=value` / `--token value` flags (not `--password-stdin`, `--token-file`). */
const SECRET_FLAG = /(?:^|\s)(--?[A-Za-z][A-Za-z0-9.-]*)(?:=|\s+)("[^"]*"|'[^']*'|[^\s;&|]+)/g;

/** Secrets in the text of a command (`create`, `update`, `delete`) and in its environment. */
export function checkCommandText(field: string, text: string): string[] {
  const where = `the command's \`${field}\``;
  const violations: string[] = [];
  for (const match of text.matchAll(SHELL_ASSIGNMENT)) {
    if (isSecretLikeName(match[1]) && !isReferenceValue(match[2])) {
      violations.push(
        `${where} assigns \`${match[1]}\` a value in clear: read the secret from stdin or a file instead`,
      );
    }
  }
  for (const match of text.matchAll(SECRET_FLAG)) {
    const [, flag, value] = match;
    if (isSecretLikeName(flag) && !value.startsWith("-") && !isReferenceValue(value)) {
      violations.push(`${where} passes \`${flag}\` a value in clear: read the secret from stdin or a file instead`);
    }
  }
  for (const what of embeddedCredentials(text))
    violations.push(`${where} contains ${what}: pass the credential through stdin`);
  return violations;
}

/** The `command:local:Command` / `command:remote:Command` inputs these checks read. */
export interface CommandProps {
  readonly create?: string;
  readonly update?: string;
  readonly delete?: string;
  readonly environment?: Readonly<Record<string, string>>;
}

/** Every text field and environment entry of a command. `stdin` is the sanctioned channel and is not read. */
export function checkCommand(props: CommandProps): string[] {
  const texts = (["create", "update", "delete"] as const).flatMap((field) => {
    const text = props[field];
    return typeof text === "string" ? checkCommandText(field, text) : [];
  });
  const environment = Object.entries(props.environment ?? {}).flatMap(([name, value]) =>
    checkAssignment("the command's `environment`", name, String(value)),
  );
  return [...texts, ...environment];
}
