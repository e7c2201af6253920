import type { Rule } from "../findings/types.js";

/** Rules about EncryptionConfiguration: is data at rest in etcd actually protected? */
const FAMILY = "encryption";
const DOCS = "https://kubernetes.io/docs/tasks/administer-cluster/encrypt-data/";
const KMS_DOCS = "https://kubernetes.io/docs/tasks/administer-cluster/kms-provider/";

function rule(id: string, title: string, severity: Rule["severity"], description: string, remediation: string, helpUri = DOCS): Rule {
  return { id: `encryption/${id}`, title, family: FAMILY, pillar: "data", severity, docs: { description, remediation, helpUri } };
}

export const INVALID_CONFIG = rule(
  "invalid-config",
  "EncryptionConfiguration that kube-apiserver refuses",
  "critical",
  "kube-apiserver validates --encryption-provider-config at start (strict decoding, key lengths, resource names, KMS endpoints, masked rules) and refuses to start on any error. A control plane that cannot restart is an outage at the next upgrade or reboot.",
  "Fix every reported field; `palisade encryption check FILE` lists them with file:line:column.",
);

export const IDENTITY_FIRST = rule(
  "identity-first",
  "New writes are stored in plaintext (identity is the first provider)",
  "high",
  "The first provider of a resource's list encrypts every write. With identity first, new and updated objects go to etcd in plaintext, even though the file lists encryption providers; anyone with etcd or backup access reads them.",
  "Move identity to the end of the list (where it only reads data not yet encrypted), then rewrite the objects: `kubectl get secrets -A -o json | kubectl replace -f -`.",
);

export const EXAMPLE_KEY = rule(
  "example-key",
  "Key copied from documentation or examples",
  "critical",
  "The key is one published in the Kubernetes documentation or upstream examples. Everyone has it, so data encrypted with it is as readable as plaintext to anyone holding an etcd snapshot.",
  "Generate a new key from a CSPRNG (`head -c 32 /dev/urandom | base64`), add it first, restart, rewrite all objects, then remove the published key.",
);

export const LOW_ENTROPY_KEY = rule(
  "low-entropy-key",
  "Key that is not random bytes",
  "high",
  "The decoded key looks typed by a person (all printable characters) or has very few distinct bytes. Such keys come from passphrases and can be guessed far faster than a random AES key.",
  "Generate keys with a CSPRNG: `head -c 32 /dev/urandom | base64`.",
);

export const AESCBC = rule(
  "aescbc",
  "aescbc provider (no integrity, padding-oracle prone)",
  "medium",
  "aescbc has no MAC: stored values are malleable (flipping IV bits flips plaintext bits undetected) and its padding check is a padding oracle. The Kubernetes docs rate it weak and not recommended.",
  "Write with secretbox, or with a KMS v2 provider; keep aescbc after it only to read old data until it is rewritten.",
);

export const AESGCM_ROTATION = rule(
  "aesgcm-rotation",
  "aesgcm writes need automated key rotation",
  "medium",
  "aesgcm uses random 96-bit nonces; nonce reuse breaks both confidentiality and integrity. The docs say keys must be rotated every 200,000 writes and recommend aesgcm only with automated rotation, which a static file cannot show.",
  "Prefer KMS v2 (its per-write derived keys remove the write limit) or secretbox; if you keep aesgcm, automate rotation and storage migration.",
);

export const NO_ETCD_KEY_BINDING = rule(
  "no-etcd-key-binding",
  "Values are not bound to their etcd key",
  "low",
  "aescbc and secretbox do not authenticate the etcd key, so someone with write access to etcd can move an encrypted value to another object's key (e.g. swap two Secrets) and the API server decrypts it there. aesgcm and KMS bind the key as additional data.",
  "Write with KMS v2 (or aesgcm with rotation) when etcd write access is part of your threat model.",
);

export const KMS_V1 = rule(
  "kms-v1",
  "KMS v1 provider (deprecated, disabled by default since 1.29)",
  "high",
  "KMS v1 is deprecated since 1.28 and its feature gate is off by default since 1.29: kube-apiserver refuses to start with a v1 provider unless --feature-gates=KMSv1=true. It also calls the plugin on every write. A kms provider without apiVersion means v1.",
  "Set `apiVersion: v2` on the kms provider (with a KMS v2 plugin), keep the v1 provider after it to read old data, and rewrite all objects.",
  KMS_DOCS,
);

export const SECRETS_NOT_ENCRYPTED = rule(
  "secrets-not-encrypted",
  "Secrets are not encrypted at rest",
  "critical",
  "No entry of the file makes a provider other than identity the writer for Secrets (`secrets`, `*.` or `*.*`). Secrets then sit in etcd and its backups in plaintext.",
  "Add an entry for `secrets` whose first provider is KMS v2, secretbox or aesgcm.",
);

export const OVERLAPPING_RULES = rule(
  "overlapping-rules",
  "A resource is named by more than one entry",
  "medium",
  "When a resource appears in several entries, kube-apiserver appends the later entries' providers to the first entry's list: only the first entry's first provider writes, the others only read. The later entry looks effective but is not, which hides mistakes during rotation.",
  "Name each resource in exactly one entry; merge the provider lists in the intended order.",
);

export const KEY_REUSED = rule(
  "key-reused",
  "The same key is configured more than once",
  "medium",
  "One key used under several names, providers or entries (the docs example uses the same secret for aesgcm and aescbc) widens what a single leak exposes, mixes cipher modes under one key, and makes rotation misleading: removing one entry does not retire the key.",
  "Give every provider and resource entry its own key from a CSPRNG.",
);

export const ENCRYPTION_RULES: readonly Rule[] = [
  INVALID_CONFIG,
  IDENTITY_FIRST,
  EXAMPLE_KEY,
  LOW_ENTROPY_KEY,
  AESCBC,
  AESGCM_ROTATION,
  NO_ETCD_KEY_BINDING,
  KMS_V1,
  SECRETS_NOT_ENCRYPTED,
  OVERLAPPING_RULES,
  KEY_REUSED,
];
