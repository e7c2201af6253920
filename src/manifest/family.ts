import type { Finding } from "../findings/types.js";
import { apiGroupOf, type Snapshot } from "../k8s/snapshot.js";
import { formatFieldPath, objectRef, type LoadedObject } from "../k8s/types.js";
import type { ScanFamily } from "../scan/family.js";
import { MANIFEST_RULES, STRING_EXPECTED, UNKNOWN_FIELD } from "./rules.js";
import { misTypedFields } from "./string-fields.js";
import { FIELDS_RELEASE } from "./api-fields.generated.js";
import { unknownFields } from "./unknown-fields.js";

/**
 * What Kubernetes' YAML makes of a value, in words (the text itself is not kept). A
 * Secret's values are never printed: only their type is.
 */
function describe(value: unknown, secret: boolean): string {
  if (typeof value === "boolean") return secret ? "a boolean (an unquoted yes, no, on, off, y, n, true or false)" : value ? "the boolean true (an unquoted yes, on, y or true)" : "the boolean false (an unquoted no, off, n or false)";
  if (typeof value === "number") return secret ? "a number" : `the number ${value}`;
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `a ${typeof value}`;
}

function findingsOf(loaded: LoadedObject): Finding[] {
  const fields = misTypedFields(loaded.object);
  const unknown = unknownFields(loaded.object);
  if (fields.length === 0 && unknown.length === 0) return [];
  const object = objectRef(loaded.object);
  const secret = loaded.object.kind === "Secret" && apiGroupOf(loaded.object.apiVersion) === "";
  const misTyped = fields.map(({ path, value }): Finding => ({
    ruleId: STRING_EXPECTED.id,
    severity: STRING_EXPECTED.severity,
    pillar: STRING_EXPECTED.pillar,
    message: `${formatFieldPath(path)} is ${describe(value, secret)} where Kubernetes expects text: the API server refuses this object`,
    object,
    fieldPath: formatFieldPath(path),
    position: loaded.source.locate(path),
    remediation: STRING_EXPECTED.docs.remediation,
  }));
  const unknownFindings = unknown.map(({ path, type, meant }): Finding => ({
    ruleId: UNKNOWN_FIELD.id,
    severity: UNKNOWN_FIELD.severity,
    pillar: UNKNOWN_FIELD.pillar,
    message: `${formatFieldPath(path)} is not a field of ${type}${meant ? `: did you mean ${meant}?` : ` in the Kubernetes ${FIELDS_RELEASE} API:`} kubectl apply refuses the object, and clients that do not validate drop the field silently`,
    object,
    fieldPath: formatFieldPath(path),
    position: loaded.source.locate(path),
    remediation: UNKNOWN_FIELD.docs.remediation,
    properties: { type, ...(meant ? { meant } : {}) },
  }));
  return misTyped.concat(unknownFindings);
}

/** Manifest validity: fields the API server would refuse before any admission policy runs. */
export const manifestFamily: ScanFamily = {
  id: "manifest",
  rules: MANIFEST_RULES,
  check: (snapshot: Snapshot) => snapshot.objects.flatMap(findingsOf),
  stream() {
    const findings: Finding[] = [];
    return {
      observe: (loaded) => {
        for (const finding of findingsOf(loaded)) findings.push(finding);
      },
      finish: () => findings,
    };
  },
};
