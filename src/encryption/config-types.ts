import type { SourcePosition } from "../findings/types.js";
import type { FieldPath } from "../k8s/types.js";

/** EncryptionConfiguration as decoded and defaulted (apiserver.config.k8s.io/v1). */
export interface EncryptionConfiguration {
  resources: ResourceRule[];
}

export interface ResourceRule {
  /** `resource`, `resource.group`, `*.group`, `*.` or `*.*`. */
  resources: string[];
  providers: ProviderConfig[];
}

export type KeyedProviderType = "aescbc" | "aesgcm" | "secretbox";
export type ProviderType = KeyedProviderType | "identity" | "kms";

export type ProviderConfig =
  | { type: "identity" }
  | { type: KeyedProviderType; keys: KeyConfig[] }
  | { type: "kms"; kms: KmsConfig };

export interface KeyConfig {
  name: string;
  /** Standard base64 of the key. Never printed, logged or put in a finding. */
  secret: string;
}

export interface KmsConfig {
  /** `v1` or `v2` once valid; defaults to `v1` when omitted (as upstream). */
  apiVersion: string;
  /** Whether apiVersion was written in the file (an omitted one silently means v1). */
  apiVersionDefaulted: boolean;
  name: string;
  endpoint: string;
  /** v1 only; defaulted to 1000 for v1. */
  cachesize?: number;
  /** Defaulted to 3 s. */
  timeoutMs: number;
}

/** A place in the config: where to point a person, as file:line:column when known. */
export type Locator = (path: FieldPath) => SourcePosition | undefined;

/** One reason kube-apiserver would refuse the file. */
export interface ConfigProblem {
  message: string;
  /** Dotted path inside the file, e.g. `resources[0].providers[1].aesgcm.keys[0].secret`. */
  field: string;
  path: FieldPath;
  position?: SourcePosition;
  hint?: string;
}
