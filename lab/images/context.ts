/** What goes into an image's build context, named by where it comes from (resolved by build.ts, never here). */

export type ContextSource =
  /** An executable of the tool cache, by its `toolPath` name (toolchain/versions.ts `binaries`). */
  | { readonly kind: "tool"; readonly binary: string }
  /** A folder (or file) of a tool's built root in the tool cache (Grafana's `conf/` and `public/`). */
  | { readonly kind: "toolRoot"; readonly binary: string; readonly path: string }
  /** A file of the Go module's source at the deployed version (`go mod download -json module@version` → Dir). */
  | { readonly kind: "module"; readonly module: string; readonly path: string }
  /** A file written from the given text. */
  | { readonly kind: "text"; readonly text: string }
  /** A file of the machine that builds (the CA bundle of Debian's ca-certificates). */
  | { readonly kind: "host"; readonly path: string };

export interface ContextFile {
  /** Relative path in the build context. */
  readonly path: string;
  readonly source: ContextSource;
  /** File mode (folders copied keep theirs). */
  readonly mode?: number;
}
