import type { Finding } from "../findings/types.js";
import type { Snapshot } from "../k8s/snapshot.js";
import { READS_EVERYTHING, READS_NOTHING, type ScanFamily } from "../scan/family.js";
import { checkWorkloads, loadPolicies } from "./check.js";
import { isPodSecurityPolicy } from "./policy.js";
import { PSP_RULE_LIST } from "./rules.js";

/**
 * PodSecurityPolicy in `palisade scan`: only when the scanned manifests contain PSPs
 * (a cluster still on PSP, or a repo migrating off it) are the policies validated and
 * every workload judged as the PSP admission controller would.
 */
export const pspFamily: ScanFamily = {
  id: "psp",
  rules: PSP_RULE_LIST,
  check(snapshot: Snapshot): Finding[] {
    if (!snapshot.objects.some((o) => isPodSecurityPolicy(o.object))) return [];
    const { policies, findings } = loadPolicies(snapshot.objects);
    return [...findings, ...(policies.length > 0 ? checkWorkloads(policies, snapshot.objects) : [])];
  },
  // With a PodSecurityPolicy in the input, every workload is judged against it.
  reads: (input) => (input.mentions("PodSecurityPolicy") ? READS_EVERYTHING : READS_NOTHING),
};
