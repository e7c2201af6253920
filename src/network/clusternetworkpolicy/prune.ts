/**
 * A ClusterNetworkPolicy as the API server stores it: fields its CRD schema does not declare
 * dropped (structural pruning), and null values dropped, as apiextensions does for fields
 * that are not nullable before it validates. A misspelt field is thus a field that is not
 * there: `{namespaces: {}, podSelector: ...}` is a namespaces peer, and a rule whose
 * `protocols` is misspelt matches every protocol (see adminnetworkpolicy/prune.ts, same idea).
 */
import { isRecord, type K8sObject } from "../../k8s/types.js";
import { CNP_SPEC, type Shape } from "./schema.js";

/** A copy of `object` whose spec keeps only declared fields; metadata and status are kept as written. */
export function prunedClusterNetworkPolicy(object: K8sObject): K8sObject {
  const spec = (object as Record<string, unknown>).spec;
  const copy: Record<string, unknown> = { ...object };
  if (spec === null || spec === undefined) delete copy.spec;
  else copy.spec = prune(spec, CNP_SPEC);
  return copy as K8sObject;
}

function prune(value: unknown, shape: Shape): unknown {
  if (shape === "value") return value;
  // A value of the wrong type is kept as written: validation refuses it with its path.
  if ("list" in shape) return Array.isArray(value) ? value.map((item: unknown) => prune(item, shape.list)) : value;
  if (!isRecord(value)) return value;
  if ("map" in shape) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, prune(item, shape.map)]));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const field = shape.fields[key];
    if (field === undefined || item === null || item === undefined) continue;
    out[key] = prune(item, field);
  }
  return out;
}
