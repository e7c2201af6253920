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

/** The copies of a workload, earliest first, when some differ from the last: undefined when it is defined once, or its copies agree. */
function differingCopies(last: LoadedObject, earlier: readonly LoadedObject[] | undefined): LoadedObject[] | undefined {
  if (!earlier || !podTemplate(last.object)) return undefined;
  const kept = placed(last.object);
  return earlier.some((copy) => !isDeepStrictEqual(placed(copy.object), kept)) ? [...earlier, last] : undefined;
}

const places = (copies: readonly LoadedObject[]): string => copies.map((o) => place(o.source.position)).join(", ");

export function conflictingWorkloads(objects: readonly LoadedObject[], copies: LastCopies = lastCopies(objects)): LoadProblem[] {
  const problems: LoadProblem[] = [];
  for (const [last, earlier] of copies.earlier) {
    const all = differingCopies(last, earlier);
    if (!all) continue;
    const { object } = last;
    const key = `${object.metadata?.namespace ?? "default"}/${object.kind}/${object.metadata?.name}`;
    // At the first copy, as before: where an edit is lost when the files are applied in order.
    const position = all[0]?.source.position ?? { file: "<input>", line: 1, column: 1 };
    problems.push({
      kind: "invalid-object",
      message: `${key} is defined ${all.length} times, differently (${places(all)}): the cluster keeps one object of a name, and this report judges the last definition's identity, reach and data, as kubectl apply -f leaves it`,
      position,
      hint: "keep one definition (a rendered overlay and its base given together define each object twice: give one of them)",
    });
  }
  return problems;
}

/** The workload's fact, beside its scores, when the copy judged is one of several that differ. */
export function duplicateFact(last: LoadedObject, copies: LastCopies): string | undefined {
  const all = differingCopies(last, copies.earlier.get(last));
  if (!all) return undefined;
  return `defined ${all.length} times, differently (${places(all)}): judged as its last definition, as kubectl apply -f leaves it`;
}
