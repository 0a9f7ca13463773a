/**
 * nginx's configuration syntax as data: directives with arguments, optionally with a block. The renderer quotes
 * an argument only when it must and refuses what could end a directive or a block early (`"`, `\`, newlines,
 * and `;`, `{`, `}` outside quotes are impossible by construction), so no setting can inject a directive.
 */
export interface NginxDirective {
  readonly name: string;
  readonly args: readonly (string | number)[];
  readonly block?: readonly (NginxDirective | false | undefined)[];
}

export function directive(name: string, ...args: (string | number)[]): NginxDirective {
  return { name, args };
}

export function section(
  name: string,
  args: readonly (string | number)[],
  block: readonly (NginxDirective | false | undefined)[],
): NginxDirective {
  return { name, args, block };
}

const BARE = /^[A-Za-z0-9_./:$=@*+-]+$/;

function argument(value: string | number): string {
  const text = String(value);
  if (/["\\\n\r]/.test(text))
    throw new Error(`nginx argument ${JSON.stringify(text)} holds a quote, backslash or newline`);
  // nginx reads `"..."` as one argument; inside it `;`, `{`, `}`, spaces and `$variables` are literal or expanded as usual.
  return text !== "" && BARE.test(text) ? text : `"${text}"`;
}

function render(d: NginxDirective, indent: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(d.name)) throw new Error(`not an nginx directive name: ${JSON.stringify(d.name)}`);
  const head = [d.name, ...d.args.map(argument)].join(" ");
  if (!d.block) return `${indent}${head};\n`;
  const body = d.block
    .filter((c): c is NginxDirective => Boolean(c))
    .map((c) => render(c, `${indent}  `))
    .join("");
  return `${indent}${head} {\n${body}${indent}}\n`;
}

export function renderNginx(directives: readonly (NginxDirective | false | undefined)[]): string {
  return directives
    .filter((d): d is NginxDirective => Boolean(d))
    .map((d) => render(d, ""))
    .join("");
}
