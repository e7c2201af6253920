/**
 * `netpol lint` and the `netpol` scan family: policies the API server refuses, policies
 * and peers that select nothing, named ports nobody declares, egress isolation that
 * blocks DNS, rules that allow everyone, and namespaces or workloads nothing isolates.
 */
import type { Finding, Rule } from "../findings/types.js";
import { matchesLabelSelector } from "../k8s/labels.js";
import { namespaceObjectsOf, type Snapshot } from "../k8s/snapshot.js";
import { formatFieldPath, objectRef, type FieldPath, type LoadedObject } from "../k8s/types.js";
import { parseCidr } from "./cidr.js";
import { selectingPolicies, sideConnections } from "./connectivity.js";
import { buildEndpoints, type Endpoints } from "./endpoints.js";
import { orderTiers, policiesForNamespace } from "./evaluate.js";
import { RULES } from "./lint-rules.js";
import type { Direction, EnforcedPolicy, PodEndpoint } from "./model.js";
import { compilePeer } from "./networkpolicy/compile.js";
import type { NetworkPolicyObject, NetworkPolicyPeer, NetworkPolicyPort } from "./networkpolicy/types.js";
import { buildPolicySet, isNetworkPolicy, type PolicySet } from "./policy-set.js";

export interface LintContext {
  endpoints: Endpoints;
  set: PolicySet<LoadedObject>;
  /** Namespace objects in the input, by name (as namespaceObjectsOf): where a namespace's findings point. */
  namespaceObjects?: ReadonlyMap<string, LoadedObject>;
}

export function lintContext(snapshot: Snapshot): LintContext {
  return {
    endpoints: buildEndpoints(snapshot),
    set: buildPolicySet(snapshot.objects.map((o) => ({ object: o.object, where: o }))),
    namespaceObjects: namespaceObjectsOf(snapshot.objects),
  };
}


function finding(rule: Rule, message: string, where: LoadedObject | undefined, path: FieldPath, extra: Partial<Finding> = {}): Finding {
  const out: Finding = { ruleId: rule.id, severity: rule.severity, pillar: rule.pillar, message, remediation: rule.docs.remediation, ...extra };
  if (where) {
    out.object = objectRef(where.object);
    out.fieldPath = formatFieldPath(path);
    out.position = where.source.locate(path);
  }
  return out;
}

const DNS_POD: PodEndpoint = {
  kind: "pod",
  namespace: "kube-system",
  name: "kube-dns",
  labels: { "k8s-app": "kube-dns" },
  namespaceLabels: { "kubernetes.io/metadata.name": "kube-system" },
  ips: [],
  ports: [
    { name: "dns", port: 53, protocol: "UDP" },
    { name: "dns-tcp", port: 53, protocol: "TCP" },
  ],
};

export function lintNetworkPolicies(context: LintContext): Finding[] {
  const { endpoints, set } = context;
  const pods = endpoints.workloads.map((w) => w.endpoint);
  const findings: Finding[] = [];

  for (const refused of set.refused) {
    const rule = /strict subset/.test(refused.message) ? RULES.exceptOutsideCidr : RULES.invalid;
    findings.push(finding(rule, `${formatFieldPath(refused.path)}: ${refused.message}`, refused.where as LoadedObject | undefined, refused.path));
  }

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
    if (selected.length === 0 && pods.length > 0) {
      findings.push(finding(RULES.selectsNothing, `${policy.id} selects none of the ${pods.length} workloads`, where, policy.kind === "NetworkPolicy" ? ["spec", "podSelector"] : ["spec", "subject"]));
    }
    if (isNetworkPolicy(object)) findings.push(...lintRules(object as NetworkPolicyObject, policy, selected, pods, where));
  }

  // Loops, not push(...): a spread of ~120k or more arguments overflows the stack.
  for (const f of lintDns(context, pods)) findings.push(f);
  for (const f of lintIsolation(context)) findings.push(f);
  return findings;
}

function lintRules(object: NetworkPolicyObject, policy: EnforcedPolicy, selected: PodEndpoint[], pods: PodEndpoint[], where: LoadedObject | undefined): Finding[] {
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
      const broad = peers.length === 0 || peers.some((p) => isEverything(p));
      if (broad) {
        const allPorts = ports.length === 0;
        findings.push(
          finding(RULES.overlyBroad, `${policy.id} ${direction} rule ${i} allows ${direction === "ingress" ? "any source" : "any destination"}${allPorts ? " on every port" : ""}`, where, peers.length === 0 ? rulePath : [...rulePath, field], {
            severity: allPorts ? RULES.overlyBroad.severity : "low",
          }),
        );
      }
      peers.forEach((peer, j) => {
        if (peer.ipBlock) return;
        const match = compilePeer(peer, namespace);
        // Cluster DNS is assumed to exist (as lintDns assumes), even when no manifest holds it.
        if (!pods.some((p) => match(p)) && !match(DNS_POD)) findings.push(finding(RULES.peerMatchesNothing, `${policy.id} ${direction} rule ${i} peer ${j} matches no workload`, where, [...rulePath, field, j]));
      });
      // The pods a named port resolves on: the selected pods for ingress, the matched peers for egress.
      const destinations = direction === "ingress" ? selected : peers.length === 0 ? pods : pods.filter((p) => peers.some((peer) => !peer.ipBlock && compilePeer(peer, namespace)(p)));
      ports.forEach((port, j) => {
        if (typeof port.port !== "string") return;
        const protocol = port.protocol ?? "TCP";
        const declared = destinations.some((p) => p.ports.some((cp) => cp.name === port.port && cp.protocol === protocol));
        if (declared) return;
        const onlyIpBlocks = direction === "egress" && peers.length > 0 && peers.every((p) => p.ipBlock);
        const reason = onlyIpBlocks ? "its destinations are ipBlocks, which have no named ports" : `no ${direction === "ingress" ? "selected" : "destination"} workload declares it with protocol ${protocol}`;
        findings.push(finding(RULES.unknownNamedPort, `${policy.id} ${direction} rule ${i} names port ${JSON.stringify(port.port)} but ${reason}`, where, [...rulePath, "ports", j, "port"]));
      });
    });
  }
  return findings;
}

function isEverything(peer: NetworkPolicyPeer): boolean {
  if (peer.ipBlock) {
    const range = parseCidr(peer.ipBlock.cidr);
    return range !== undefined && range.first === 0n && (peer.ipBlock.except ?? []).length === 0 && (range.family === 4 ? range.last === 0xffffffffn : range.last === (1n << 128n) - 1n);
  }
  const podAll = !peer.podSelector || isEmptySelector(peer.podSelector);
  return !!peer.namespaceSelector && isEmptySelector(peer.namespaceSelector) && podAll;
}

function isEmptySelector(selector: { matchLabels?: unknown; matchExpressions?: unknown[] | null }): boolean {
  return Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
}

/** Whether any policy selects the pod in that direction (asked for every workload: it builds no lists). */
function isolated(context: LintContext, direction: Direction, pod: PodEndpoint): boolean {
  for (const ordered of orderTiers(context.set.tiers)) {
    for (const policy of policiesForNamespace(ordered, pod.namespace)) if (policy.directions.includes(direction) && policy.selects(pod)) return true;
  }
  return false;
}

function lintDns(context: LintContext, pods: PodEndpoint[]): Finding[] {
  const dnsPods = pods.filter((p) => p.namespace === "kube-system" && matchesLabelSelector({ matchLabels: { "k8s-app": "kube-dns" } }, p.labels));
  const dns = dnsPods.length > 0 ? dnsPods : [DNS_POD];
  const findings: Finding[] = [];
  for (const workload of context.endpoints.workloads) {
    const pod = workload.endpoint;
    if (pod.hostNetwork || !isolated(context, "egress", pod) || dns.includes(pod)) continue;
    const selection = selectingPolicies(context.set.tiers, "egress", pod);
    const reaches = dns.some((d) => sideConnections(selection, "egress", (rule) => rule.matchesPeer(d), d).has("UDP", 53));
    if (!reaches) {
      const by = selection.flatMap((s) => s.policies.map((p) => p.id)).join(", ");
      findings.push(finding(RULES.egressBlocksDns, `${pod.namespace}/${pod.name}: egress is isolated by ${by} and no rule allows UDP 53 to cluster DNS`, workload.source, []));
    }
  }
  return findings;
}

function lintIsolation(context: LintContext): Finding[] {
  const findings: Finding[] = [];
  const byNamespace = new Map<string, typeof context.endpoints.workloads>();
  for (const w of context.endpoints.workloads) {
    if (w.endpoint.hostNetwork) continue;
    const list = byNamespace.get(w.endpoint.namespace) ?? [];
    list.push(w);
    byNamespace.set(w.endpoint.namespace, list);
  }
  for (const [namespace, workloads] of byNamespace) {
    const states = workloads.map((w) => ({ w, ingress: isolated(context, "ingress", w.endpoint), egress: isolated(context, "egress", w.endpoint) }));
    if (states.every((s) => !s.ingress && !s.egress)) {
      // No file holds the missing policy: the finding points at the Namespace object, or
      // (when the input has none) where the namespace's first workload is declared, so every
      // finding has a place (code scanning needs a file).
      const place = context.namespaceObjects?.get(namespace) ?? workloads[0]?.source;
      findings.push(finding(RULES.namespaceWithoutPolicy, `namespace ${namespace}: no policy selects any of its ${workloads.length} workload(s)`, undefined, [], { object: { kind: "Namespace", name: namespace }, ...(place ? { position: place.source.locate([]) } : {}) }));
      continue;
    }
    for (const s of states) {
      if (!s.ingress) findings.push(finding(RULES.workloadNotIsolated, `${namespace}/${s.w.endpoint.name}: no policy selects it for ingress`, s.w.source, []));
    }
  }
  return findings;
}
