/**
 * The commands a systemd drop-in runs around a service (`ExecStartPre=`, `ExecStopPost=`), read from the rendered
 * file so that the lab runs what systemd would on the VPS: each line is one command, split on whitespace with
 * systemd's quoting (`"..."`, `'...'`); a leading `-` means its failure is ignored (systemd.service(5)). The other
 * prefixes (`@`, `:`, `+`, `!`) change privileges or argv[0], which the lab cannot reproduce: refused.
 */
export interface ExecLine {
  readonly argv: readonly string[];
  readonly ignoreFailure: boolean;
}

/** Splits a command line as systemd does for `Exec*=`: whitespace-separated words, single or double quotes. */
export function splitSystemdCommand(line: string): string[] {
  const words: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (let match = pattern.exec(line); match; match = pattern.exec(line))
    words.push(match[1] !== undefined ? match[1].replace(/\\(.)/g, "$1") : (match[2] ?? match[3]));
  return words;
}

/** The `key=` lines of the `[Service]` section, in order. */
export function execLines(dropIn: string, key: "ExecStartPre" | "ExecStopPost"): ExecLine[] {
  let section = "";
  const lines: ExecLine[] = [];
  for (const raw of dropIn.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("#") || line.startsWith(";") || line === "") continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1];
      continue;
    }
    if (section !== "Service" || !line.startsWith(`${key}=`)) continue;
    let value = line.slice(key.length + 1);
    const ignoreFailure = value.startsWith("-");
    if (ignoreFailure) value = value.slice(1);
    if (/^[@:+!]/.test(value))
      throw new Error(`${key}=${value}: the lab runs plain commands only (prefix ${value[0]})`);
    lines.push({ argv: splitSystemdCommand(value), ignoreFailure });
  }
  return lines;
}
