import { decodeUtf8Strict } from "./bytes.js";
import type { ReadResult, ValueOrigin } from "./transformers/transformer.js";
import { formatGroupResource } from "./resources.js";
import { locateKey, type KeyLocation } from "./rotation-keys.js";

/**
 * Encryption status and rotation planning over stored values, pure: the etcd adapter
 * feeds (key, value) pairs in, the codec applies the EncryptionConfiguration's provider
 * list for the key's resource, and nothing here touches etcd, files or the clock.
 *
 * A value needs rotating exactly when kube-apiserver would call it stale (spec §2.3): it
 * was not written by the first provider and first key, or (KMS v2) its keyID is not the
 * plugin's current one. Rewriting it through the first provider is what
 * `kubectl get secrets -A -o json | kubectl replace -f -` does, without the apiserver.
 */

/** Reads and writes stored values as kube-apiserver would for the resource at `location`. */
export interface StoredValueCodec {
  /**
   * The result directly when no plugin call is needed (aescbc, aesgcm, secretbox,
   * identity), a promise otherwise (KMS). `etcdKeyBytes`, when given, is the key exactly
   * as etcd holds it and is what the value is authenticated against.
   */
  read(etcdKey: string, location: KeyLocation, value: Uint8Array, etcdKeyBytes?: Uint8Array): ReadResult | Promise<ReadResult>;
  /** `etcdKeyBytes`, when given, is the authenticated data, as for `read` (a rewrite must verify where it was read). */
  write(etcdKey: string, location: KeyLocation, plaintext: Uint8Array, etcdKeyBytes?: Uint8Array): Promise<Uint8Array>;
  /** True when `write` stores the resource in plaintext (identity first); unknown: false. */
  writesPlaintext?(location: KeyLocation): boolean;
}

export type ValueState = "current" | "stale" | "undecryptable";

export interface ValueInspection {
  key: string;
  location: KeyLocation;
  state: ValueState;
  /** `identity`, `aescbc:<key name>`, `kms:v2:<provider name>`, or `unreadable`. */
  writtenBy: string;
  /** True when the value is stored without encryption (read by identity). */
  plaintext: boolean;
  /** Why it could not be read; from the transformers, which never put key material or data in messages. */
  error?: string;
  /** The decrypted object, held only long enough to rewrite it; never reported. */
  decrypted?: Uint8Array;
}

export function describeOrigin(origin: ValueOrigin | undefined): string {
  if (origin === undefined) return "unknown";
  if (origin.provider === "identity") return "identity";
  if (origin.provider === "kms") return origin.kmsApiVersion ? `kms:${origin.kmsApiVersion}:${origin.keyName ?? ""}` : `kms:${origin.keyName ?? ""}`;
  return `${origin.provider}:${origin.keyName ?? ""}`;
}

/**
 * Undefined for keys that are not Kubernetes objects (e.g. `/registry/ranges/serviceips`).
 * Returns directly when the codec reads without waiting (no KMS), so a scan over 100k
 * values makes no promise per value; a promise otherwise.
 */
export function inspectValue(
  codec: StoredValueCodec,
  prefix: string,
  key: string,
  value: Uint8Array,
  keyBytes?: Uint8Array,
): ValueInspection | undefined | Promise<ValueInspection | undefined> {
  const location = locateKey(prefix, key);
  if (location === undefined) return undefined;
  return inspectLocated(codec, key, location, value, keyBytes);
}

/** `inspectValue` for a key already located (the etcd scan locates with a `KeyLocator`). */
export function inspectLocated(
  codec: StoredValueCodec,
  key: string,
  location: KeyLocation,
  value: Uint8Array,
  keyBytes?: Uint8Array,
): ValueInspection | Promise<ValueInspection> {
  let result: ReadResult | Promise<ReadResult>;
  try {
    result = codec.read(key, location, value, keyBytes);
  } catch (err) {
    return unreadable(key, location, err);
  }
  if (result instanceof Promise) {
    return result.then(
      (r) => inspected(key, location, r),
      (err: unknown) => unreadable(key, location, err),
    );
  }
  return inspected(key, location, result);
}

/** Protobuf (`k8s\0`), the storage encoding of built-in resources. */
const PROTOBUF_MAGIC = [0x6b, 0x38, 0x73, 0x00];
/** CBOR's self-described tag 55799, which kube-apiserver's CBOR serializer writes first. */
const CBOR_SELF_DESCRIBED = [0xd9, 0xd9, 0xf7];

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}

/**
 * Whether decrypted bytes can be an object kube-apiserver stored: protobuf, CBOR, or text
 * (JSON, or YAML with --storage-media-type). aescbc has no integrity check, so the wrong
 * key (under the right key name) "decrypts" about 1 value in 256 to random bytes with valid
 * padding. The apiserver then fails to decode the object and never rewrites it; a rotation
 * must not either, or it would overwrite the only copy with the encryption of noise.
 */
export function looksLikeStoredObject(plaintext: Uint8Array): boolean {
  return startsWith(plaintext, PROTOBUF_MAGIC) || startsWith(plaintext, CBOR_SELF_DESCRIBED) || decodeUtf8Strict(plaintext) !== undefined;
}

function inspected(key: string, location: KeyLocation, result: ReadResult): ValueInspection {
  if (result.origin?.provider === "aescbc" && !looksLikeStoredObject(result.plaintext)) {
    const error =
      `aescbc key ${JSON.stringify(result.origin.keyName ?? "")} decrypted it to bytes that are no stored object (not protobuf, CBOR, JSON or YAML): ` +
      "the key under that name is probably not the one that encrypted it (aescbc cannot tell a wrong key)";
    return { key, location, state: "undecryptable", writtenBy: "unreadable", plaintext: false, error };
  }
  return {
    key,
    location,
    state: result.stale ? "stale" : "current",
    writtenBy: describeOrigin(result.origin),
    plaintext: result.origin?.provider === "identity",
    decrypted: result.plaintext,
  };
}

function unreadable(key: string, location: KeyLocation, err: unknown): ValueInspection {
  return { key, location, state: "undecryptable", writtenBy: "unreadable", plaintext: false, error: err instanceof Error ? err.message : String(err) };
}

export interface ResourceCounts {
  total: number;
  plaintext: number;
  stale: number;
  undecryptable: number;
  /** Values per writer (`identity`, `aescbc:key1`, `kms:v2:name`, `unreadable`). */
  byWriter: Record<string, number>;
}

export interface EncryptionStatus {
  /** Keyed by `resource.group` (`secrets` for core). */
  resources: Record<string, ResourceCounts>;
  /** Secret names only (`namespace/name`), never their data. */
  plaintextSecrets: string[];
  staleSecrets: string[];
  undecryptable: Array<{ key: string; error: string }>;
  /** Keys under the prefix that are not Kubernetes objects and were not read. */
  skippedKeys: number;
}

/** Folds inspections page by page, so status over 100k keys holds counts, not values. */
export class StatusAccumulator {
  private readonly status: EncryptionStatus = { resources: {}, plaintextSecrets: [], staleSecrets: [], undecryptable: [], skippedKeys: 0 };

  skip(): void {
    this.status.skippedKeys++;
  }

  add(inspection: ValueInspection): void {
    const name = formatGroupResource(inspection.location);
    const counts = (this.status.resources[name] ??= { total: 0, plaintext: 0, stale: 0, undecryptable: 0, byWriter: {} });
    counts.total++;
    counts.byWriter[inspection.writtenBy] = (counts.byWriter[inspection.writtenBy] ?? 0) + 1;
    if (inspection.plaintext) counts.plaintext++;
    if (inspection.state === "stale") counts.stale++;
    if (inspection.state === "undecryptable") {
      counts.undecryptable++;
      this.status.undecryptable.push({ key: inspection.key, error: inspection.error ?? "unreadable" });
    }
    if (isSecret(inspection.location)) {
      if (inspection.plaintext) this.status.plaintextSecrets.push(inspection.location.objectPath);
      if (inspection.state === "stale") this.status.staleSecrets.push(inspection.location.objectPath);
    }
  }

  result(): EncryptionStatus {
    return this.status;
  }
}

export function isSecret(location: KeyLocation): boolean {
  return location.group === "" && location.resource === "secrets";
}

export type RotationAction = "rewrite" | "keep" | "report";

/** What rotate does with a value: rewrite stale ones, keep current ones, report unreadable ones untouched. */
export function rotationAction(inspection: ValueInspection): RotationAction {
  switch (inspection.state) {
    case "stale":
      return "rewrite";
    case "current":
      return "keep";
    case "undecryptable":
      return "report";
  }
}

export interface RotationOutcome {
  scanned: number;
  rewritten: number;
  /** Already written by the first provider and key. */
  current: number;
  /** Changed by another writer between our read and our write; their value was kept. */
  conflicts: string[];
  undecryptable: Array<{ key: string; error: string }>;
  /**
   * Values read and re-encrypted whose write etcd refused (e.g. "etcdserver: request is too
   * large": the encrypted form is over --max-request-bytes); each is left as it was stored.
   */
  failed: Array<{ key: string; error: string }>;
  skippedKeys: number;
  /**
   * Values per resource (`secrets`, `deployments.apps`) whose rewrite stores them in
   * plaintext, because identity is their first provider: rewritten (or, in a dry run, to be)
   * when plaintext is allowed, left as they are when it is refused.
   */
  plaintext: Record<string, number>;
  /** Whether rewrites into plaintext were refused (left untouched) or done. */
  plaintextRefused: boolean;
}

export function emptyOutcome(): RotationOutcome {
  return { scanned: 0, rewritten: 0, current: 0, conflicts: [], undecryptable: [], failed: [], skippedKeys: 0, plaintext: {}, plaintextRefused: false };
}
