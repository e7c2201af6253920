import type { Finding } from "../findings/types.js";
import { apiGroupOf, type Snapshot } from "../k8s/snapshot.js";
import { formatFieldPath, objectRef, type LoadedObject } from "../k8s/types.js";
import type { ScanFamily } from "../scan/family.js";
import { MANIFEST_RULES, STRING_EXPECTED } from "./rules.js";
import { misTypedFields } from "./string-fields.js";

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
  if (fields.length === 0) return [];
  const object = objectRef(loaded.object);
  const secret = loaded.object.kind === "Secret" && apiGroupOf(loaded.object.apiVersion) === "";
  return fields.map(({ path, value }) => ({
    ruleId: STRING_EXPECTED.id,
    severity: STRING_EXPECTED.severity,
    pillar: STRING_EXPECTED.pillar,
    message: `${formatFieldPath(path)} is ${describe(value, secret)} where Kubernetes expects text: the API server refuses this object`,
    object,
    fieldPath: formatFieldPath(path),
    position: loaded.source.locate(path),
    remediation: STRING_EXPECTED.docs.remediation,
  }));
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
