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
import { describeQuotaSpecErrors, type QuotaSpecError } from "./quota-validation.js";
import type { QuantityProblem } from "./resource-list.js";

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

/** An object with a quantity that does not parse: decoding fails, so the API server refuses it before any admission. */
export function refusedQuantityProblem(loaded: LoadedObject, problems: readonly QuantityProblem[]): LoadProblem {
  const { object } = loaded;
  const namespace = object.metadata?.namespace;
  const name = `${object.kind ?? "object"} ${namespace ? `${namespace}/` : ""}${object.metadata?.name ?? "(unnamed)"}`;
  // The reader's message starts with the resource's name, which the path ends with already.
  const where = problems.map((p) => `${formatFieldPath(p.path)}: ${p.message.replace(`${String(p.path[p.path.length - 1])}: `, "")}`).join("; ");
  return {
    kind: "invalid-object",
    message: `${name}: ${where}: the API server refuses the object, so it is left out of the quota totals`,
    position: loaded.source.locate(problems[0]?.path ?? []),
    hint: "write quantities as Kubernetes reads them: a number with an optional suffix n u m k M G T P E, Ki Mi Gi Ti Pi Ei, or e<exponent> (100m, 1.5, 512Mi, 1e3)",
  };
}

/** The range pod validation allows activeDeadlineSeconds (ValidatePodSpec): 0, which would make a pod Terminating at once, is refused. */
const MAX_DEADLINE_SECONDS = 2147483647;

/** A pod (or a workload's pod template) whose activeDeadlineSeconds pod validation refuses; undefined when it has none or a valid one. */
export function refusedDeadline(loaded: LoadedObject, spec: Record<string, unknown>, specPath: FieldPath): LoadProblem | undefined {
  const deadline = spec.activeDeadlineSeconds;
  if (isLiveSource(loaded.source) || typeof deadline !== "number" || (Number.isInteger(deadline) && deadline >= 1 && deadline <= MAX_DEADLINE_SECONDS)) return undefined;
  const { object } = loaded;
  const namespace = object.metadata?.namespace;
  const path = [...specPath, "activeDeadlineSeconds"];
  return {
    kind: "invalid-object",
    message: `${object.kind ?? "object"} ${namespace ? `${namespace}/` : ""}${object.metadata?.name ?? "(unnamed)"}: ${formatFieldPath(path)}: must be between 1 and ${MAX_DEADLINE_SECONDS}, inclusive: the API server refuses the object, so it is left out of the quota totals`,
    position: loaded.source.locate(path),
    hint: "give the pod at least 1 second (activeDeadlineSeconds: 60), or leave the field out for no deadline",
  };
}

const BOUND_HINTS = {
  ResourceQuota:
    "limit standard resources (requests.cpu, limits.memory, pods, services, ...) or domain-prefixed ones (count/deployments.apps, requests.example.com/gpu), never below 0 and object counts whole; BestEffort limits only pods; Terminating, NotTerminating, NotBestEffort, PriorityClass and CrossNamespacePodAffinity limit only pods, cpu and memory; a scopeSelector on any scope but PriorityClass (or VolumeAttributesClass) takes operator Exists; In and NotIn need values, Exists and DoesNotExist take none",
  LimitRange:
    "keep min <= defaultRequest <= default <= max per resource (a Container item's max is its default limit, and its default limit its default request, when unset), one item per type, no defaults on a Pod item, and a maxLimitRequestRatio of at least 1",
} as const;

/** A ResourceQuota or LimitRange the API server's validation refuses (quota-validation.ts, limitrange-validation.ts), as an input problem. */
export function refusedBoundProblem(loaded: LoadedObject, kind: keyof typeof BOUND_HINTS, namespace: string, name: string, errors: readonly QuotaSpecError[]): LoadProblem {
  return {
    kind: "invalid-object",
    message: `${kind} ${namespace}/${name}: ${describeQuotaSpecErrors(errors)}: the API server refuses the object, so it bounds nothing and is left out of the quota totals`,
    position: loaded.source.locate(errors[0]?.path ?? []),
    hint: BOUND_HINTS[kind],
  };
}
