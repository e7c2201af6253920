import type { Finding } from "../../findings/types.js";
import type { LoadedObject } from "../../k8s/types.js";
import type { ScanFamily } from "../../scan/family.js";
import { evaluateQuotas, QuotaEvaluator, type QuotaEvaluation } from "./evaluate.js";
import { QUOTA_RULES } from "./rules.js";

/** ResourceQuota and LimitRange, as `palisade scan` runs them. */
export const quotaFamily: ScanFamily = {
  id: "quota",
  rules: QUOTA_RULES,
  check: (snapshot, options) => scanFindings(evaluateQuotas(snapshot, options.defaultNamespace ? { defaultNamespace: options.defaultNamespace } : {})),
  // The bounds and the cluster-wide classes admission reads are read ahead, so every object can be admitted as it loads.
  ahead: ["ResourceQuota", "LimitRange", "PriorityClass", "RuntimeClass"],
  stream(options, input) {
    const namespace = options.defaultNamespace ? { defaultNamespace: options.defaultNamespace } : {};
    // Which objects a controller of the input made is known only once every object is read
    // (an export lists pods before their Deployment): input with owner references is judged whole, at the end.
    if (input.mentions("ownerReferences")) {
      const objects: LoadedObject[] = [];
      return { observe: (loaded) => void objects.push(loaded), finish: () => scanFindings(evaluateQuotas({ objects }, namespace)) };
    }
    const evaluator = new QuotaEvaluator(options.defaultNamespace);
    // Each kind in input order, as addBounds over the snapshot would see them.
    for (const kind of ["ResourceQuota", "LimitRange", "PriorityClass", "RuntimeClass"]) for (const loaded of input.objectsAhead(kind)) evaluator.addBounds(loaded);
    return { observe: (loaded) => evaluator.admit(loaded), finish: () => scanFindings(evaluator.finish()) };
  },
};

/** A scan reports an object refused for an unreadable quantity as findings, where `palisade quota` makes it an input problem. */
function scanFindings(evaluation: QuotaEvaluation): Finding[] {
  return [...evaluation.findings, ...evaluation.refused.flatMap((r) => r.findings ?? [])];
}
