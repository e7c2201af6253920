import { defaultPodForAdmission } from "../k8s/defaults.js";
import type { K8sObject } from "../k8s/types.js";
import type { PodTemplate } from "../k8s/workloads.js";
import type { PodJson } from "./pod.js";

/**
 * The pod PodSecurityPolicy admission sees for a manifest's workload: its spec after the API
 * server's defaulting, its metadata with the object's namespace.
 *
 * Empty lists differ by route. A Pod sent as JSON (kubectl, Helm) is decoded with its
 * `supplementalGroups: []` as a non-nil empty slice, which PSP treats as set. A pod made
 * from a workload's template is not: the template was stored as protobuf, which keeps no
 * empty list, and the controller sends the pod as protobuf too, so every `[]` in the
 * template reaches admission as absent (nil), and the policy's defaults fill it in.
 */
export function admissionPod(object: K8sObject, template: PodTemplate): PodJson {
  const namespace = object.metadata?.namespace;
  const metadata = { ...template.pod.metadata, ...(namespace ? { namespace } : {}) };
  const defaulted = defaultPodForAdmission(template.pod).spec;
  const fromTemplate = template.path.length > 0;
  const spec = fromTemplate ? withoutEmptyLists(defaulted) : defaulted;
  return structuredClone({ apiVersion: "v1", kind: "Pod", metadata, spec }) as PodJson;
}

/** A copy without the empty lists (at any depth) that a protobuf round trip drops. */
function withoutEmptyLists<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => withoutEmptyLists(item)) as T;
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (Array.isArray(item) && item.length === 0) continue;
    out[key] = withoutEmptyLists(item);
  }
  return out as T;
}
