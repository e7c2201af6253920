/** How a netpol lint finding is made: the rule's defaults, and where in which object. */
import type { Finding, Rule } from "../findings/types.js";
import { formatFieldPath, objectRef, type FieldPath, type LoadedObject } from "../k8s/types.js";

export function lintFinding(rule: Rule, message: string, where: LoadedObject | undefined, path: FieldPath, extra: Partial<Finding> = {}): Finding {
  const out: Finding = { ruleId: rule.id, severity: rule.severity, pillar: rule.pillar, message, remediation: rule.docs.remediation, ...extra };
  if (where) {
    out.object = objectRef(where.object);
    out.fieldPath = formatFieldPath(path);
    out.position = where.source.locate(path);
  }
  return out;
}
