/**
 * The kubeconfig family of `palisade scan`: kubeconfig files among the scanned files
 * (`palisade scan ~/.kube/config`, or one committed to a repository) judged by
 * KUBECONFIG_RULES, each finding at its field.
 */
import type { Finding } from "../../findings/types.js";
import type { Snapshot } from "../../k8s/snapshot.js";
import { formatFieldPath, objectRef, type LoadedObject } from "../../k8s/types.js";
import { eachObject, type ScanFamily, type ScanOptions } from "../../scan/family.js";
import { readCaBundleEntries } from "../pki/client-ca.js";
import { readBase64Certificate } from "../x509.js";
import { isKubeconfig, readKubeconfig } from "./read.js";
import { KUBECONFIG_RULES, type CaBundleReading, type CertificateReading, type KubeconfigFacts } from "./rules.js";

function factsOf(loaded: LoadedObject): KubeconfigFacts {
  const { clusters, users } = readKubeconfig(loaded.object);
  const certificates: CertificateReading[] = [];
  const read = (data: unknown, path: CertificateReading["path"], what: string) => {
    if (typeof data !== "string" || data === "") return;
    const reading = readBase64Certificate(data);
    certificates.push("problem" in reading ? { problem: reading.problem, path, what } : { facts: reading, path, what });
  };
  for (const cluster of clusters) read(cluster.certificateAuthorityData, [...cluster.path, "certificate-authority-data"], `CA certificate of cluster ${cluster.name}`);
  for (const user of users) read(user.user["client-certificate-data"], [...user.path, "client-certificate-data"], "client certificate");
  return { clusters, users, certificates, caBundles: clusters.flatMap(caBundleOf) };
}

/** Every certificate of a cluster's certificate-authority-data, as client-go's pool reads them; none when it holds none (unreadable-certificate says so). */
function caBundleOf(cluster: KubeconfigFacts["clusters"][number]): CaBundleReading[] {
  const data = cluster.certificateAuthorityData;
  if (typeof data !== "string" || data === "") return [];
  const entries = readCaBundleEntries(Buffer.from(data, "base64").toString("latin1"));
  if (entries.length === 0) return [];
  // `file` only names a certificate that has no CommonName; findings stand at the field.
  return [{ path: [...cluster.path, "certificate-authority-data"], bundle: { file: "certificate-authority-data", described: `the certificate-authority-data of cluster ${cluster.name}`, entries } }];
}

function judge(loaded: LoadedObject, now: Date | undefined): Finding[] {
  const facts = factsOf(loaded);
  // A kubeconfig has no metadata.name: findings name it by its current context (the report groups them by file).
  const current = loaded.object["current-context"];
  const object = { ...objectRef(loaded.object), name: typeof current === "string" && current !== "" ? current : "kubeconfig" };
  return KUBECONFIG_RULES.flatMap((rule) =>
    rule.check(facts, now).map((verdict) => ({
      ruleId: rule.id,
      pillar: rule.pillar,
      severity: verdict.severity ?? rule.severity,
      message: verdict.message,
      object,
      fieldPath: formatFieldPath(verdict.path),
      position: loaded.source.locate(verdict.path),
      remediation: rule.docs.remediation,
    })),
  );
}

export function checkKubeconfigs(snapshot: Snapshot, options: ScanOptions): Finding[] {
  return snapshot.objects.filter((loaded) => isKubeconfig(loaded.object)).flatMap((loaded) => judge(loaded, options.now));
}

export const kubeconfigFamily: ScanFamily = {
  id: "kubeconfig",
  rules: KUBECONFIG_RULES.map(({ check: _check, ...rule }) => rule),
  check: checkKubeconfigs,
  stream: (options) => eachObject((loaded) => (isKubeconfig(loaded.object) ? judge(loaded, options.now) : [])),
};
