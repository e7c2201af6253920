/**
 * Policies in the input that Palisade does not evaluate but that a network plugin may
 * enforce: Cilium's policies, and Calico policies refused as unsupported or because their
 * tier is not in the input (ClusterNetworkPolicy is modelled: see clusternetworkpolicy/).
 * They stay out of every verdict, but a claim that nothing isolates a pod must name them:
 * any of them may.
 */
import { apiGroupOf } from "../k8s/snapshot.js";
import type { K8sObject } from "../k8s/types.js";

export interface UnmodelledPolicy {
  /** Kind and name as a person finds it: `CiliumNetworkPolicy default/rule1`. */
  ref: string;
  /** The namespace whose pods it may select; undefined when it may select pods of any namespace. */
  namespace?: string;
}

/** Kinds no part of Palisade evaluates, by API group; `namespaced` says whether they select pods of their own namespace only. */
const UNMODELLED_KINDS: readonly { group: string; kind: string; namespaced: boolean }[] = [
  { group: "cilium.io", kind: "CiliumNetworkPolicy", namespaced: true },
  { group: "cilium.io", kind: "CiliumClusterwideNetworkPolicy", namespaced: false },
];

/** Calico policy kinds that are enforced (staged ones never are). */
const ENFORCED_CALICO_KINDS: Readonly<Record<string, boolean>> = { NetworkPolicy: true, GlobalNetworkPolicy: false };

function refOf(object: K8sObject, namespace: string | undefined): string {
  return `${object.kind} ${namespace === undefined ? "" : `${namespace}/`}${object.metadata?.name ?? "?"}`;
}

/** The object as an unmodelled policy, or undefined when Palisade models it or it is no policy. */
export function unmodelledPolicy(object: K8sObject): UnmodelledPolicy | undefined {
  const group = apiGroupOf(object.apiVersion);
  const known = UNMODELLED_KINDS.find((k) => k.kind === object.kind && k.group === group);
  if (!known) return undefined;
  const namespace = known.namespaced ? object.metadata?.namespace || "default" : undefined;
  return { ref: refOf(object, namespace), ...(namespace === undefined ? {} : { namespace }) };
}

/**
 * Calico policies left out of verdicts that Calico may still enforce: refused as `unsupported`
 * (Calico takes them; Palisade cannot evaluate a field) or `tier-not-in-input` (Calico takes
 * them if the tier exists). Invalid ones are refused by the API server, so they enforce nothing.
 */
export function unmodelledCalicoPolicies(refused: readonly { object: K8sObject; reason?: string }[]): UnmodelledPolicy[] {
  const out = new Map<string, UnmodelledPolicy>();
  for (const { object, reason } of refused) {
    if (reason !== "unsupported" && reason !== "tier-not-in-input") continue;
    const namespaced = ENFORCED_CALICO_KINDS[object.kind ?? ""];
    if (namespaced === undefined) continue;
    const namespace = namespaced ? object.metadata?.namespace || "default" : undefined;
    const ref = refOf(object, namespace);
    // One object may be refused for several fields.
    out.set(ref, { ref, ...(namespace === undefined ? {} : { namespace }) });
  }
  return [...out.values()];
}
