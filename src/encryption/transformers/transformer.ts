import { concatBytes, hasPrefix } from "../bytes.js";
import { aggregate, asStoredValueError, type StoredValueError } from "../errors.js";

/** Which provider (and key) a stored value was read with. */
export interface ValueOrigin {
  provider: "identity" | "aescbc" | "aesgcm" | "secretbox" | "kms";
  /** Key name for aescbc/aesgcm/secretbox; provider name for kms. */
  keyName?: string;
  /** For kms: "v1" or "v2". */
  kmsApiVersion?: "v1" | "v2";
}

export interface ReadResult {
  plaintext: Uint8Array;
  /** True when a rewrite would change the stored bytes (upstream's "stale" flag). */
  stale: boolean;
  origin?: ValueOrigin;
}

/**
 * One value transformer, as kube-apiserver's `value.Transformer`: `aad` is the etcd key
 * (the authenticated data); transformers that do not bind it ignore it.
 */
export interface ValueTransformer {
  read(data: Uint8Array, aad: Uint8Array): Promise<ReadResult>;
  /**
   * Optional synchronous read, offered by transformers that need no plugin call. A chain
   * made only of such transformers reads without a promise per level (4 KiB reads are
   * short enough for that to show in throughput).
   */
  readSync?(data: Uint8Array, aad: Uint8Array): ReadResult;
  write(plaintext: Uint8Array, aad: Uint8Array): Promise<Uint8Array>;
  /**
   * Optional: write `prefix ‖ body` in one allocation. The nested prefix lists
   * (provider, then key name) would otherwise copy every stored value twice.
   */
  writePrefixed?(prefix: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Promise<Uint8Array>;
}

const EMPTY = new Uint8Array(0);

export interface PrefixEntry {
  prefix: Uint8Array;
  transformer: ValueTransformer;
  /** Set on leaf entries (one key, one provider) so a successful read can say what was used. */
  origin?: ValueOrigin;
}

/**
 * An ordered list of (prefix, transformer) entries read with the algorithm of upstream's
 * prefix transformers (spec §2.3): every entry whose prefix matches is tried in order; a
 * success at index > 0 is stale; a failure of an empty-prefix entry (identity) is not
 * recorded; if nothing succeeds the recorded errors are returned, else `noMatch`.
 * Writes always go through the first entry.
 */
export class PrefixTransformers implements ValueTransformer {
  constructor(
    private readonly entries: readonly PrefixEntry[],
    private readonly noMatch: () => StoredValueError,
  ) {
    if (entries.length === 0) throw new Error("PrefixTransformers needs at least one entry");
    this.readSync = entries.every((e) => e.transformer.readSync) ? (data, aad) => this.readAllSync(data, aad) : undefined;
  }

  readonly readSync: ((data: Uint8Array, aad: Uint8Array) => ReadResult) | undefined;

  async read(data: Uint8Array, aad: Uint8Array): Promise<ReadResult> {
    if (this.readSync) return this.readSync(data, aad);
    const errors: StoredValueError[] = [];
    for (let index = 0; index < this.entries.length; index++) {
      const entry = this.entries[index]!;
      if (!hasPrefix(data, entry.prefix)) continue;
      try {
        return this.found(await entry.transformer.read(data.subarray(entry.prefix.length), aad), index, entry);
      } catch (err) {
        if (entry.prefix.length === 0) continue;
        errors.push(asStoredValueError(err, "read failed"));
      }
    }
    if (errors.length > 0) throw aggregate(errors);
    throw this.noMatch();
  }

  /** The same algorithm as `read`, for chains whose every entry reads synchronously. */
  private readAllSync(data: Uint8Array, aad: Uint8Array): ReadResult {
    // Hot path (every value of an etcd scan): no error list unless something fails.
    let errors: StoredValueError[] | undefined;
    const entries = this.entries;
    for (let index = 0; index < entries.length; index++) {
      const entry = entries[index]!;
      const prefixLength = entry.prefix.length;
      if (prefixLength > 0 && !hasPrefix(data, entry.prefix)) continue;
      try {
        return this.found(entry.transformer.readSync!(prefixLength === 0 ? data : data.subarray(prefixLength), aad), index, entry);
      } catch (err) {
        if (prefixLength === 0) continue;
        (errors ??= []).push(asStoredValueError(err, "read failed"));
      }
    }
    if (errors !== undefined) throw aggregate(errors);
    throw this.noMatch();
  }

  private found(result: ReadResult, index: number, entry: PrefixEntry): ReadResult {
    return { plaintext: result.plaintext, stale: result.stale || index !== 0, origin: result.origin ?? entry.origin };
  }

  write(plaintext: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
    return this.writePrefixed(EMPTY, plaintext, aad);
  }

  async writePrefixed(prefix: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
    const first = this.entries[0]!;
    const combined = first.prefix.length === 0 ? prefix : prefix.length === 0 ? first.prefix : concatBytes(prefix, first.prefix);
    if (first.transformer.writePrefixed) return first.transformer.writePrefixed(combined, plaintext, aad);
    const body = await first.transformer.write(plaintext, aad);
    return combined.length === 0 ? body : concatBytes(combined, body);
  }
}
