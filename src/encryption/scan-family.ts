import type { Finding } from "../findings/types.js";
import type { Snapshot } from "../k8s/snapshot.js";
import { objectRef } from "../k8s/types.js";
import type { ScanFamily } from "../scan/family.js";
import { checkEncryptionConfigurationObject } from "./config.js";
import { API_VERSION, KIND, LEGACY_API_VERSION, LEGACY_KIND } from "./config-decode.js";
import { encryptionFindings } from "./risks.js";
import { ENCRYPTION_RULES } from "./risk-rules.js";

function isEncryptionConfiguration(apiVersion: string | undefined, kind: string | undefined): boolean {
  return (apiVersion === API_VERSION && kind === KIND) || (apiVersion === LEGACY_API_VERSION && kind === LEGACY_KIND);
}

/** EncryptionConfiguration files found among the scanned manifests: validity and risks. */
export function checkEncryptionConfigurations(snapshot: Snapshot): Finding[] {
  const findings: Finding[] = [];
  for (const loaded of snapshot.objects) {
    const { apiVersion, kind } = loaded.object;
    if (!isEncryptionConfiguration(apiVersion, kind)) continue;
    const ref = objectRef(loaded.object);
    if (ref.name === "(unnamed)") ref.name = loaded.source.file;
    const check = checkEncryptionConfigurationObject(loaded.object, loaded.source.file, (path) => loaded.source.locate(path));
    findings.push(...encryptionFindings(check, ref));
  }
  return findings;
}

export const encryptionFamily: ScanFamily = {
  id: "encryption",
  rules: ENCRYPTION_RULES,
  check: (snapshot) => checkEncryptionConfigurations(snapshot),
  reads: () => (object) => isEncryptionConfiguration(object.apiVersion, object.kind),
};
