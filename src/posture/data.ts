/**
 * The data pillar's facts: which Secrets a workload's pods read and how, and whether the
 * cluster stores Secrets in plaintext, as the scan's encryption and kube-apiserver rules
 * judged it (the judgement is theirs; posture only links it to the workloads it exposes).
 */
import type { Finding } from "../findings/types.js";
import { visitContainers } from "../k8s/containers.js";
import { isRecord } from "../k8s/types.js";
import { factDeduction, SECRET_IN_ENV, SECRETS_PLAINTEXT_AT_REST } from "./facts.js";
import type { Deduction, PodFieldLocator } from "./types.js";

/** Rules whose findings say that Secrets reach etcd in plaintext. */
export const PLAINTEXT_SECRETS_RULES: ReadonlySet<string> = new Set(["encryption/secrets-not-encrypted", "apiserver/encryption-at-rest"]);

export interface SecretUse {
  /** Secrets mounted as files (secret volumes, projected sources). */
  files: Set<string>;
  /** Secrets read into environment variables (env valueFrom, envFrom). */
  env: Set<string>;
  /** The first of those, as a path in the pod: ["spec", "containers", 0, "env", 2]. */
  envPath?: Array<string | number>;
}

export function secretsUsed(spec: Record<string, unknown>): SecretUse {
  const use: SecretUse = { files: new Set(), env: new Set() };
  for (const volume of Array.isArray(spec.volumes) ? spec.volumes : []) {
    if (!isRecord(volume)) continue;
    if (isRecord(volume.secret) && typeof volume.secret.secretName === "string") use.files.add(volume.secret.secretName);
    const sources = isRecord(volume.projected) && Array.isArray(volume.projected.sources) ? volume.projected.sources : [];
    for (const source of sources) if (isRecord(source) && isRecord(source.secret) && typeof source.secret.name === "string") use.files.add(source.secret.name);
  }
  for (const { container, path } of visitContainers(spec)) {
    (Array.isArray(container.env) ? container.env : []).forEach((variable: unknown, i) => {
      const ref = isRecord(variable) && isRecord(variable.valueFrom) ? variable.valueFrom.secretKeyRef : undefined;
      if (!isRecord(ref) || typeof ref.name !== "string") return;
      use.env.add(ref.name);
      use.envPath ??= [...path, "env", i];
    });
    (Array.isArray(container.envFrom) ? container.envFrom : []).forEach((source: unknown, i) => {
      if (!isRecord(source) || !isRecord(source.secretRef) || typeof source.secretRef.name !== "string") return;
      use.env.add(source.secretRef.name);
      use.envPath ??= [...path, "envFrom", i];
    });
  }
  return use;
}

function list(names: Set<string>): string {
  return [...names].sort().join(", ");
}

/**
 * `encryption`: whether the input let the scan judge encryption at rest (an
 * EncryptionConfiguration, or a kube-apiserver without one). A live cluster or
 * application manifests hold neither: then the workload's facts say it is unknown.
 */
export function dataDeductions(spec: Record<string, unknown>, plaintextSecrets: readonly Finding[], at: PodFieldLocator, encryption: "judged" | "unknown" = "judged"): { deductions: Deduction[]; facts: string[] } {
  const deductions: Deduction[] = [];
  const facts: string[] = [];
  const use = secretsUsed(spec);
  const all = new Set([...use.files, ...use.env]);
  if (all.size === 0) return { deductions, facts };
  facts.push(`reads Secrets ${list(all)}`);
  if (encryption === "unknown") facts.push("whether the cluster encrypts them at rest is unknown: the input holds no EncryptionConfiguration or kube-apiserver manifest (give either to judge it)");
  if (use.env.size > 0) {
    deductions.push(
      factDeduction(SECRET_IN_ENV, `reads Secrets ${list(use.env)} into environment variables, which every process of the container inherits and which crash reports and debug endpoints print`, {
        count: use.env.size,
        ...at(use.envPath ?? ["spec"]),
      }),
    );
  }
  const evidence = plaintextSecrets[0];
  if (evidence) {
    // As severe as the finding that says so.
    const extra: Parameters<typeof factDeduction>[2] = { severity: evidence.severity };
    if (evidence.position) extra.position = evidence.position;
    deductions.push(factDeduction(SECRETS_PLAINTEXT_AT_REST, `reads Secrets ${list(all)}, which the cluster stores in etcd in plaintext (${evidence.ruleId}: ${evidence.message})`, extra));
  }
  return { deductions, facts };
}
