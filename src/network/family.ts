/** The `netpol` rule family as `palisade scan` runs it. */
import type { ScanFamily } from "../scan/family.js";
import { lintContext, lintNetworkPolicies } from "./lint.js";
import { NETPOL_RULES } from "./lint-rules.js";

export const netpolFamily: ScanFamily = {
  id: "netpol",
  rules: NETPOL_RULES,
  check: (snapshot) => lintNetworkPolicies(lintContext(snapshot)),
};
