import type { Finding, JsonPatchOperation, Rule } from "../findings/types.js";
import { apiGroupOf, type Snapshot } from "../k8s/snapshot.js";
import { formatFieldPath, isLiveSource, objectRef, type FieldPath, type K8sObject, type LoadedObject } from "../k8s/types.js";
import { eachObject, type ScanFamily } from "../scan/family.js";
import { FAILS_VALIDATION, INVALID_BASE64, MANIFEST_RULES, NAMESPACE_MISMATCH, NOT_APPLIED, REMOVED_API, REQUEST_ABOVE_LIMIT, STRING_EXPECTED, UNKNOWN_FIELD, WRONG_TYPE } from "./rules.js";
import { resourceRequirementErrors } from "./resource-requirements.js";
import { isNamespaced } from "../access/quota/namespaces.js";
import { describeRemoval, removalOf } from "./removed-api.js";
import { misTypedFields } from "./string-fields.js";
import { fieldsReleaseOf } from "./api-schema.js";
import { checkFields, type NotBase64 } from "./field-check.js";
import { describeValue } from "./describe-value.js";
import { correctionsOf, jsonPatchOf, type Correction } from "./fixes.js";
import { describeNotBase64 } from "./describe-base64.js";
import { refusalsOf } from "./refused.js";


const NONE: readonly NotBase64[] = [];

/** What to do about a text field holding another value: a scalar is quoted as written; a collection is not text at all. */
function textExpected(value: unknown): string {
  return typeof value === "boolean" || typeof value === "number" ? "text (quote it)" : "text";
}

/** The namespace an object names when `-n` names another, which kubectl apply -n refuses. */
function otherNamespace(object: K8sObject, flagNamespace: string | undefined): string | undefined {
  const namespace = object.metadata?.namespace;
  if (flagNamespace === undefined || typeof namespace !== "string" || namespace === "" || namespace === flagNamespace) return undefined;
  return isNamespaced(object) ? namespace : undefined;
}

/** At the object's first line: the whole document is what kubectl drops. */
function notAppliedFinding(loaded: LoadedObject): Finding {
  return {
    ruleId: NOT_APPLIED.id,
    severity: NOT_APPLIED.severity,
    pillar: NOT_APPLIED.pillar,
    message: "kubectl applies only the first document between `---` lines; this one follows `...` and is never applied",
    object: objectRef(loaded.object),
    position: loaded.source.position,
    remediation: NOT_APPLIED.docs.remediation,
  };
}

function findingsOf(loaded: LoadedObject, flagNamespace?: string): Finding[] {
  // The API server has decoded a live object already: a field it does not know would have
  // been refused or dropped, and one this table does not know is from a newer release.
  if (isLiveSource(loaded.source)) return [];
  const removal = removalOf(loaded.object);
  const mismatch = otherNamespace(loaded.object, flagNamespace);
  const check = checkFields(loaded.object);
  const misTyped = misTypedFields(loaded.object, check);
  const { unknown, wrongTypes } = check;
  const notBase64 = check.notBase64 ?? NONE;
  const requirements = resourceRequirementErrors(loaded.object);
  const refusals = refusalsOf(loaded.object);
  const notApplied = loaded.source.notAppliedByKubectl === true;
  if (!notApplied && removal === undefined && mismatch === undefined && misTyped.length === 0 && unknown.length === 0 && wrongTypes.length === 0 && notBase64.length === 0 && requirements.length === 0 && refusals.length === 0) return [];
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
    ...(notApplied ? [notAppliedFinding(loaded)] : []),
    ...(removal ? [finding(REMOVED_API, ["apiVersion"], describeRemoval(loaded.object, removal), { removedIn: removal.removedIn, ...(removal.replacement ? { replacement: removal.replacement } : {}) })] : []),
    ...(mismatch !== undefined ? [finding(NAMESPACE_MISMATCH, ["metadata", "namespace"], `metadata.namespace is ${JSON.stringify(mismatch)} where -n names ${JSON.stringify(flagNamespace)}: kubectl apply -n ${flagNamespace} refuses this object, so it is judged in ${mismatch}`)] : []),
    ...misTyped.map(({ path, value }) => finding(STRING_EXPECTED, path, `${formatFieldPath(path)} is ${describeValue(value, secret)} where Kubernetes expects ${textExpected(value)}: the API server refuses this object`)),
    ...unknown.map((field) =>
      finding(
        UNKNOWN_FIELD,
        field.path,
        `${formatFieldPath(field.path)} is not a field of ${field.type}${field.meant ? `: did you mean ${field.meant}?` : ` in ${fieldsReleaseOf(loaded.object)}:`} kubectl apply refuses the object, and clients that do not validate drop the field silently`,
        { type: field.type, ...(field.meant ? { meant: field.meant } : {}) },
        patch(corrections.get(field)),
      ),
    ),
    ...wrongTypes.map((wrong) => {
      const correction = corrections.get(wrong);
      // A quoted integer or boolean (Helm's | quote): the patch unquotes it. The patch holds
      // the number, but only in a field the API types as a number or boolean, never text.
      const hint = correction?.kind === "retype" ? " (unquote it)" : "";
      return finding(WRONG_TYPE, wrong.path, `${formatFieldPath(wrong.path)} is ${describeValue(wrong.value, secret)} where Kubernetes expects ${wrong.expected}${hint}: the API server refuses this object`, undefined, patch(correction));
    }),
    ...notBase64.map((bad) => finding(INVALID_BASE64, bad.path, describeNotBase64(bad, loaded.object), { offset: bad.offset, length: bad.length })),
    ...requirements.map((error) => finding(REQUEST_ABOVE_LIMIT, error.path, error.message)),
    ...refusals.map((error) => finding(FAILS_VALIDATION, error.at, `${error.text} (the API server refuses the object: ${error.todo})`)),
  ];
}

/** Manifest validity: fields the API server would refuse before any admission policy runs. */
export const manifestFamily: ScanFamily = {
  id: "manifest",
  rules: MANIFEST_RULES,
  check: (snapshot: Snapshot, options) => snapshot.objects.flatMap((loaded) => findingsOf(loaded, options.defaultNamespace)),
  stream: (options) => eachObject((loaded) => findingsOf(loaded, options.defaultNamespace)),
};
