/**
 * `netpol lint` and the `netpol` scan family: policies the API server refuses or that no
 * API server takes as policies, policies and peers that select nothing (or only hostNetwork
 * pods), named ports nobody declares, rules policyTypes makes ignored, egress isolation that
 * blocks DNS, rules that allow everyone, AdminNetworkPolicies of equal priority, and
 * namespaces or workloads nothing isolates.
 */
import type { Finding } from "../findings/types.js";
import { namespaceObjectsOf, type Snapshot } from "../k8s/snapshot.js";
import { formatFieldPath, type FieldPath, type K8sObject, type LoadedObject } from "../k8s/types.js";
import { isCalicoObject, withCalico } from "./calico/tiers.js";
import type { CalicoVersion } from "./calico/version.js";
import { buildEndpoints, type Endpoints } from "./endpoints.js";
import { HOST_NETWORK_NOTE, hostNetworkMatches, listPods, usesHostNetwork } from "./host-network.js";
import { lintAdminPriorityTies } from "./lint-admin.js";
import { ruleBreadth } from "./lint-breadth.js";
import { lintFinding as finding } from "./lint-finding.js";
import { DNS_POD, lintDns, lintIsolation } from "./lint-isolation.js";
import { RULES } from "./lint-rules.js";
import { lintAdminServiceRules } from "./lint-admin-services.js";
import { lintCalicoServiceRules, type CalicoLintPolicy } from "./lint-calico-services.js";
import { lintServiceRule, lintServiceTargets } from "./lint-services.js";
import { readServices, type ServiceView } from "./services.js";
import type { EnforcedPolicy, PodEndpoint, Tier } from "./model.js";
import { compilePeer } from "./networkpolicy/compile.js";
import type { NetworkPolicyObject, NetworkPolicyPeer, NetworkPolicyPort } from "./networkpolicy/types.js";
import { buildPolicySet, isNetworkPolicy, type PolicySet } from "./policy-set.js";
import { unmodelledCalicoPolicies, unmodelledPolicy, type UnmodelledPolicy } from "./unmodelled.js";

export interface LintContext {
  endpoints: Endpoints;
  set: PolicySet<LoadedObject>;
  /** Every enforced tier, Calico's merged in (see withCalico); `set.tiers` when absent. Calico's own refusals are the calico family's to report. */
  tiers?: Tier[];
  /** Namespace objects in the input, by name (as namespaceObjectsOf): where a namespace's findings point. */
  namespaceObjects?: ReadonlyMap<string, LoadedObject>;
  /** Policies a plugin may enforce that Palisade does not evaluate (unmodelled.ts). */
  unmodelled?: readonly UnmodelledPolicy[];
  /** The input's Services, whose ports and addresses rules sometimes name in place of their pods'. */
  services?: readonly ServiceView[];
  /** Calico's compiled policies with their objects, for the rules lint reads from the objects themselves. */
  calicoPolicies?: readonly CalicoLintPolicy[];
}

/** The unmodelled policies among `objects`, and Calico's refused policies that Calico may still enforce. */
export function unmodelledIn(objects: Iterable<K8sObject>, calicoRefused: readonly { object: K8sObject; reason?: string }[]): UnmodelledPolicy[] {
  const out = unmodelledCalicoPolicies(calicoRefused);
  for (const object of objects) {
    const policy = unmodelledPolicy(object);
    if (policy) out.push(policy);
  }
  return out;
}

export function lintContext(snapshot: Snapshot, calicoVersion?: CalicoVersion): LintContext {
  const sources = snapshot.objects.map((o) => ({ object: o.object, where: o }));
  const set = buildPolicySet(sources);
  const calico = withCalico(set, sources, calicoVersion ? { calicoVersion } : {});
  const unmodelled = unmodelledIn(
    snapshot.objects.map((o) => o.object),
    calico.refused,
  );
  const calicoPolicies = calico.policies.filter((p) => isCalicoObject(p.object));
  return { endpoints: buildEndpoints(snapshot), set, tiers: calico.tiers, namespaceObjects: namespaceObjectsOf(snapshot.objects), unmodelled, services: readServices(snapshot.objects, true), calicoPolicies };
}

export function lintNetworkPolicies(context: LintContext): Finding[] {
  const { endpoints, set } = context;
  const pods = endpoints.workloads.map((w) => w.endpoint);
  const findings: Finding[] = [];

  for (const refused of set.refused) {
    const rule = /strict subset/.test(refused.message) ? RULES.exceptOutsideCidr : RULES.invalid;
    findings.push(finding(rule, `${formatFieldPath(refused.path)}: ${refused.message}`, refused.where as LoadedObject | undefined, refused.path));
  }
  for (const ignored of set.unenforced) findings.push(finding(RULES.notEnforced, ignored.message, ignored.where as LoadedObject | undefined, ignored.path));

  // Namespaced policies select only pods of their namespace: test those alone.
  const podsByNamespace = new Map<string, PodEndpoint[]>();
  for (const p of pods) {
    const list = podsByNamespace.get(p.namespace);
    if (list) list.push(p);
    else podsByNamespace.set(p.namespace, [p]);
  }
  for (const { policy, object, where } of set.policies) {
    const candidates = policy.namespace === undefined ? pods : (podsByNamespace.get(policy.namespace) ?? []);
    const selected = candidates.filter((p) => policy.selects(p));
    const onHost = hostNetworkMatches(candidates, (p) => policy.selects(p));
    const selectorPath: FieldPath = policy.kind === "NetworkPolicy" ? ["spec", "podSelector"] : ["spec", "subject"];
    if (onHost.length > 0) {
      findings.push(finding(RULES.selectsHostNetwork, `${policy.id}'s selector matches ${usesHostNetwork(onHost)}: ${HOST_NETWORK_NOTE}, so the policy does not govern ${onHost.length === 1 ? "it" : "them"}`, where, selectorPath));
    } else if (selected.length === 0 && pods.length > 0) {
      findings.push(finding(RULES.selectsNothing, `${policy.id} selects none of the ${pods.length} workloads`, where, selectorPath));
    }
    if (isNetworkPolicy(object)) {
      const np = object as NetworkPolicyObject;
      findings.push(...lintIgnoredDirections(np, policy, where));
      findings.push(...lintRules(np, policy, { selected, onHost }, pods, where, context.services ?? []));
    } else {
      for (const f of lintAdminServiceRules(policy, object, where, selected, pods, context.services ?? [])) findings.push(f);
    }
  }

  // Loops, not push(...): a spread of ~120k or more arguments overflows the stack.
  const isolation = { endpoints, tiers: context.tiers ?? set.tiers, namespaceObjects: context.namespaceObjects, unmodelled: context.unmodelled };
  for (const f of lintAdminPriorityTies(set.policies, pods)) findings.push(f);
  for (const f of lintServiceTargets(context.services ?? [], pods)) findings.push(f);
  for (const f of lintCalicoServiceRules(context.calicoPolicies ?? [], pods, context.services ?? [])) findings.push(f);
  for (const f of lintDns(isolation)) findings.push(f);
  for (const f of lintIsolation(isolation)) findings.push(f);
  return findings;
}

/**
 * Rules of a direction that an explicit policyTypes leaves out: the API server keeps them,
 * and every implementation ignores them (policyTypes alone says which directions apply).
 */
function lintIgnoredDirections(object: NetworkPolicyObject, policy: EnforcedPolicy, where: LoadedObject | undefined): Finding[] {
  const spec = object.spec ?? {};
  if (!spec.policyTypes || spec.policyTypes.length === 0) return [];
  const findings: Finding[] = [];
  for (const [direction, type] of [["ingress", "Ingress"], ["egress", "Egress"]] as const) {
    const rules = spec[direction] ?? [];
    if (rules.length === 0 || spec.policyTypes.includes(type)) continue;
    findings.push(
      finding(
        RULES.rulesIgnored,
        `${policy.id} has ${rules.length} ${direction} rule${rules.length === 1 ? "" : "s"} but policyTypes [${spec.policyTypes.join(", ")}] lacks ${type}: they are ignored, and ${direction} is neither isolated nor allowed by this policy`,
        where,
        ["spec", direction],
      ),
    );
  }
  return findings;
}

function lintRules(object: NetworkPolicyObject, policy: EnforcedPolicy, selection: { selected: PodEndpoint[]; onHost: PodEndpoint[] }, pods: PodEndpoint[], where: LoadedObject | undefined, services: readonly ServiceView[]): Finding[] {
  const findings: Finding[] = [];
  const spec = object.spec ?? {};
  const namespace = policy.namespace ?? "default";
  for (const direction of policy.directions) {
    const field = direction === "ingress" ? "from" : "to";
    const rules = (direction === "ingress" ? spec.ingress : spec.egress) ?? [];
    rules.forEach((rule, i) => {
      const peers: NetworkPolicyPeer[] = (direction === "ingress" ? (rule as { from?: NetworkPolicyPeer[] }).from : (rule as { to?: NetworkPolicyPeer[] }).to) ?? [];
      const rulePath: FieldPath = ["spec", direction, i];
      const ports: NetworkPolicyPort[] = rule.ports ?? [];
      const breadth = ruleBreadth(direction, peers, ports);
      if (breadth) {
        findings.push(finding(RULES.overlyBroad, `${policy.id} ${direction} rule ${i} ${breadth.message}`, where, peers.length === 0 ? rulePath : [...rulePath, field], { severity: breadth.severity }));
      }
      peers.forEach((peer, j) => {
        if (peer.ipBlock) return;
        const match = compilePeer(peer, namespace);
        // Cluster DNS is assumed to exist (as lintDns assumes), even when no manifest holds it.
        if (pods.some((p) => match(p)) || match(DNS_POD)) return;
        const onHost = hostNetworkMatches(pods, match);
        const what = onHost.length > 0 ? `matches only ${usesHostNetwork(onHost)}: ${HOST_NETWORK_NOTE}, and selectors never match host-network pods (an ipBlock of the nodes' addresses does)` : "matches no workload";
        findings.push(finding(RULES.peerMatchesNothing, `${policy.id} ${direction} rule ${i} peer ${j} ${what}`, where, [...rulePath, field, j]));
      });
      // The pods a named port resolves on: the selected pods for ingress, the matched peers for egress.
      const matchers = peers.filter((peer) => !peer.ipBlock).map((peer) => compilePeer(peer, namespace));
      const destinations = direction === "ingress" ? selection.selected : peers.length === 0 ? pods : pods.filter((p) => matchers.some((m) => m(p)));
      ports.forEach((port, j) => {
        if (typeof port.port !== "string") return;
        const protocol = port.protocol ?? "TCP";
        const declares = (p: PodEndpoint): boolean => p.ports.some((cp) => cp.name === port.port && cp.protocol === protocol);
        if (destinations.some(declares)) return;
        const onHost = (direction === "ingress" ? selection.onHost : hostNetworkMatches(pods, (p) => peers.length === 0 || matchers.some((m) => m(p)))).filter(declares);
        const onlyIpBlocks = direction === "egress" && peers.length > 0 && peers.every((p) => p.ipBlock);
        const reason = onlyIpBlocks
          ? "its destinations are ipBlocks, which have no named ports"
          : onHost.length > 0
            ? `only ${listPods(onHost)} declare${onHost.length === 1 ? "s" : ""} it, and ${onHost.length === 1 ? "it uses" : "they use"} hostNetwork: ${HOST_NETWORK_NOTE}`
            : `no ${direction === "ingress" ? "selected" : "destination"} workload declares it with protocol ${protocol}`;
        findings.push(finding(RULES.unknownNamedPort, `${policy.id} ${direction} rule ${i} names port ${JSON.stringify(port.port)} but ${reason}`, where, [...rulePath, "ports", j, "port"]));
      });
      // An egress rule to every destination may mean port 80 anywhere: only pods its peers select say which Service it means.
      const serviceDestinations = direction === "ingress" ? selection.selected : matchers.length === 0 ? [] : pods.filter((p) => matchers.some((m) => m(p)));
      const addresses = direction === "egress" ? peers.flatMap((peer, j) => (peer.ipBlock?.cidr ? [{ cidr: peer.ipBlock.cidr, label: `peer ${j}`, noun: "peer", path: [...rulePath, field, j, "ipBlock", "cidr"] }] : [])) : [];
      const portPath = (j: number): FieldPath => [...rulePath, "ports", j, "port"];
      for (const f of lintServiceRule({ policyId: policy.id, direction, index: i, ports, portPath, addresses, destinations: serviceDestinations, where }, services)) findings.push(f);
    });
  }
  return findings;
}
