import { formatFieldPath, objectRef, type FieldPath, type LoadedObject } from "../k8s/types.js";
import type { Finding, Rule } from "./types.js";

/** A finding about one field of a loaded object, at the rule's severity, pillar and remediation (keys in the report's order). */
export function findingAt(rule: Rule, loaded: LoadedObject, path: FieldPath, message: string): Finding {
  return {
    ruleId: rule.id,
    severity: rule.severity,
    pillar: rule.pillar,
    message,
    object: objectRef(loaded.object),
    fieldPath: formatFieldPath(path),
    position: loaded.source.locate(path),
    remediation: rule.docs.remediation,
  };
}
