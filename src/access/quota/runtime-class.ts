/**
 * The RuntimeClass admission plugin: a pod whose RuntimeClass defines an overhead gets it
 * as spec.overhead (which quota then adds to the pod's requests and limits), and a pod
 * whose overhead its RuntimeClass does not define is refused (upstream
 * plugin/pkg/admission/runtimeclass: setOverhead, then validateOverhead).
 */
import { compareQuantities } from "../../k8s/quantity.js";
import { apiGroupOf } from "../../k8s/snapshot.js";
import { isLiveSource, isRecord, type LoadedObject } from "../../k8s/types.js";
import { describeResourceList, readResourceList, type QuantityProblem, type ResourceList } from "./resource-list.js";

/** A RuntimeClass by name: its overhead.podFixed, or undefined when it defines no overhead. */
export type RuntimeClasses = Map<string, { podFixed: ResourceList | undefined }>;

/** Whether the object is a RuntimeClass (node.k8s.io); its quantities are read into `problems`. */
export function readRuntimeClass(loaded: LoadedObject, classes: RuntimeClasses, problems: QuantityProblem[]): boolean {
  const { object } = loaded;
  if (object.kind !== "RuntimeClass" || apiGroupOf(object.apiVersion) !== "node.k8s.io") return false;
  const name = object.metadata?.name;
  const overhead = (object as Record<string, unknown>).overhead;
  const podFixed = isRecord(overhead) ? readResourceList(overhead.podFixed, ["overhead", "podFixed"], problems) : undefined;
  if (typeof name === "string" && name !== "" && problems.length === 0) classes.set(name, { podFixed });
  return true;
}

export const OVERHEAD_MISMATCH = "pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead";
export const OVERHEAD_WITHOUT_RUNTIMECLASS = "pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead";

export const RUNTIME_CLASS_NOT_FOUND_TEXT = (name: string) => `pod rejected: RuntimeClass ${JSON.stringify(name)} not found`;

/** `classNotFound`: refused because the class does not exist, not for its overhead. */
export type OverheadAdmission = { overhead: ResourceList } | { refused: string; classNotFound?: true };

/**
 * The overhead the pod runs with once admitted, or why it is refused. A RuntimeClass the
 * input does not hold may well exist in the cluster, so its pods keep what they declare,
 * unless the input is every class the cluster has (`everyClass`, a live read): then the
 * plugin refuses the pod (upstream prepareObjects: "pod rejected: RuntimeClass %q not
 * found"). A live Pod was admitted already and keeps its overhead as it is.
 */
export function admitOverhead(loaded: LoadedObject, spec: Record<string, unknown>, declared: ResourceList, classes: RuntimeClasses, everyClass = false): OverheadAdmission {
  if (loaded.object.kind === "Pod" && isLiveSource(loaded.source)) return { overhead: declared };
  // An empty map is still a set field, which the plugin refuses without a RuntimeClass overhead.
  const declaresOverhead = isRecord(spec.overhead);
  const className = typeof spec.runtimeClassName === "string" && spec.runtimeClassName !== "" ? spec.runtimeClassName : undefined;
  const runtimeClass = className === undefined ? undefined : classes.get(className);
  if (className !== undefined && runtimeClass === undefined) return everyClass ? { refused: RUNTIME_CLASS_NOT_FOUND_TEXT(className), classNotFound: true } : { overhead: declared };
  if (runtimeClass?.podFixed !== undefined) {
    if (declaresOverhead && !sameResourceList(declared, runtimeClass.podFixed)) {
      return { refused: `${OVERHEAD_MISMATCH} (RuntimeClass ${className} defines ${describeResourceList(runtimeClass.podFixed) || "none"}, the pod sets ${describeResourceList(declared) || "none"})` };
    }
    return { overhead: runtimeClass.podFixed };
  }
  if (!declaresOverhead) return { overhead: declared };
  return { refused: `${OVERHEAD_WITHOUT_RUNTIMECLASS} (${className === undefined ? "the pod names no runtimeClassName" : `RuntimeClass ${className} defines no overhead`})` };
}

/** Semantic equality of resource lists: the same names, with equal quantities however written (1 and 1000m). */
export function sameResourceList(a: ResourceList, b: ResourceList): boolean {
  if (a.size !== b.size) return false;
  for (const [name, q] of a) {
    const other = b.get(name);
    if (!other || compareQuantities(q, other) !== 0) return false;
  }
  return true;
}
