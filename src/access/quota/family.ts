import type { ScanFamily } from "../../scan/family.js";
import { evaluateQuotas, QuotaEvaluator } from "./evaluate.js";
import { QUOTA_RULES } from "./rules.js";

/** ResourceQuota and LimitRange, as `palisade scan` runs them. */
export const quotaFamily: ScanFamily = {
  id: "quota",
  rules: QUOTA_RULES,
  check: (snapshot, options) => evaluateQuotas(snapshot, options.defaultNamespace ? { defaultNamespace: options.defaultNamespace } : {}).findings,
  // The bounds are read ahead, so every object can be admitted as it loads.
  ahead: ["ResourceQuota", "LimitRange"],
  stream(options, input) {
    const evaluator = new QuotaEvaluator(options.defaultNamespace);
    // Each kind in input order, as addBounds over the snapshot would see them.
    for (const loaded of input.objectsAhead("ResourceQuota")) evaluator.addBounds(loaded);
    for (const loaded of input.objectsAhead("LimitRange")) evaluator.addBounds(loaded);
    return { observe: (loaded) => evaluator.admit(loaded), finish: () => evaluator.finish().findings };
  },
};
