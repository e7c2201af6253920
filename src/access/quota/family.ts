import type { ScanFamily } from "../../scan/family.js";
import { evaluateQuotas } from "./evaluate.js";
import { QUOTA_RULES } from "./rules.js";

/** ResourceQuota and LimitRange, as `palisade scan` runs them. */
export const quotaFamily: ScanFamily = {
  id: "quota",
  rules: QUOTA_RULES,
  check: (snapshot, options) => evaluateQuotas(snapshot, options.defaultNamespace ? { defaultNamespace: options.defaultNamespace } : {}).findings,
};
