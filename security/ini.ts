/**
 * A small typed INI writer for fail2ban's files and systemd units, so no generator builds INI text by hand.
 *
 * Both readers interpret `%`: fail2ban's ConfigParser (`%(name)s` interpolation) and systemd (`%n` specifiers).
 * Both read `%%` as a literal `%`, so plain values are escaped that way; a fail2ban interpolation that is meant
 * is written with `interpolate()`. Anything a reader would silently change is refused with the key in the error:
 * line breaks in a one-line value, leading or trailing blanks (stripped), a `;` after a blank (fail2ban's inline
 * comment), a continuation line starting with `#` or `;` (read as a comment), a duplicate key where the reader
 * refuses them (fail2ban), a multi-line value where the reader has none (systemd).
 */

/** A value written as is, for fail2ban's `%(name)s` interpolation (e.g. `%(known/failregex)s`). */
export interface IniInterpolation {
  readonly interpolate: string;
}

/** One line of a value: text (escaped) or an interpolation (as is). */
export type IniLine = string | IniInterpolation;

export type IniValue = number | boolean | IniLine | readonly IniLine[];

export interface IniEntry {
  readonly key: string;
  readonly value: IniValue;
}

export interface IniSection {
  readonly name: string;
  /** Comment lines written above the section header. */
  readonly comment?: readonly string[];
  readonly entries: readonly IniEntry[];
}

export interface IniDocument {
  /** Comment lines at the top of the file. */
  readonly comment?: readonly string[];
  readonly sections: readonly IniSection[];
}

/** `fail2ban`: multi-line values, no duplicate keys. `systemd`: repeated keys (e.g. `ExecStart=` to reset), one line each. */
export type IniDialect = "fail2ban" | "systemd";

export class IniError extends Error {
  constructor(where: string, problem: string) {
    super(`${where}: ${problem}`);
    this.name = "IniError";
  }
}

/** A fail2ban interpolation, written without escaping. */
export function interpolate(expression: string): IniInterpolation {
  return { interpolate: expression };
}

/** Entries from an object, in its key order; `undefined` values are left out. */
export function entries(values: Readonly<Record<string, IniValue | undefined>>): IniEntry[] {
  return Object.entries(values)
    .filter((entry): entry is [string, IniValue] => entry[1] !== undefined)
    .map(([key, value]) => ({ key, value }));
}

const SECTION_NAME = /^[A-Za-z0-9_.?=@:/ -]+$/;
const KEY = /^[A-Za-z0-9_.\-/]+$/;

function checkComment(where: string, lines: readonly string[] | undefined): string[] {
  return (lines ?? []).map((line) => {
    if (/[\r\n]/.test(line)) throw new IniError(where, "a comment line must not contain a line break");
    return line === "" ? "#" : `# ${line}`;
  });
}

function escapeText(text: string): string {
  return text.replace(/%/g, "%%");
}

function checkLine(where: string, text: string, dialect: IniDialect, continuation: boolean): void {
  if (/[\r\n]/.test(text)) throw new IniError(where, `must not contain a line break (got ${JSON.stringify(text)})`);
  if (text !== text.trim())
    throw new IniError(
      where,
      `must not start or end with blanks, the reader strips them (got ${JSON.stringify(text)})`,
    );
  if (dialect === "fail2ban" && /\s;/.test(text))
    throw new IniError(
      where,
      `must not contain a blank followed by ';', fail2ban reads the rest as a comment (got ${JSON.stringify(text)})`,
    );
  if (continuation && /^[#;]/.test(text))
    throw new IniError(
      where,
      `a continuation line must not start with '#' or ';', it would be read as a comment (got ${JSON.stringify(text)})`,
    );
  if (continuation && text === "") throw new IniError(where, "a multi-line value must not contain an empty line");
}

function formatLine(where: string, line: IniLine, dialect: IniDialect, continuation: boolean): string {
  if (typeof line === "string") {
    checkLine(where, line, dialect, continuation);
    return escapeText(line);
  }
  if (dialect !== "fail2ban") throw new IniError(where, "interpolation is a fail2ban feature");
  checkLine(where, line.interpolate, dialect, continuation);
  return line.interpolate;
}

function formatValue(where: string, value: IniValue, dialect: IniDialect): string {
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new IniError(where, `must be a finite number (got ${value})`);
    return String(value);
  }
  if (!Array.isArray(value)) return formatLine(where, value as IniLine, dialect, false);
  const lines = value as readonly IniLine[];
  if (dialect === "systemd") throw new IniError(where, "systemd values are one line: use one entry per line instead");
  // The first line follows `key =`; the others are indented, which makes them continuation lines.
  return lines.map((line, index) => formatLine(`${where}[${index}]`, line, dialect, index > 0)).join("\n    ");
}

/** The document as INI text, ending with a newline. */
export function toIni(document: IniDocument, dialect: IniDialect): string {
  const out: string[] = [...checkComment("file comment", document.comment)];
  const sectionNames = new Set<string>();
  for (const section of document.sections) {
    if (!SECTION_NAME.test(section.name))
      throw new IniError(
        `[${section.name}]`,
        "is not a valid section name (letters, digits, _ . ? = @ : / - and spaces)",
      );
    if (sectionNames.has(section.name) && dialect === "fail2ban")
      throw new IniError(`[${section.name}]`, "is written twice");
    sectionNames.add(section.name);
    if (out.length > 0) out.push("");
    out.push(...checkComment(`[${section.name}] comment`, section.comment), `[${section.name}]`);
    const keys = new Set<string>();
    for (const { key, value } of section.entries) {
      const where = `[${section.name}] ${key}`;
      if (!KEY.test(key)) throw new IniError(where, "is not a valid key (letters, digits, _ . - /)");
      if (dialect === "fail2ban" && keys.has(key.toLowerCase()))
        throw new IniError(where, "is set twice (fail2ban refuses duplicate keys)");
      keys.add(key.toLowerCase());
      const text = formatValue(where, value, dialect);
      out.push(dialect === "systemd" ? `${key}=${text}` : text === "" ? `${key} =` : `${key} = ${text}`);
    }
  }
  return `${out.join("\n")}\n`;
}
