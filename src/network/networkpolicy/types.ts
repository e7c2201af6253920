/**
 * networking.k8s.io/v1 NetworkPolicy as plain data, the fields the engine reads. Objects
 * are checked by `validate.ts` before anything trusts these shapes.
 */
import type { LabelSelector } from "../../k8s/labels.js";

export interface IPBlock {
  cidr: string;
  except?: string[] | null;
}

export interface NetworkPolicyPeer {
  podSelector?: LabelSelector | null;
  namespaceSelector?: LabelSelector | null;
  ipBlock?: IPBlock | null;
}

export interface NetworkPolicyPort {
  protocol?: string | null;
  port?: number | string | null;
  endPort?: number | null;
}

export interface NetworkPolicyIngressRule {
  from?: NetworkPolicyPeer[] | null;
  ports?: NetworkPolicyPort[] | null;
}

export interface NetworkPolicyEgressRule {
  to?: NetworkPolicyPeer[] | null;
  ports?: NetworkPolicyPort[] | null;
}

export interface NetworkPolicySpec {
  podSelector?: LabelSelector | null;
  ingress?: NetworkPolicyIngressRule[] | null;
  egress?: NetworkPolicyEgressRule[] | null;
  policyTypes?: string[] | null;
}

export interface NetworkPolicyObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; [k: string]: unknown };
  spec?: NetworkPolicySpec;
}

export const NETWORK_POLICY_GROUP = "networking.k8s.io";

/** policyTypes as the API server defaults them: Ingress, plus Egress when egress rules exist. */
export function effectivePolicyTypes(spec: NetworkPolicySpec): ("Ingress" | "Egress")[] {
  if (spec.policyTypes && spec.policyTypes.length > 0) {
    return (["Ingress", "Egress"] as const).filter((t) => spec.policyTypes!.includes(t));
  }
  return (spec.egress ?? []).length > 0 ? ["Ingress", "Egress"] : ["Ingress"];
}
