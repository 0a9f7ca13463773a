/**
 * The Go sources of the log tools (Loki with logcli, Grafana Alloy), read from each module's own files at its
 * version: go.mod for `replace`/`exclude`, the Makefile and Dockerfile for build tags, cgo and `-X` stamping.
 */
import type { GoSource, GoStamp } from "./sources";

/** `2006-01-02T15:04:05Z`, the `date -u +"%Y-%m-%dT%H:%M:%SZ"` both Makefiles stamp. */
const isoSeconds = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, "Z");

/** A build user that says where the binary was built (upstream stamps `$(whoami)@$(hostname)`). */
const BUILD_USER = "koprogo-observability@toolchain";

/** Loki's programs the tests run. */
export const LOKI_PROGRAMS = {
  loki: "github.com/grafana/loki/v3/cmd/loki",
  logcli: "github.com/grafana/loki/v3/cmd/logcli",
} as const;

/**
 * Loki's Makefile (v3.5.3): `CGO_ENABLED=0 go build -ldflags "-extldflags \"-static\" -s -w $(GO_LDFLAGS)"
 * -tags netgo ./cmd/loki` (and `./cmd/logcli`), GO_LDFLAGS setting `Branch`, `Version` (tools/image-tag: the git
 * tag without `v`), `Revision`, `BuildUser`, `BuildDate` of `pkg/util/build`. The UI it embeds
 * (`pkg/ui/frontend/dist`) is in the module as released. `-extldflags -static` only matters to cgo, which is off.
 */
export function lokiSource(release: string): GoSource {
  const pkg = "github.com/grafana/loki/v3/pkg/util/build";
  return {
    kind: "go",
    module: "github.com/grafana/loki/v3",
    version: `v${release.replace(/^v/, "")}`,
    programs: LOKI_PROGRAMS,
    replace: {
      "github.com/Azure/azure-sdk-for-go": "github.com/Azure/azure-sdk-for-go v68.0.0+incompatible",
      "github.com/Azure/azure-storage-blob-go":
        "github.com/MasslessParticle/azure-storage-blob-go v0.14.1-0.20240322194317-344980fda573",
      "github.com/hashicorp/consul": "github.com/hashicorp/consul v1.20.5",
      "github.com/gocql/gocql": "github.com/grafana/gocql v0.0.0-20200605141915-ba5dc39ece85",
      "github.com/hashicorp/memberlist": "github.com/grafana/memberlist v0.3.1-0.20220714140823-09ffed8adbbe",
      "github.com/grafana/regexp": "github.com/grafana/regexp v0.0.0-20240518133315-a468a5bfb3bc",
      // Upstream: `=> ./pkg/push`, a folder the module zip leaves out (it is a module of its own). The published
      // version its go.mod requires: the proxy serves no version at the v3.5.3 commit, and the one it serves from
      // 2025-06 adds a `format` field v3.5.3 never reads and raises grpc, x/net and x/text above Loki's build list.
      "github.com/grafana/loki/pkg/push": "github.com/grafana/loki/pkg/push v0.0.0-20240924133635-758364c7775f",
      "github.com/influxdata/go-syslog/v3": "github.com/leodido/go-syslog/v4 v4.2.0",
      "github.com/thanos-io/objstore": "github.com/grafana/objstore v0.0.0-20250210100727-533688b5600d",
    },
    exclude: ["k8s.io/client-go v8.0.0+incompatible"],
    tags: ["netgo"],
    ldflags: (stamp: GoStamp) => [
      "-s",
      "-w",
      `-X ${pkg}.Branch=HEAD`,
      `-X ${pkg}.Version=${stamp.version}`,
      `-X ${pkg}.Revision=${stamp.revision}`,
      `-X ${pkg}.BuildUser=${BUILD_USER}`,
      `-X ${pkg}.BuildDate=${isoSeconds(stamp.date)}`,
    ],
  };
}

/** Alloy's one program: the module's main package. */
export const ALLOY_PROGRAMS = { alloy: "github.com/grafana/alloy" } as const;

/**
 * The Alloy module the proxy serves nearest to the deployed release: it answers
 * `403 This module version is not available` for github.com/grafana/alloy v1.10.1 and v1.10.2 (and for a pseudo-version
 * at the v1.10.2 commit), and serves v1.10.0. The v1.10 line's configuration language is the same in all three.
 */
export const ALLOY_MODULE_VERSION = "v1.10.0";

/**
 * Alloy's Dockerfile (v1.10.0): `GO_TAGS="netgo builtinassets promtail_journal_enabled" make alloy` on its build
 * image, whose Makefile keeps cgo on (`CGO_ENABLED ?= 1`, the journal reader links libsystemd's headers and loads
 * libsystemd.so.0 at run time, which its Ubuntu image installs) and stamps `-s -w` with `Version` (the git tag,
 * with its `v`), `Revision`, `Branch`, `BuildUser`, `BuildDate` of `internal/build` and the syntax's `stdlib.Version`.
 * Left out: `builtinassets`, which embeds `internal/web/ui/build`, a yarn build that is not in the module (the UI is
 * then served from disk and answers 404 here; nothing the stack uses needs it).
 *
 * `./syntax` (its own module, left out of the zip) has no published version at v1.10.x: the proxy serves only
 * syntax v0.1.0 (2024-04, without the `typecheck` package Alloy 1.10 imports) and v0.1.1 (2026-07). v0.1.1 is the
 * one that builds; it asks for newer fatih/color, go-colorable, go-isatty, ojg, testify and x/sys than Alloy's
 * build list, so those are pinned back to Alloy's own versions: only the syntax module differs from upstream's build.
 */
export function alloySource(): GoSource {
  const build = "github.com/grafana/alloy/internal/build";
  return {
    kind: "go",
    module: "github.com/grafana/alloy",
    version: ALLOY_MODULE_VERSION,
    programs: ALLOY_PROGRAMS,
    replace: {
      "go.opentelemetry.io/collector/featuregate":
        "github.com/grafana/opentelemetry-collector/featuregate v0.0.0-20240325174506-2fd1623b2ca0",
      "k8s.io/klog": "github.com/simonpasquier/klog-gokit v0.3.0",
      "k8s.io/klog/v2": "github.com/simonpasquier/klog-gokit/v3 v3.5.0",
      "github.com/prometheus/prometheus": "github.com/grafana/prometheus v1.8.2-0.20250410112059-2c3eb5bff000",
      "gopkg.in/yaml.v2": "github.com/rfratto/go-yaml v0.0.0-20211119180816-77389c3526dc",
      "github.com/Azure/azure-sdk-for-go": "github.com/Azure/azure-sdk-for-go v36.2.0+incompatible",
      "github.com/Azure/azure-storage-blob-go":
        "github.com/MasslessParticle/azure-storage-blob-go v0.14.1-0.20220216145902-b5e698eff68e",
      "github.com/bradfitz/gomemcache": "github.com/themihai/gomemcache v0.0.0-20180902122335-24332e2d58ab",
      "github.com/cloudflare/cloudflare-go": "github.com/grafana/cloudflare-go v0.0.0-20230110200409-c627cf6792f2",
      "github.com/go-kit/log": "github.com/dannykopping/go-kit-log v0.2.2-0.20221002180827-5591c1641b6b",
      "github.com/gocql/gocql": "github.com/grafana/gocql v0.0.0-20200605141915-ba5dc39ece85",
      "github.com/hashicorp/consul": "github.com/hashicorp/consul v1.5.1",
      "github.com/sercand/kuberesolver/v4": "github.com/sercand/kuberesolver/v5 v5.1.1",
      "github.com/thanos-io/thanos v0.22.0": "github.com/thanos-io/thanos v0.19.1-0.20211126105533-c5505f5eaa7d",
      "gopkg.in/Graylog2/go-gelf.v2": "github.com/grafana/go-gelf v0.0.0-20211112153804-126646b86de8",
      "github.com/google/cadvisor": "github.com/grafana/cadvisor v0.0.0-20240729082359-1f04a91701e2",
      "github.com/prometheus-community/postgres_exporter":
        "github.com/grafana/postgres_exporter v0.15.1-0.20250312140329-3046b223bba0",
      "github.com/prometheus/mysqld_exporter":
        "github.com/grafana/mysqld_exporter v0.17.2-0.20250226152553-be612e3fdedd",
      "github.com/prometheus/node_exporter":
        "github.com/grafana/node_exporter v0.18.1-grafana-r01.0.20250218170810-6300fab82195",
      "github.com/github/smimesign": "github.com/grafana/smimesign v0.2.1-0.20220408144937-2a5adf3481d3",
      // Upstream: `=> ./syntax` (see above).
      "github.com/grafana/alloy/syntax": "github.com/grafana/alloy/syntax v0.1.1",
      "github.com/prometheus/procfs": "github.com/prometheus/procfs v0.12.0",
      "github.com/prometheus/common": "github.com/prometheus/common v0.62.0",
    },
    pin: {
      "github.com/fatih/color": "github.com/fatih/color v1.18.0",
      "github.com/mattn/go-colorable": "github.com/mattn/go-colorable v0.1.14",
      "github.com/mattn/go-isatty": "github.com/mattn/go-isatty v0.0.20",
      "github.com/ohler55/ojg": "github.com/ohler55/ojg v1.20.1",
      "github.com/stretchr/testify": "github.com/stretchr/testify v1.10.0",
      "golang.org/x/sys": "golang.org/x/sys v0.33.0",
    },
    exclude: ["k8s.io/client-go v8.0.0+incompatible", "k8s.io/client-go v12.0.0+incompatible"],
    cgo: true,
    tags: ["netgo", "promtail_journal_enabled"],
    ldflags: (stamp: GoStamp) => [
      "-s",
      "-w",
      `-X ${build}.Branch=HEAD`,
      `-X ${build}.Version=v${stamp.version}`,
      `-X github.com/grafana/alloy/syntax/internal/stdlib.Version=v${stamp.version}`,
      `-X ${build}.Revision=${stamp.revision}`,
      `-X ${build}.BuildUser=${BUILD_USER}`,
      `-X ${build}.BuildDate=${isoSeconds(stamp.date)}`,
    ],
  };
}
