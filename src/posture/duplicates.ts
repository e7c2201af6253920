/**
 * Workloads the input defines more than once, differently. The API server keeps one object
 * per namespace, kind and name: applied in order, the later definition replaces the
 * earlier, and a reading of manifests cannot know which of them the cluster runs. The
 * posture links one definition per workload to its identity, reach and data, so two that
 * differ (one without a token, one with a cluster-admin token) would leave the report
 * judging whichever came first: an input error, said with both places. Copies that are
 * the same (a file given twice, a directory and a file in it) judge alike and are no error.
 */
import { isDeepStrictEqual } from "node:util";
import type { SourcePosition } from "../findings/types.js";
import { isLiveFile, type K8sObject, type LoadedObject, type LoadProblem } from "../k8s/types.js";
import { podTemplate } from "../k8s/workloads.js";

function place(position: SourcePosition | undefined): string {
  if (!position) return "?";
  return isLiveFile(position.file) ? position.file : `${position.file}:${position.line}:${position.column}`;
}

/** The object as the API server would store it: without a namespace, it is in `default`. */
function placed(object: K8sObject): K8sObject {
  return { ...object, metadata: { ...object.metadata, namespace: object.metadata?.namespace ?? "default" } };
}

export function conflictingWorkloads(objects: readonly LoadedObject[]): LoadProblem[] {
  const byName = new Map<string, LoadedObject[]>();
  for (const loaded of objects) {
    const { object } = loaded;
    // A generateName object gets its own name from the API server: two of them are two objects.
    const name = object.metadata?.name;
    if (typeof name !== "string" || name === "" || !podTemplate(object)) continue;
    const key = `${object.metadata?.namespace ?? "default"}/${object.kind}/${name}`;
    const list = byName.get(key);
    if (list) list.push(loaded);
    else byName.set(key, [loaded]);
  }
  const problems: LoadProblem[] = [];
  for (const [key, list] of byName) {
    const first = list[0] as LoadedObject;
    const differing = list.filter((other) => !isDeepStrictEqual(placed(other.object), placed(first.object)));
    if (differing.length === 0) continue;
    const position = first.source.position ?? { file: "<input>", line: 1, column: 1 };
    problems.push({
      kind: "invalid-object",
      message: `${key} is defined ${list.length} times, differently (${list.map((o) => place(o.source.position)).join(", ")}): the cluster keeps one object of a name, and this report judges the first definition's identity, reach and data`,
      position,
      hint: "keep one definition (a rendered overlay and its base given together define each object twice: give one of them)",
    });
  }
  return problems;
}
