/**
 * Workloads the input defines more than once, differently. The API server keeps one object
 * per namespace, kind and name: applied in order, the later definition replaces the
 * earlier, so the posture judges the last copy (last-copies.ts), as `kubectl apply -f`
 * leaves it and as `rbac` reads roles. Whether the files are applied in that order is for
 * the reader to say: two copies that differ (one without a token, one with a
 * cluster-admin token) are still an input error, said with every place, and a fact on the
 * workload. Copies that are the same (a file given twice, a directory and a file in it)
 * judge alike and are no error.
 */
import { isDeepStrictEqual } from "node:util";
import type { SourcePosition } from "../findings/types.js";
import { isLiveFile, type K8sObject, type LoadedObject, type LoadProblem } from "../k8s/types.js";
import { podTemplate } from "../k8s/workloads.js";
import { lastCopies, type LastCopies } from "./last-copies.js";

function place(position: SourcePosition | undefined): string {
  if (!position) return "?";
  return isLiveFile(position.file) ? position.file : `${position.file}:${position.line}:${position.column}`;
}

/** The object as the API server would store it: without a namespace, it is in `default`. */
function placed(object: K8sObject): K8sObject {
  return { ...object, metadata: { ...object.metadata, namespace: object.metadata?.namespace ?? "default" } };
}

/** The copies of an object, earliest first, when some differ from the last: undefined when it is defined once, or its copies agree. */
function differingCopies(last: LoadedObject, earlier: readonly LoadedObject[] | undefined): LoadedObject[] | undefined {
  if (!earlier) return undefined;
  const kept = placed(last.object);
  return earlier.some((copy) => !isDeepStrictEqual(placed(copy.object), kept)) ? [...earlier, last] : undefined;
}

export interface DifferingDefinition {
  /** The copy the cluster keeps. */
  last: LoadedObject;
  /** Every copy, earliest first, the last included. */
  all: LoadedObject[];
  /** `NAMESPACE/KIND/NAME is defined N times, differently (FILE:LINE:COL, ...)`. */
  description: string;
}

/** Objects (of the kinds `reads` takes) defined more than once where the copies differ. */
export function differingDefinitions(copies: LastCopies, reads: (object: K8sObject) => boolean): DifferingDefinition[] {
  const out: DifferingDefinition[] = [];
  for (const [last, earlier] of copies.earlier) {
    if (!reads(last.object)) continue;
    const all = differingCopies(last, earlier);
    if (!all) continue;
    const { object } = last;
    const key = `${object.metadata?.namespace ?? "default"}/${object.kind}/${object.metadata?.name}`;
    out.push({ last, all, description: `${key} is defined ${all.length} times, differently (${places(all)})` });
  }
  return out;
}

const places = (copies: readonly LoadedObject[]): string => copies.map((o) => place(o.source.position)).join(", ");

export function conflictingWorkloads(objects: readonly LoadedObject[], copies: LastCopies = lastCopies(objects)): LoadProblem[] {
  return differingDefinitions(copies, (object) => podTemplate(object) !== undefined).map(({ all, description }) => ({
    kind: "invalid-object",
    message: `${description}: the cluster keeps one object of a name, and this report judges the last definition's identity, reach and data, as kubectl apply -f leaves it`,
    // At the first copy, as before: where an edit is lost when the files are applied in order.
    position: all[0]?.source.position ?? { file: "<input>", line: 1, column: 1 },
    hint: "keep one definition (a rendered overlay and its base given together define each object twice: give one of them)",
  }));
}

/** The workload's fact, beside its scores, when the copy judged is one of several that differ. */
export function duplicateFact(last: LoadedObject, copies: LastCopies): string | undefined {
  const all = podTemplate(last.object) ? differingCopies(last, copies.earlier.get(last)) : undefined;
  if (!all) return undefined;
  return `defined ${all.length} times, differently (${places(all)}): judged as its last definition, as kubectl apply -f leaves it`;
}
