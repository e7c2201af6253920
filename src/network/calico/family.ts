/**
 * `palisade scan` findings for Calico objects: policies Calico's API server would reject,
 * policies that use features Palisade cannot evaluate (so every verdict about the traffic
 * they touch is incomplete), and staged policies, which are reported but not enforced.
 */
import { findingAt } from "../../findings/finding-at.js";
import type { Finding, Rule } from "../../findings/types.js";
import type { Snapshot } from "../../k8s/snapshot.js";
import type { FieldPath, LoadedObject } from "../../k8s/types.js";
import type { ScanFamily } from "../../scan/family.js";
import { compileCalico, isCalicoObject, type CalicoRefusal } from "./tiers.js";
import type { CalicoVersion } from "./version.js";

const DOCS_URI = "https://docs.tigera.io/calico/latest/reference/resources/networkpolicy";

export const CALICO_RULES: readonly Rule[] = [
  {
    id: "calico/invalid-policy",
    title: "Calico object that the Calico API server would reject",
    family: "calico",
    pillar: "network",
    severity: "high",
    docs: {
      description:
        "A projectcalico.org/v3 policy, tier or network set that fails Calico's validation (bad selector, port without a port protocol, ICMP without protocol ICMP, unknown field, a built-in tier with another order). Applying it fails, so the protection it was written for does not exist.",
      remediation: "Fix the field named in the finding; `calicoctl validate` or a dry-run apply shows the same error.",
      helpUri: DOCS_URI,
    },
  },
  {
    id: "calico/unsupported-feature",
    title: "Calico feature Palisade cannot evaluate",
    family: "calico",
    pillar: "network",
    severity: "medium",
    docs: {
      description:
        "The object uses application-layer HTTP matches, host-endpoint policy (HostEndpoint, preDNAT, doNotTrack) or DNS policy (Calico Enterprise and Cloud: `domains` in a rule, `allowedEgressDomains` in a network set). Palisade refuses the whole object rather than guess, so explain and matrix results for the traffic it governs leave it out; Calico still enforces it, so lint does not call the pods it selects unisolated.",
      remediation: "Verify this traffic with Calico's own tooling, or express the intent with selectors, nets and ports that Palisade evaluates.",
      helpUri: DOCS_URI,
    },
  },
  {
    id: "calico/tier-not-in-input",
    title: "Calico policy whose tier is not in the input",
    family: "calico",
    pillar: "network",
    severity: "info",
    docs: {
      description:
        "The policy names a tier that is neither one Calico creates itself (for the Calico version followed) nor defined by a Tier object in the input; often the Tier lives in another folder or was applied earlier. Calico's API server refuses the policy only when the tier does not exist in the cluster, which manifests cannot show. The tier's order and default action decide where the policy runs and what happens to traffic it leaves undecided, so Palisade leaves the policy out of every verdict (explain and matrix stop and say so) and lint counts it as a policy that may isolate the pods it selects.",
      remediation: "Scan the Tier object's file together with the policy (or give the cluster), or create the Tier before applying the policy.",
      helpUri: "https://docs.tigera.io/calico/latest/reference/resources/tier",
    },
  },
  {
    id: "calico/service-not-in-input",
    title: "Calico rule naming a Service that is not in the input",
    family: "calico",
    pillar: "network",
    severity: "low",
    docs: {
      description:
        "A rule's `services` match names a Kubernetes Service of which the input holds neither the Service nor EndpointSlices (without a namespace, the policy's own namespace is meant; a GlobalNetworkPolicy must give one). Felix builds the rule's address set from the Service's EndpointSlices, so until such a Service exists the rule matches nothing: an Allow rule lets nothing through and a Deny rule denies nothing. Palisade evaluates it the same way; a typo in the name or namespace looks exactly like this.",
      remediation: "Check the Service's name and namespace, and scan its manifest together with the policy (a Service without a selector needs its EndpointSlices too), or give the cluster.",
      helpUri: "https://docs.tigera.io/calico/latest/network-policy/policy-rules/service-policy",
    },
  },
  {
    id: "calico/service-without-ports",
    title: "Calico egress rule naming a Service without endpoint ports",
    family: "calico",
    pillar: "network",
    severity: "medium",
    docs: {
      description:
        "An egress rule's `destination.services` names a Service that has no ports (a headless Service often has none), an ExternalName Service (no endpoints at all), or a Service without a selector whose EndpointSlices list no ports. Felix matches a destination Service by the (address, protocol, port) of its endpoints, so with no ports the set is empty and the rule matches nothing: an Allow rule lets nothing through, whatever the pods listen on.",
      remediation: "Give the Service the ports its pods serve, or write the rule with a selector on the pods and their ports.",
      helpUri: "https://docs.tigera.io/calico/latest/network-policy/policy-rules/service-policy",
    },
  },
  {
    id: "calico/global-set-not-selected",
    title: "Namespaced Calico rule whose selector is written for a GlobalNetworkSet it cannot see",
    family: "calico",
    pillar: "network",
    severity: "low",
    docs: {
      description:
        "In a namespaced (Staged)NetworkPolicy, a rule's `selector` without a `namespaceSelector` matches only endpoints and NetworkSets of the policy's own namespace. Calico adds a GlobalNetworkSet's nets only for a GlobalNetworkPolicy rule or a rule whose `namespaceSelector` includes `global()`. The selector here matches the labels of a GlobalNetworkSet in the input (and of no NetworkSet of the namespace), so the addresses it was most likely written for are not matched: an Allow rule does not let them through, a Deny rule does not stop them. Broad selectors (those that match an endpoint without labels, such as `all()`) are not reported.",
      remediation: "Add `namespaceSelector: global()` to the rule's side; if it must also match pods of the namespace, write that as a rule of its own.",
      helpUri: "https://docs.tigera.io/calico/latest/reference/resources/globalnetworkset",
    },
  },
  {
    id: "calico/staged-policy",
    title: "Staged Calico policy (reported, not enforced)",
    family: "calico",
    pillar: "network",
    severity: "info",
    docs: {
      description: "Staged policies show what a change would do; they never allow or deny traffic. Traffic they appear to govern is governed by the enforced policies only.",
      remediation: "Promote the staged policy to an enforced NetworkPolicy/GlobalNetworkPolicy when its effect has been reviewed, or delete it.",
      helpUri: "https://docs.tigera.io/calico/latest/reference/resources/stagednetworkpolicy",
    },
  },
];

const RULE_OF_REFUSAL: Readonly<Record<CalicoRefusal["reason"], string>> = {
  invalid: "calico/invalid-policy",
  unsupported: "calico/unsupported-feature",
  "tier-not-in-input": "calico/tier-not-in-input",
};

const RULE = new Map(CALICO_RULES.map((rule) => [rule.id, rule]));

function finding(ruleId: string, loaded: LoadedObject, path: FieldPath, message: string): Finding {
  return findingAt(RULE.get(ruleId) as Rule, loaded, path, message);
}

export function checkCalico(snapshot: Snapshot, calicoVersion?: CalicoVersion): Finding[] {
  const sources = snapshot.objects.map((loaded) => ({ object: loaded.object, where: loaded }));
  // The version decides which policy names Calico accepts (v3.29-v3.31 want the tier prefix).
  const compiled = compileCalico(sources, calicoVersion ? { calicoVersion } : {});
  const findings: Finding[] = [];
  for (const refusal of compiled.refused) {
    if (!refusal.where) continue;
    const ruleId = RULE_OF_REFUSAL[refusal.reason];
    findings.push(finding(ruleId, refusal.where, refusal.path, refusal.message));
  }
  for (const notice of compiled.notices) {
    if (notice.where && notice.topic === "staged") findings.push(finding("calico/staged-policy", notice.where, ["kind"], notice.message));
    if (notice.where && (notice.topic === "service-not-in-input" || notice.topic === "service-without-ports" || notice.topic === "global-set-not-selected")) findings.push(finding(`calico/${notice.topic}`, notice.where, notice.path ?? ["spec"], notice.message));
  }
  return findings;
}

export const calicoFamily: ScanFamily = {
  id: "calico",
  rules: CALICO_RULES,
  check: (snapshot, options) => checkCalico(snapshot, options.calicoVersion),
  // Services and their EndpointSlices decide what a rule's `services` match holds: kept
  // only when some text could hold such a rule.
  reads: (input) => {
    if (!input.mentions("services")) return isCalicoObject;
    return (object) => isCalicoObject(object) || (object.kind === "Service" && object.apiVersion === "v1") || (object.kind === "EndpointSlice" && object.apiVersion === "discovery.k8s.io/v1");
  },
};
