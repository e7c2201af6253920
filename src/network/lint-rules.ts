/** The rule records of `palisade netpol lint` and the `netpol` scan family. */
import type { Rule } from "../findings/types.js";

const family = "netpol";
const np = "https://kubernetes.io/docs/concepts/services-networking/network-policies/";

function rule(id: string, title: string, severity: Rule["severity"], description: string, remediation: string): Rule {
  return { id: `netpol/${id}`, title, family, pillar: "network", severity, docs: { description, remediation, helpUri: np } };
}

export const RULES = {
  invalid: rule(
    "invalid-policy",
    "Policy the API server would refuse, or that no implementation can apply",
    "high",
    "The policy fails the API server's validation (bad selector, CIDR, port or peer), so applying it fails and the protection it describes does not exist. For AdminNetworkPolicy and BaselineAdminNetworkPolicy, whose CRD checks less, the message says when the API server accepts the object but a field cannot be applied as written (an unknown protocol, a reversed port range, a selector that does not parse): it is then left out of every verdict.",
    "Fix the field named in the message; `kubectl apply --dry-run=server` confirms what the API server refuses.",
  ),
  exceptOutsideCidr: rule(
    "except-outside-cidr",
    "ipBlock except is not inside its cidr",
    "high",
    "Every ipBlock.except must be a strict subset of the block's cidr; the API server refuses the policy otherwise, so nothing it describes is enforced.",
    "Move the except range inside cidr, or drop it.",
  ),
  selectsNothing: rule(
    "selects-nothing",
    "Policy selects no workload",
    "low",
    "The policy's podSelector (or subject) matches no workload in the manifests: it protects nothing, often because of a typo in a label.",
    "Correct the selector labels, or delete the policy.",
  ),
  peerMatchesNothing: rule(
    "peer-matches-nothing",
    "Peer matches no workload",
    "low",
    "A from/to peer selects no workload in the manifests, so the rule allows nothing from it; usually a label typo or a missing namespace label.",
    "Correct the selector, label the namespace, or remove the peer.",
  ),
  unknownNamedPort: rule(
    "unknown-named-port",
    "Named port no destination defines",
    "medium",
    "A rule names a port that no destination pod of the rule declares with that protocol (or the destination is an ipBlock, which has no named ports), so the rule allows nothing.",
    "Use the port number, or name the container port as the rule does (same protocol).",
  ),
  egressBlocksDns: rule(
    "egress-blocks-dns",
    "Egress isolation blocks DNS",
    "medium",
    "The workload's egress is isolated and no rule lets it reach cluster DNS on UDP 53 (the kube-dns pods, or a link-local address such as NodeLocal DNSCache's 169.254.20.10), so every name lookup fails. When UDP 53 is allowed only by an ipBlock as broad as every address (0.0.0.0/0, ::/0), the finding is low: ipBlock is meant for addresses outside the cluster, so such a rule reaches DNS only through NodeLocal DNSCache or where the network plugin applies ipBlock to pod addresses (Calico does, Cilium does not). A rule to kube-dns's Service IP alone reaches nothing: the Service address is translated to a pod's before policy applies.",
    "Add an egress rule to kube-system pods labelled k8s-app=kube-dns on UDP and TCP 53.",
  ),
  overlyBroad: rule(
    "overly-broad-allow",
    "Rule allows every peer",
    "medium",
    "The rule allows any source (or destination): an empty peer list, or 0.0.0.0/0 or ::/0 without except; or (low) every pod of the cluster: namespaceSelector {}, which matches no address outside it. That undoes least privilege for the pods it selects. A rule limited to DNS (port 53) is only noted (info): it is the usual way to let pods resolve names through any resolver.",
    "List the peers that need access by pod and namespace selectors or precise CIDRs.",
  ),
  namespaceWithoutPolicy: rule(
    "namespace-not-isolated",
    "Namespace without network isolation",
    "medium",
    "No policy isolates any workload of the namespace, so every pod accepts traffic from anywhere. Only what denies by default isolates: a NetworkPolicy, or a Calico policy in a tier that denies at its end. AdminNetworkPolicies and the BaselineAdminNetworkPolicy never isolate a pod on their own: what their rules do not match stays open.",
    "Add a default-deny policy (podSelector: {}, policyTypes: [Ingress, Egress]) and allow what is needed.",
  ),
  workloadNotIsolated: rule(
    "workload-not-isolated",
    "Workload without ingress isolation",
    "low",
    "Its namespace has policies but none selects this workload for ingress, so it accepts connections from anywhere.",
    "Cover it with a default-deny ingress policy in its namespace, then allow what it serves.",
  ),
  notEnforced: rule(
    "not-enforced",
    "Policy no API server takes",
    "medium",
    "The object is written as a network policy but no current API server accepts it as one: a NetworkPolicy in the extensions group (removed in Kubernetes 1.16, still found in old charts), or a policy kind with a letter in the wrong case. Applying it fails or creates nothing, and the isolation it describes does not exist.",
    "Use apiVersion networking.k8s.io/v1 for NetworkPolicy, and spell the kind exactly (NetworkPolicy, AdminNetworkPolicy, GlobalNetworkPolicy...).",
  ),
  rulesIgnored: rule(
    "rules-ignored-by-policy-types",
    "Rules of a direction policyTypes leaves out",
    "medium",
    "The policy lists policyTypes without Egress (or Ingress) but has egress (or ingress) rules. The API server keeps them and every network plugin ignores them: the policy neither isolates that direction nor allows what those rules say.",
    "Add the direction to policyTypes if the rules are meant, or delete the rules.",
  ),
  selectsHostNetwork: rule(
    "selects-host-network",
    "Policy selector matches a hostNetwork workload",
    "medium",
    "The policy's selector matches a workload whose pods use hostNetwork. NetworkPolicy does not govern host-network pods (its behaviour for them is implementation-defined; network plugins treat their traffic as the node's), so the policy does not protect or restrict it.",
    "Drop hostNetwork if the pod does not need it; otherwise restrict its traffic on the node (host firewall, Calico host endpoints) and keep the policy for pod-network workloads.",
  ),
  anpPriorityTie: rule(
    "anp-priority-tie",
    "AdminNetworkPolicies or ClusterNetworkPolicies share a priority",
    "medium",
    "Two or more AdminNetworkPolicies, or ClusterNetworkPolicies of one tier, have the same priority. The network-policy-api asks for unique priorities: when policies of equal priority both match a connection, implementations may evaluate them in any order, so the verdict is undefined. When no workload of the input is selected by both for one direction, the finding is low: both apply as written until a namespace or pod that both select appears.",
    "Give every AdminNetworkPolicy and ClusterNetworkPolicy of a tier its own priority, in the order their rules must apply.",
  ),
  servicePort: rule(
    "service-port-not-target",
    "Rule allows a Service's port, not the port it forwards to",
    "medium",
    "The rule (a NetworkPolicy's ports, an AdminNetworkPolicy's, BaselineAdminNetworkPolicy's or ClusterNetworkPolicy's ports or protocols, or a Calico rule's destination ports) allows a port that is the port of a Service selecting the destination pods, which forward it to another port (the Service's targetPort), and the pods declare no container port of the Service's port (a pod may still listen on a port it does not declare: then the rule is right for connections to the pod's own address, and the finding says what it does not cover). The node's proxy translates a connection to the Service into one to a backend pod's address and target port before the network plugin judges it (Calico, Cilium, Antrea and kube-router all judge the translated connection), so the rule lets none of the Service's connections through, however right it reads.",
    "Allow the target port instead: the container port's number, or its name (`port: http`), which follows the pods if the number changes; in Calico, `destination: {services: {name: ...}}` matches the Service's endpoints at their target ports.",
  ),
  serviceAddress: rule(
    "peer-is-service-address",
    "Egress peer is a Service's address",
    "medium",
    "An egress ipBlock (or an admin policy's `networks` entry, or a Calico egress rule's destination net) names a single address that is a Service's cluster IP, external IP or load balancer address. The node's proxy translates connections to that address into connections to a backend pod before the network plugin judges them, so the peer matches none of them: the rule allows nothing of what it was written for.",
    "Select the Service's backend pods instead: a podSelector (and namespaceSelector) matching the Service's selector, on the target port; in Calico, `destination: {services: {name: ...}}`.",
  ),
  serviceSelectsNothing: rule(
    "service-selects-nothing",
    "Service selects no workload",
    "low",
    "The Service's selector matches no workload of its namespace in the input (the namespace has others), so the Service has no endpoints and kube-proxy refuses connections to it; usually a label typo, or a workload renamed without its Service.",
    "Make the selector match the labels of the pods the Service fronts (their template's labels), or delete the Service.",
  ),
  serviceTargetPortUnknown: rule(
    "service-target-port-unknown",
    "Service forwards to a port name no selected pod declares",
    "medium",
    "A port of the Service forwards to a container port by name (targetPort: http), and none of the pods it selects declares a port of that name and protocol. The endpoint controllers give such a pod no endpoint for that port, so the Service port has no backends and kube-proxy refuses its connections, while policies written for the named port allow nothing either.",
    "Name the container port as the Service does (ports[].name, same protocol), or give the targetPort as a number.",
  ),
} as const;

export const NETPOL_RULES: readonly Rule[] = Object.values(RULES);
