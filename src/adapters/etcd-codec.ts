import { readFile } from "node:fs/promises";
import { UserError } from "../errors.js";
import { utf8 } from "../encryption/bytes.js";
import { parseEncryptionConfiguration, transformersFor, writeStored, type KmsFactory, type ProviderChain } from "../encryption/index.js";
import type { ReadResult, ValueOrigin } from "../encryption/transformers/transformer.js";
import { formatGroupResource } from "../encryption/resources.js";
import type { StoredValueCodec } from "../encryption/rotation.js";
import type { KeyLocation } from "../encryption/rotation-keys.js";

/**
 * Reads and writes etcd values with the provider chain an EncryptionConfiguration gives
 * each resource, exactly as kube-apiserver would (the transformers are the shared core).
 */
export function codecForConfiguration(config: Parameters<typeof transformersFor>[0], kms: KmsFactory): StoredValueCodec {
  const transformers = transformersFor(config, kms);
  // Keyed by group and resource without building a string per value (status reads 100k).
  const chains = new Map<string, Map<string, ProviderChain>>();
  const chainFor = (location: KeyLocation): ProviderChain => {
    let byResource = chains.get(location.group);
    if (byResource === undefined) chains.set(location.group, (byResource = new Map()));
    let chain = byResource.get(location.resource);
    if (chain === undefined) {
      chain = transformers.forResource(formatGroupResource(location));
      byResource.set(location.resource, chain);
    }
    return chain;
  };
  return {
    read(etcdKey, location, value, etcdKeyBytes) {
      // Straight to the chain: synchronous unless a KMS provider must be asked.
      const transformer = chainFor(location).transformer;
      const aad = etcdKeyBytes ?? utf8(etcdKey);
      if (transformer.readSync) return withOrigin(transformer.readSync(value, aad));
      return transformer.read(value, aad).then(withOrigin);
    },
    write(etcdKey, location, plaintext, etcdKeyBytes) {
      if (etcdKeyBytes === undefined) return writeStored(chainFor(location), etcdKey, plaintext);
      return chainFor(location).transformer.write(plaintext, etcdKeyBytes);
    },
    writesPlaintext: (location) => chainFor(location).writesPlaintext,
  };
}

const IDENTITY: ValueOrigin = { provider: "identity" };

/** A chain of identity alone reports no origin; say so, as readStored does. */
function withOrigin(result: ReadResult): ReadResult {
  return result.origin === undefined ? { plaintext: result.plaintext, stale: result.stale, origin: IDENTITY } : result;
}

/** Loads `--config` as kube-apiserver would load --encryption-provider-config. */
export async function loadEncryptionConfigFile(file: string): Promise<Parameters<typeof transformersFor>[0]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new UserError(`cannot read encryption config ${file}: ${(err as NodeJS.ErrnoException).code ?? "error"}`, {
      hint: "pass --config with kube-apiserver's --encryption-provider-config file",
    });
  }
  return parseEncryptionConfiguration(text, file).config;
}
