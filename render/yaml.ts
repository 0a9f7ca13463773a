import YAML from "yaml";

/**
 * YAML as every generator writes it: no line folding (long PromQL stays on one line, diffs stay readable) and no
 * anchors/aliases (each block reads on its own, and tools that mishandle aliases are spared).
 */
export function toYaml(value: unknown): string {
  return YAML.stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });
}
