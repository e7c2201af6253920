/**
 * Calico (projectcalico.org/v3) for the network engine: selectors, policies, tiers.
 *
 * For netpol explain / matrix / lint (part 1), one call adds Calico to the policy set:
 *
 *   const sources = snapshot.objects.map((o) => ({ object: o.object, where: o }));
 *   const set = withCalico(buildPolicySet(sources), sources);   // tiers, policies, refused, notices, ordering
 *
 * Equal-order policies are ordered as the Calico version in the sources' ClusterInformation
 * orders them, or as `{ calicoVersion }` says (it wins), else as the latest Felix does.
 *
 * Notes for the shared model:
 * - Calico matches more of a packet than `Packet` carries. Calico policies also read the
 *   optional `srcIp` and `dstIp` of a `CalicoPacket` (enforced.ts) when set, otherwise
 *   the endpoints' first IPs; and they are the only readers of `Packet.srcPort` (without
 *   it, the source port is unknown and no rule on source ports matches).
 * - Calico rules can name pod addresses (nets, network sets), so pods with different IPs
 *   can differ in connectivity: the matrix's pod classes must include IPs when Calico
 *   policies are present.
 */
export { parseCalicoSelector, canonicalSelector, SelectorSyntaxError, type CalicoSelector } from "./selector/index.js";
export { compileCalico, calicoTiers, mergeTiers, withCalico, isCalicoObject, type CalicoOptions, type CalicoPolicySet, type CalicoRefusal, type CalicoNotice } from "./tiers.js";
export { chooseOrdering, clusterCalicoVersion, type OrderingChoice } from "./ordering-choice.js";
export { parseCalicoVersion, formatCalicoVersion, type CalicoVersion } from "./version.js";
export { calicoFamily, CALICO_RULES } from "./family.js";
export type { CalicoPacket } from "./enforced.js";
