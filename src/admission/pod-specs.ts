/**
 * The pod spec inside an admission object (pods and every pod-template workload PSA's
 * DefaultPodSpecExtractor knows, and the controllers outside the core that workloads.ts
 * adds; templates are warned, as PSA warns), with the JSON pointer of the spec for
 * patches. Which kinds carry a template, and where, is src/k8s/workloads.ts.
 */
import { visitContainers } from "../k8s/containers.js";
import { podTemplate } from "../k8s/workloads.js";
import { isRecord, toJsonPointer, type K8sObject, type ObjectMeta } from "../k8s/types.js";

export interface PodSpecLocation {
  metadata: ObjectMeta;
  spec: Record<string, unknown>;
  /** RFC 6901 pointer of the pod spec inside the object. */
  pointer: string;
  /** The object is a Pod (enforced) rather than a workload template (warned). */
  isPod: boolean;
}

/** Template paths are per-kind constants: their spec pointers are computed once (hot path). */
const pointers = new WeakMap<readonly unknown[], string>();
function specPointer(path: readonly (string | number)[]): string {
  if (path.length === 0) return "/spec";
  let pointer = pointers.get(path);
  if (pointer === undefined) pointers.set(path, (pointer = toJsonPointer([...path, "spec"])));
  return pointer;
}

/** undefined when the object has no pod spec (not a workload, or an optional template left out). */
export function podSpecOf(object: K8sObject | null): PodSpecLocation | undefined {
  if (!object) return undefined;
  const template = podTemplate(object);
  if (!template) return undefined;
  let node: unknown = object;
  for (const key of template.path) node = isRecord(node) ? node[key as string] : undefined;
  if (!isRecord(node) || !isRecord(node.spec)) return undefined;
  const metadata = isRecord(node.metadata) ? (node.metadata as ObjectMeta) : {};
  return { metadata, spec: node.spec, pointer: specPointer(template.path), isPod: object.kind === "Pod" };
}

export interface NamedContainer {
  name: string;
  image: string;
  kind: "containers" | "initContainers" | "ephemeralContainers";
  index: number;
}

/** Every container of a pod spec, init and ephemeral included (src/k8s/containers.ts). */
export function containersOf(spec: Record<string, unknown>): NamedContainer[] {
  return visitContainers(spec).map(({ container, list, index, name }) => ({
    name: name || `${list}[${index}]`,
    image: typeof container.image === "string" ? container.image : "",
    kind: list,
    index,
  }));
}
