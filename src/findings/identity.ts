import { describeRef } from "../k8s/types.js";
import type { Finding } from "./types.js";

/**
 * What makes a finding the same finding after an edit elsewhere in its file: the rule,
 * the object and the field, and (unless `withFile` is false, for a file moved or renamed)
 * the file. Never the line or the message: both move with unrelated edits. SARIF's
 * fingerprints hash this key, so it must not change for existing findings.
 */
export function findingKey(finding: Pick<Finding, "ruleId" | "object" | "fieldPath"> & { position?: { file: string } | undefined }, withFile = true): string {
  return [finding.ruleId, finding.object ? describeRef(finding.object) : "", finding.fieldPath ?? "", withFile ? (finding.position?.file ?? "") : ""].join("|");
}
