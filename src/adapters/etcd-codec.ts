import { readFile } from "node:fs/promises";
import { UserError } from "../errors.js";
import { parseEncryptionConfiguration, readStored, transformersFor, writeStored, type KmsFactory, type ProviderChain } from "../encryption/index.js";
import { formatGroupResource } from "../encryption/resources.js";
import type { StoredValueCodec } from "../encryption/rotation.js";

/**
 * Reads and writes etcd values with the provider chain an EncryptionConfiguration gives
 * each resource, exactly as kube-apiserver would (the transformers are the shared core).
 */
export function codecForConfiguration(config: Parameters<typeof transformersFor>[0], kms: KmsFactory): StoredValueCodec {
  const transformers = transformersFor(config, kms);
  const chains = new Map<string, ProviderChain>();
  const chainFor = (resource: string): ProviderChain => {
    let chain = chains.get(resource);
    if (chain === undefined) {
      chain = transformers.forResource(resource);
      chains.set(resource, chain);
    }
    return chain;
  };
  return {
    async read(etcdKey, location, value) {
      const read = await readStored(chainFor(formatGroupResource(location)), etcdKey, value);
      return {
        plaintext: read.plaintext,
        stale: read.stale,
        origin: { provider: read.provider, keyName: read.keyName, kmsApiVersion: read.kmsApiVersion },
      };
    },
    write(etcdKey, location, plaintext) {
      return writeStored(chainFor(formatGroupResource(location)), etcdKey, plaintext);
    },
  };
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
