import type { Secrets, Settings } from "../settings";

/** One file that lands on the VPS, as a generator produces it. */
export interface RenderedFile {
  /** Path relative to the stack's config root (and to the render output), e.g. `prometheus/prometheus.yml`. */
  readonly path: string;
  readonly content: string;
  /** Holds a secret: written with mode 0640 on the host; the render CLI writes placeholders in it. */
  readonly secret?: boolean;
}

/** A pure generator of one part's files. Secrets are plain strings: real values inside an `apply`, or placeholders. */
export type FileRenderer = (settings: Settings, secrets: Secrets<string>) => RenderedFile[];

/** A secret file of the rendered tree (mode 0600); an absent secret renders empty, as every generator does. */
export function secretFile(path: string, content: string | undefined): RenderedFile {
  return { path, content: content ?? "", secret: true };
}
