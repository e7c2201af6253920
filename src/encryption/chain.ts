import { utf8 } from "./bytes.js";
import type { EncryptionConfiguration, KeyConfig, KeyedProviderType, KmsConfig, ProviderConfig } from "./config-types.js";
import { decodeStdBase64 } from "../k8s/go-base64.js";
import { StoredValueError } from "./errors.js";
import type { KmsFactory, KmsProviderEndpoint } from "./kms-service.js";
import { groupResourceKey, lookupOrder, parseGroupResource } from "./resources.js";
import { AesCbcTransformer, AesGcmTransformer } from "./transformers/aes.js";
import { IdentityTransformer } from "./transformers/identity.js";
import { KmsV1Transformer } from "./transformers/kms-v1.js";
import { KmsV2Transformer } from "./transformers/kms-v2.js";
import type { RandomSource } from "./transformers/random.js";
import { SecretboxTransformer } from "./transformers/secretbox.js";
import {
  PrefixTransformers,
  type PrefixEntry,
  type ReadResult,
  type ValueOrigin,
  type ValueTransformer,
} from "./transformers/transformer.js";

/** The provider list that applies to one resource, ready to read and write etcd values. */
export interface ProviderChain {
  /** The resource string asked for, e.g. `secrets` or `deployments.apps`. */
  resource: string;
  /** The config entry that matched (`secrets`, `*.`, `*.*`), or undefined: identity only. */
  matchedRule?: string;
  transformer: ValueTransformer;
  /** The first provider is identity: what this chain writes is stored in plaintext. */
  writesPlaintext: boolean;
}

export interface EncryptionTransformers {
  forResource(resource: string): ProviderChain;
}

export interface TransformerOptions {
  random?: RandomSource;
}

const KEYED_PROVIDER_LABEL: Record<KeyedProviderType, string> = { aesgcm: "AES-GCM", aescbc: "AES-CBC", secretbox: "secretbox" };

export function providerPrefix(provider: ProviderConfig): string {
  switch (provider.type) {
    case "identity":
      return "";
    case "kms":
      return `k8s:enc:kms:${provider.kms.apiVersion}:${provider.kms.name}:`;
    default:
      return `k8s:enc:${provider.type}:v1:`;
  }
}

/**
 * Build the per-resource provider chains of a validated config, as kube-apiserver does:
 * each entry's providers are appended to every resource it names (a resource named in
 * two entries gets both lists, in order), and a resource is looked up as exact
 * `resource.group`, then `*.group`, then `*.*`, else identity only.
 *
 * KMS providers get their plugin client from `kms`; when there is none, the chain still
 * builds and only values that reach that provider fail, with a clear error.
 */
export function transformersFor(
  config: EncryptionConfiguration,
  kms: KmsFactory = {},
  options: TransformerOptions = {},
): EncryptionTransformers {
  const byResource = new Map<string, { rule: string; entries: PrefixEntry[]; writesPlaintext: boolean }>();
  for (const rule of config.resources) {
    const entries = rule.providers.map((provider) => providerEntry(provider, kms, options));
    for (const resource of rule.resources) {
      const key = groupResourceKey(parseGroupResource(resource));
      const existing = byResource.get(key);
      if (existing) existing.entries.push(...entries);
      else byResource.set(key, { rule: resource, entries: [...entries], writesPlaintext: rule.providers[0]?.type === "identity" });
    }
  }
  const chains = new Map<string, { rule: string; transformer: ValueTransformer; writesPlaintext: boolean }>();
  for (const [key, { rule, entries, writesPlaintext }] of byResource) {
    chains.set(key, { rule, writesPlaintext, transformer: new PrefixTransformers(entries, () => new StoredValueError("no matching prefix found", {
      hint: "the value was written by a provider or key that is not in this configuration",
    })) });
  }
  const identityOnly = new IdentityTransformer();
  return {
    forResource(resource: string): ProviderChain {
      for (const candidate of lookupOrder(parseGroupResource(resource))) {
        const chain = chains.get(groupResourceKey(candidate));
        if (chain) return { resource, matchedRule: chain.rule, transformer: chain.transformer, writesPlaintext: chain.writesPlaintext };
      }
      return { resource, transformer: identityOnly, writesPlaintext: true };
    },
  };
}

function providerEntry(provider: ProviderConfig, kms: KmsFactory, options: TransformerOptions): PrefixEntry {
  const prefix = utf8(providerPrefix(provider));
  switch (provider.type) {
    case "identity":
      return { prefix, transformer: new IdentityTransformer(), origin: { provider: "identity" } };
    case "kms":
      return { prefix, transformer: kmsTransformer(provider.kms, kms, options), origin: { provider: "kms", keyName: provider.kms.name } };
    default:
      return { prefix, transformer: keyedTransformer(provider.type, provider.keys, options) };
  }
}

function keyedTransformer(type: KeyedProviderType, keys: KeyConfig[], options: TransformerOptions): ValueTransformer {
  const entries = keys.map((key): PrefixEntry => {
    const secret = decodeStdBase64(key.secret);
    if (!secret) throw new StoredValueError(`${type} key ${JSON.stringify(key.name)}: secret is not valid base64`);
    const transformer =
      type === "aesgcm"
        ? new AesGcmTransformer(secret, options.random)
        : type === "aescbc"
          ? new AesCbcTransformer(secret, options.random)
          : new SecretboxTransformer(secret, options.random);
    return { prefix: utf8(`${key.name}:`), transformer, origin: { provider: type, keyName: key.name } };
  });
  return new PrefixTransformers(entries, () => new StoredValueError(`no matching key was found for the provider ${KEYED_PROVIDER_LABEL[type]}`));
}

function kmsTransformer(config: KmsConfig, factory: KmsFactory, options: TransformerOptions): ValueTransformer {
  const endpoint: KmsProviderEndpoint = {
    apiVersion: config.apiVersion === "v2" ? "v2" : "v1",
    name: config.name,
    endpoint: config.endpoint,
    timeoutMs: config.timeoutMs,
  };
  // The plugin client is created on first use, so configs with KMS still read other data.
  let transformer: ValueTransformer | undefined;
  const get = (): ValueTransformer => {
    if (transformer) return transformer;
    if (endpoint.apiVersion === "v2") {
      if (!factory.v2) throw unavailable(endpoint);
      transformer = new KmsV2Transformer(factory.v2(endpoint), config.name, { random: options.random });
    } else {
      if (!factory.v1) throw unavailable(endpoint);
      transformer = new KmsV1Transformer(factory.v1(endpoint), config.name, { random: options.random, cacheSize: config.cachesize });
    }
    return transformer;
  };
  return {
    read: (data, aad) => get().read(data, aad),
    write: (plaintext, aad) => get().write(plaintext, aad),
  };
}

function unavailable(endpoint: KmsProviderEndpoint): StoredValueError {
  return new StoredValueError(`KMS ${endpoint.apiVersion} provider ${JSON.stringify(endpoint.name)} needs a plugin client, and none is available`, {
    hint: `start or reach the KMS plugin at ${endpoint.endpoint}`,
  });
}

/** What reading one etcd value produced. */
export interface StoredRead {
  plaintext: Uint8Array;
  /** The provider that decrypted it. */
  provider: ValueOrigin["provider"];
  /** Key name (aescbc/aesgcm/secretbox) or KMS provider name. */
  keyName?: string;
  kmsApiVersion?: "v1" | "v2";
  /** A rewrite would change the stored bytes: not written by the current first provider/key. */
  stale: boolean;
}

/** Read a value as kube-apiserver would from `etcdKey` (the authenticated data). */
export async function readStored(chain: ProviderChain, etcdKey: string, value: Uint8Array): Promise<StoredRead> {
  return readStoredValue(chain, utf8(etcdKey), value);
}

/**
 * `readStored` with the etcd key as bytes (exactly as etcd stores it, so no text round
 * trip can change the AAD), returning the result directly when the chain reads without a
 * plugin call and a promise only when it must wait (KMS). Errors are thrown, or rejected.
 */
export function readStoredValue(chain: ProviderChain, aad: Uint8Array, value: Uint8Array): StoredRead | Promise<StoredRead> {
  const transformer = chain.transformer;
  if (transformer.readSync) return storedRead(transformer.readSync(value, aad));
  return transformer.read(value, aad).then(storedRead);
}

function storedRead(result: ReadResult): StoredRead {
  const origin = result.origin;
  if (origin === undefined) return { plaintext: result.plaintext, provider: "identity", stale: result.stale };
  const read: StoredRead = { plaintext: result.plaintext, provider: origin.provider, stale: result.stale };
  if (origin.keyName !== undefined) read.keyName = origin.keyName;
  if (origin.kmsApiVersion !== undefined) read.kmsApiVersion = origin.kmsApiVersion;
  return read;
}

/** Encrypt a value for `etcdKey` with the chain's first provider (and its first key). */
export function writeStored(chain: ProviderChain, etcdKey: string, plaintext: Uint8Array): Promise<Uint8Array> {
  return chain.transformer.write(plaintext, utf8(etcdKey));
}
