import type { Finding, JsonPatchOperation, Rule } from "../findings/types.js";
import { apiGroupOf, type Snapshot } from "../k8s/snapshot.js";
import { formatFieldPath, isLiveSource, objectRef, type FieldPath, type LoadedObject } from "../k8s/types.js";
import { eachObject, type ScanFamily } from "../scan/family.js";
import { MANIFEST_RULES, STRING_EXPECTED, UNKNOWN_FIELD, WRONG_TYPE } from "./rules.js";
import { misTypedFields } from "./string-fields.js";
import { FIELDS_RELEASE } from "./api-fields.generated.js";
import { checkFields } from "./field-check.js";
import { correctionsOf, jsonPatchOf, type Correction } from "./fixes.js";

/**
 * What Kubernetes' YAML makes of a value, in words (long text is cut). A Secret's values
 * are never printed: only their type is.
 */
function describe(value: unknown, secret: boolean): string {
  if (typeof value === "boolean") return secret ? "a boolean (an unquoted yes, no, on, off, y, n, true or false)" : value ? "the boolean true (an unquoted yes, on, y or true)" : "the boolean false (an unquoted no, off, n or false)";
  if (typeof value === "number") return secret ? "a number" : `the number ${value}`;
  if (typeof value === "string") return secret ? "text" : `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `a ${typeof value}`;
}

function findingsOf(loaded: LoadedObject): Finding[] {
  // The API server has decoded a live object already: a field it does not know would have
  // been refused or dropped, and one this table does not know is from a newer release.
  if (isLiveSource(loaded.source)) return [];
  const misTyped = misTypedFields(loaded.object);
  const check = checkFields(loaded.object);
  const { unknown, wrongTypes } = check;
  if (misTyped.length === 0 && unknown.length === 0 && wrongTypes.length === 0) return [];
  const corrections = correctionsOf(loaded.object, check);
  const object = objectRef(loaded.object);
  const secret = loaded.object.kind === "Secret" && apiGroupOf(loaded.object.apiVersion) === "";
  const patch = (correction: Correction | undefined) => (correction && correction.kind !== "quote" ? jsonPatchOf(correction, loaded.object) : undefined);
  const finding = (rule: Rule, path: FieldPath, message: string, properties?: Record<string, unknown>, fix?: JsonPatchOperation[]): Finding => ({
    ruleId: rule.id,
    severity: rule.severity,
    pillar: rule.pillar,
    message,
    object,
    fieldPath: formatFieldPath(path),
    position: loaded.source.locate(path),
    remediation: rule.docs.remediation,
    ...(fix ? { fix } : {}),
    ...(properties ? { properties } : {}),
  });
  return [
    ...misTyped.map(({ path, value }) => finding(STRING_EXPECTED, path, `${formatFieldPath(path)} is ${describe(value, secret)} where Kubernetes expects text: the API server refuses this object`)),
    ...unknown.map((field) =>
      finding(
        UNKNOWN_FIELD,
        field.path,
        `${formatFieldPath(field.path)} is not a field of ${field.type}${field.meant ? `: did you mean ${field.meant}?` : ` in the Kubernetes ${FIELDS_RELEASE} API:`} kubectl apply refuses the object, and clients that do not validate drop the field silently`,
        { type: field.type, ...(field.meant ? { meant: field.meant } : {}) },
        patch(corrections.get(field)),
      ),
    ),
    ...wrongTypes.map((wrong) =>
      finding(WRONG_TYPE, wrong.path, `${formatFieldPath(wrong.path)} is ${describe(wrong.value, secret)} where Kubernetes expects ${wrong.expected}: the API server refuses this object`, undefined, patch(corrections.get(wrong))),
    ),
  ];
}

/** Manifest validity: fields the API server would refuse before any admission policy runs. */
export const manifestFamily: ScanFamily = {
  id: "manifest",
  rules: MANIFEST_RULES,
  check: (snapshot: Snapshot) => snapshot.objects.flatMap(findingsOf),
  stream: () => eachObject(findingsOf),
};
