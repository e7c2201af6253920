import type { Command } from "commander";

type Register = (program: Command) => void;

export interface CommandEntry {
  name: string;
  /** One line for `palisade --help`, so the help does not load every command. */
  summary: string;
  load: () => Promise<Register>;
}

/**
 * Every CLI command, one module each (`src/cli/<command>.ts`) exporting a
 * `register(program)` function, loaded only when it runs: start-up then pays for one
 * command's dependencies, not for gRPC, etcd, TLS and every engine at once.
 */
export const COMMANDS: readonly CommandEntry[] = [
  { name: "scan", summary: "scan manifests or a live cluster and report findings (text, wide, json, yaml, sarif, junit, github)", load: async () => (await import("./scan.js")).registerScan },
  { name: "posture", summary: "zero-trust posture: a trust score per workload on identity, workload, network and data (text, wide, json, html)", load: async () => (await import("./posture.js")).registerPostureCommand },
  { name: "rules", summary: "list every rule with its documentation", load: async () => (await import("./rules.js")).registerRulesCommand },
  { name: "fix", summary: "rewrite manifests so their pods pass a Pod Security level, with the smallest edits", load: async () => (await import("./fix.js")).registerFixCommand },
  { name: "psp", summary: "PodSecurityPolicy: check, mutate, migrate to Pod Security Standards", load: async () => (await import("./psp.js")).registerPspCommand },
  { name: "netpol", summary: "NetworkPolicy, AdminNetworkPolicy and Calico: explain, matrix, lint, generate, diff", load: async () => (await import("./netpol.js")).registerNetpol },
  { name: "calico", summary: "Calico selectors and tiers", load: async () => (await import("./calico.js")).registerCalicoCommand },
  { name: "rbac", summary: "RBAC: can-i, who-can, risks and escalation paths", load: async () => (await import("./rbac.js")).registerRbacCommand },
  { name: "authn", summary: "authentication: token files, client certificates, OIDC and service-account tokens", load: async () => (await import("./authn.js")).registerAuthnCommand },
  { name: "pki", summary: "a cluster's certificates and keys: expiry, weak keys, system:masters, issuers, permissions", load: async () => (await import("./pki.js")).registerPkiCommand },
  { name: "quota", summary: "ResourceQuota and LimitRange over manifests or a live cluster", load: async () => (await import("./quota.js")).registerQuotaCommand },
  { name: "encryption", summary: "encryption at rest: check a config, encrypt or decrypt etcd values", load: async () => (await import("./encryption.js")).registerEncryptionCommand },
  { name: "etcd", summary: "encryption status and safe key rotation in a real etcd", load: async () => (await import("./etcd.js")).registerEtcdCommand },
  { name: "kms", summary: "a KMS v2 plugin for kube-apiserver on a unix socket", load: async () => (await import("./kms.js")).registerKmsCommand },
  { name: "serve", summary: "admission, TokenReview and SubjectAccessReview webhooks over HTTPS", load: async () => (await import("./serve.js")).registerServeCommand },
  { name: "install", summary: "print the manifests that run Palisade in a cluster", load: async () => (await import("./install.js")).registerInstallCommand },
];
