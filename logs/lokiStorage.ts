/**
 * Where Loki keeps chunks and index: the retained local volume (one VPS) or an S3-compatible bucket (MinIO, which
 * KoproGo already runs, or any S3). Behaviour relied on (Loki 3.5 `common.storage.s3`, `schema_config` with
 * `object_store: s3`, tsdb shipper): the index is uploaded to the bucket by the shipper, the compactor still
 * applies `retention_period` (it needs `delete_request_store` on the same object store), and with no keys in the
 * config the S3 client takes its credentials from the AWS default chain, which reads the file named by
 * `AWS_SHARED_CREDENTIALS_FILE` — so loki.yaml holds no secret.
 */
import type { LokiObjectStorageSettings } from "../settings/scale";

export interface LokiStorageParts {
  /** `common.storage`. */
  readonly common: Record<string, unknown>;
  /** `schema_config.configs[].object_store`. */
  readonly objectStore: "filesystem" | "s3";
  /** `storage_config` entries besides the tsdb shipper. */
  readonly storageConfig: Record<string, unknown>;
  /** `compactor.delete_request_store`. */
  readonly deleteRequestStore: "filesystem" | "s3";
}

export function lokiStorageParts(
  storage: LokiObjectStorageSettings | undefined,
  dir: (sub: string) => string,
): LokiStorageParts {
  if (!storage) {
    return {
      common: { filesystem: { chunks_directory: dir("chunks"), rules_directory: dir("rules") } },
      objectStore: "filesystem",
      storageConfig: { filesystem: { directory: dir("chunks") } },
      deleteRequestStore: "filesystem",
    };
  }
  return {
    common: {
      s3: {
        endpoint: storage.endpoint,
        bucketnames: storage.bucket,
        region: storage.region,
        insecure: storage.insecure,
        s3forcepathstyle: storage.forcePathStyle,
      },
    },
    objectStore: "s3",
    storageConfig: {},
    deleteRequestStore: "s3",
  };
}
