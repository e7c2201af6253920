/**
 * Objects written as network policies that no current API server takes as one: a
 * NetworkPolicy in the removed extensions group (old charts still carry it) or a policy kind
 * spelt with the wrong case. They are not refused by Palisade, because they are not policies
 * at all; but their author believes something is enforced, so lint says that nothing is.
 */
import { apiGroupOf } from "../k8s/snapshot.js";
import type { FieldPath, K8sObject } from "../k8s/types.js";
import { POLICY_KINDS } from "./calico/decode.js";

/** Every kind the network engine reads; kinds are case-sensitive to the API server. */
const POLICY_LIKE_KINDS: readonly string[] = [
  "NetworkPolicy",
  "AdminNetworkPolicy",
  "BaselineAdminNetworkPolicy",
  ...POLICY_KINDS,
  "StagedKubernetesNetworkPolicy",
  "GlobalNetworkSet",
  "NetworkSet",
  "Tier",
];

export interface LookAlike {
  path: FieldPath;
  message: string;
}

/** Why `object` looks like a policy but enforces nothing, or undefined when it does not look like one. */
export function unenforcedLookAlike(object: K8sObject): LookAlike | undefined {
  const kind = object.kind;
  if (typeof kind !== "string") return undefined;
  if (kind === "NetworkPolicy" && apiGroupOf(object.apiVersion) === "extensions") {
    return {
      path: ["apiVersion"],
      message: `${object.apiVersion} NetworkPolicy was removed in Kubernetes 1.16: API servers refuse it, so nothing enforces it; migrate to networking.k8s.io/v1 (the fields are the same)`,
    };
  }
  const meant = POLICY_LIKE_KINDS.find((k) => k !== kind && k.toLowerCase() === kind.toLowerCase());
  if (meant === undefined) return undefined;
  return {
    path: ["kind"],
    message: `kind ${JSON.stringify(kind)} is a typo of ${meant} (kinds are case-sensitive): no API server serves it, so nothing enforces it`,
  };
}
