import { rewriteManifest, type InputProblem } from "../fix/rewrite.js";
import type { Edit } from "../fix/edits.js";
import type { FieldPath, K8sObject } from "../k8s/types.js";
import { admissionPod } from "./admission-pod.js";
import { admitPod, EVERY_POLICY_USABLE, type AdmissionResult, type MayUse } from "./admit.js";
import type { PodSecurityPolicy } from "./policy.js";

/**
 * `palisade psp mutate`: each workload's pod (template) as the admitting policy defaults
 * it, written back into the manifest text with its comments and layout.
 */

export interface MutatedDocument {
  line: number;
  object: K8sObject;
  result: AdmissionResult;
  /** Why some of the defaulting could not be written (the printed pod is then not the admitted one). */
  notWritten?: string;
}

function pointerToPath(pointer: string): FieldPath {
  return pointer
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

export function mutateManifestText(
  text: string,
  policies: readonly PodSecurityPolicy[],
  mayUse: MayUse = EVERY_POLICY_USABLE,
  options: { file?: string; json?: boolean } = {},
): { text: string; documents: MutatedDocument[]; errors: InputProblem[] } {
  const documents: MutatedDocument[] = [];
  const out = rewriteManifest(text, { edit: ({ line, object, template }) => {
    const isPod = template.path.length === 0;
    // Admission sees the API server's defaulting (admission-pod.ts); the patch below is only what the policy adds.
    const result = admitPod(policies, { pod: admissionPod(object, template) }, mayUse);
    documents.push({ line, object, result });
    if (!result.allowed) return [];
    const edits: Edit[] = [];
    for (const op of result.patch) {
      const path = pointerToPath(op.path);
      // The pod's namespace came from the object; a template's kubernetes.io/psp belongs to the pods, not the template.
      if (path[0] === "metadata" && path[1] === "namespace") continue;
      let value = "value" in op ? op.value : undefined;
      if (!isPod && path[0] === "metadata" && path[1] === "annotations") {
        if (path[2] === "kubernetes.io/psp") continue;
        if (path.length === 2 && value && typeof value === "object") {
          const { ["kubernetes.io/psp"]: _admittedBy, ...rest } = value as Record<string, unknown>;
          if (Object.keys(rest).length === 0) continue;
          value = rest;
        }
      }
      if (op.op === "add" || op.op === "replace") edits.push({ op: "set", path, value });
      else if (op.op === "remove") edits.push({ op: "remove", path });
    }
    return [edits];
  } }, options);
  for (const outcome of out.objects) {
    const document = documents.find((d) => d.line === outcome.line);
    const why = [...outcome.edits.values()].find((w) => w !== undefined);
    if (document && why) document.notWritten = why;
  }
  return { text: out.text, documents, errors: out.problems };
}
