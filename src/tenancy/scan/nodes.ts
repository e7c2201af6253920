/**
 * The Nodes of the scanned input (manifests or a live read), as the tenancy checks need
 * them: labels (which tenant a named node belongs to) and taints (which nodes a toleration
 * opens). Which objects count is the webhook's rule (ClusterState.remember): core v1 Nodes
 * with a name, a later one of the same name replacing an earlier one.
 */
import type { Labels } from "../../k8s/labels.js";
import { isRecord, type K8sObject } from "../../k8s/types.js";
import type { Taint } from "../taints.js";

export interface NodeFacts {
  name: string;
  labels: Labels;
  taints: Taint[];
}

/** The node's facts, or undefined when the object is not a Node the webhook would know. */
export function nodeFactsOf(object: K8sObject): NodeFacts | undefined {
  const name = object.metadata?.name;
  if (object.kind !== "Node" || (object.apiVersion ?? "v1") !== "v1" || !name) return undefined;
  const spec = isRecord(object.spec) ? object.spec : {};
  const taints = Array.isArray(spec.taints) ? spec.taints.filter((t): t is Taint => isRecord(t) && typeof t.key === "string") : [];
  return { name, labels: object.metadata?.labels ?? {}, taints };
}
