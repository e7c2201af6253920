/**
 * The CSR family of `palisade scan`: CertificateSigningRequests (certificates.k8s.io/v1)
 * among the scanned objects, a List's items included, judged by CSR_RULES, each finding
 * at its field (spec.request, spec.usages...). The request is read once per object; what
 * the API server checked of an object read from a live cluster is not checked again (model.ts).
 */
import type { Finding } from "../../findings/types.js";
import type { Snapshot } from "../../k8s/snapshot.js";
import { findingAt } from "../../findings/finding-at.js";
import { isLiveSource, type LoadedObject } from "../../k8s/types.js";
import { eachObject, type ScanFamily } from "../../scan/family.js";
import { isCertificateSigningRequest, readCsrObject } from "./model.js";
import { CSR_RULES } from "./rules.js";

function judge(loaded: LoadedObject): Finding[] {
  if (!isCertificateSigningRequest(loaded.object)) return [];
  const csr = readCsrObject(loaded.object, isLiveSource(loaded.source));
  return CSR_RULES.flatMap((rule) => rule.check(csr).map((verdict) => findingAt(rule, loaded, verdict.path, verdict.message)));
}

export function checkCertificateSigningRequests(snapshot: Snapshot): Finding[] {
  return snapshot.objects.flatMap(judge);
}

export const csrFamily: ScanFamily = {
  id: "csr",
  rules: CSR_RULES.map(({ check: _check, ...rule }) => rule),
  check: checkCertificateSigningRequests,
  stream: () => eachObject(judge),
};
