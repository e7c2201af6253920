/**
 * Objects the API server refuses before any admission plugin sees them: a value of
 * another type than its field's (`replicas: "3"`, `containers: "oops"`, a LimitRange's
 * `limits` as a mapping). Such an object never exists, so it neither counts against a
 * quota nor bounds anything; `palisade quota` says so as an input problem. The judgement
 * of types is the manifest checks' (field-check.ts, string-fields.ts), used here as is.
 */
import { apiGroupOf } from "../../k8s/snapshot.js";
import { formatFieldPath, isLiveSource, type FieldPath, type LoadedObject, type LoadProblem } from "../../k8s/types.js";
import { checkFields } from "../../manifest/field-check.js";
import { describeValue } from "../../manifest/describe-value.js";
import { misTypedFields } from "../../manifest/string-fields.js";

/** Why the API server would refuse the object, at the first wrong field; undefined when it would decode it. */
export function refusal(loaded: LoadedObject): LoadProblem | undefined {
  // A live object was decoded by the API server already.
  if (isLiveSource(loaded.source)) return undefined;
  const { object } = loaded;
  const check = checkFields(object);
  const wrong = check.wrongTypes[0];
  const text = wrong ? undefined : misTypedFields(object, check)[0];
  const found: { path: FieldPath; value: unknown; expected: string } | undefined = wrong ?? (text ? { ...text, expected: "text" } : undefined);
  if (!found) return undefined;
  const secret = object.kind === "Secret" && apiGroupOf(object.apiVersion) === "";
  const namespace = object.metadata?.namespace;
  const name = `${object.kind ?? "object"} ${namespace ? `${namespace}/` : ""}${object.metadata?.name ?? "(unnamed)"}`;
  return {
    kind: "invalid-object",
    message: `${name}: ${formatFieldPath(found.path)} is ${describeValue(found.value, secret)} where Kubernetes expects ${found.expected}: the API server refuses the object, so it is left out of the quota totals`,
    position: loaded.source.locate(found.path),
    hint: "write the value in the declared type (replicas: 3, not \"3\"; a list of containers, not a string; LimitRange limits as a list of items), then run again",
  };
}
