/**
 * NodeRestriction as kube-apiserver's plugin applies it to node identities (a user
 * `system:node:<name>` in group `system:nodes`): a node may change only its own Node object
 * and pods bound to it, may not delete Node objects, and may not set or remove labels under
 * node-restriction.kubernetes.io/ (which is what keeps tenant node labels trustworthy).
 */
import { isRecord, type K8sObject } from "../../k8s/types.js";
import { isNodeRestrictedLabel } from "../../tenancy/tenants.js";
import { emptyVerdict, type AdmissionPolicy, type PolicyMode, type PolicyVerdict, type Violation } from "../policy.js";
import type { AdmissionRequest } from "../review.js";

export const NODE_RESTRICTION_POLICY = "node-restriction";

/** The node name of a node identity, or undefined for any other user. */
export function nodeIdentity(request: AdmissionRequest): string | undefined {
  const { username, groups } = request.userInfo;
  if (!groups.includes("system:nodes") || !username.startsWith("system:node:")) return undefined;
  const name = username.slice("system:node:".length);
  return name === "" ? undefined : name;
}

function labelsOf(object: K8sObject | null): Record<string, string> {
  const labels = object?.metadata?.labels;
  return isRecord(labels) ? (labels as Record<string, string>) : {};
}

/** Restricted labels whose presence or value differs between the two label sets. */
function changedRestrictedLabels(before: Record<string, string>, after: Record<string, string>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => isNodeRestrictedLabel(k) && before[k] !== after[k]).sort();
}

function nodeNameOfPod(object: K8sObject | null): string | undefined {
  const spec = object?.spec;
  return isRecord(spec) && typeof spec.nodeName === "string" ? spec.nodeName : undefined;
}

export function nodeRestrictionPolicy(mode: PolicyMode): AdmissionPolicy {
  return {
    name: NODE_RESTRICTION_POLICY,
    mode,
    // Only node identities are restricted: every other request skips the policy.
    appliesTo: (request) => nodeIdentity(request) !== undefined,
    validate(context): PolicyVerdict {
      const verdict = emptyVerdict();
      const { request } = context;
      const node = nodeIdentity(request);
      if (node === undefined) return verdict;
      const deny = (rule: string, message: string) => verdict.deny.push({ policy: NODE_RESTRICTION_POLICY, rule, message: `node ${JSON.stringify(node)} ${message}` } satisfies Violation);
      const { group, resource } = request.resource;
      if (group === "" && resource === "nodes") {
        if (request.operation === "DELETE") deny("delete-node", "is not allowed to delete nodes");
        else if (request.name !== "" && request.name !== node) deny("other-node", `is not allowed to modify node ${JSON.stringify(request.name)}`);
        else if (request.operation === "CREATE" || request.operation === "UPDATE") {
          const before = request.operation === "UPDATE" ? labelsOf(request.oldObject) : {};
          const changed = changedRestrictedLabels(before, labelsOf(request.object));
          if (changed.length > 0) deny("restricted-labels", `is not allowed to set or remove labels under node-restriction.kubernetes.io/: ${changed.join(", ")}`);
        }
      } else if (group === "" && resource === "pods") {
        const bound = nodeNameOfPod(request.object ?? request.oldObject);
        if (bound !== node) {
          deny("other-pod", `may only ${request.operation.toLowerCase()} pods bound to itself, not ${request.namespace}/${request.name} (bound to ${bound === undefined ? "no node" : JSON.stringify(bound)})`);
        }
      }
      return verdict;
    },
  };
}
