/**
 * The isolation half of `netpol lint`: workloads whose egress isolation leaves no way to
 * DNS, and namespaces or workloads that nothing isolates.
 */
import type { Finding } from "../findings/types.js";
import { matchesLabelSelector } from "../k8s/labels.js";
import type { LoadedObject } from "../k8s/types.js";
import { formatIp, parseCidr } from "./cidr.js";
import { selectingPolicies, sideConnections } from "./connectivity.js";
import type { Endpoints } from "./endpoints.js";
import { orderTiers, policiesForNamespace } from "./evaluate.js";
import { lintFinding } from "./lint-finding.js";
import { RULES } from "./lint-rules.js";
import type { Direction, Endpoint, ExternalEndpoint, PodEndpoint, Tier } from "./model.js";
import type { UnmodelledPolicy } from "./unmodelled.js";

export interface IsolationInput {
  endpoints: Endpoints;
  /** Every tier: Kubernetes and Calico policies together, as they are enforced. */
  tiers: readonly Tier[];
  namespaceObjects?: ReadonlyMap<string, LoadedObject> | undefined;
  /** Policies a plugin may enforce that Palisade does not evaluate (unmodelled.ts): they may isolate. */
  unmodelled?: readonly UnmodelledPolicy[] | undefined;
}

/** The cluster DNS pods are assumed to exist (kube-dns in kube-system) even when no manifest holds them. */
export const DNS_POD: PodEndpoint = {
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

/**
 * Node-local resolvers listen on link-local addresses (NodeLocal DNSCache's 169.254.20.10 by
 * default): egress to them on port 53 is DNS as much as egress to kube-dns is.
 */
const LINK_LOCAL = [parseCidr("169.254.0.0/16")!, parseCidr("fe80::/10")!];
const NODE_LOCAL_DNS = "169.254.20.10";

/**
 * Addresses a rule as broad as 0.0.0.0/0 or ::/0 holds only by being broad: a node-local
 * resolver's link-local address. Such a rule reaches kube-dns's pods only on plugins that
 * apply ipBlock to pod addresses (Calico does, Cilium does not), or through NodeLocal
 * DNSCache where it runs; so when no other rule allows DNS the gap is reported at low
 * severity. A rule to kube-dns's Service IP alone (10.96.0.10/32) is no such rule: the
 * Service address is translated to a pod's before policy applies, and the pod's is not in it.
 */
const PLUGIN_DEPENDENT_DNS: readonly ExternalEndpoint[] = [NODE_LOCAL_DNS, "fe80::a"].map((ip) => ({ kind: "external", ip }));

/**
 * Whether a policy selects the pod for `direction` in a tier that denies what it leaves
 * undecided: only such a tier isolates (NetworkPolicy's, Calico's deny-at-end tiers).
 * AdminNetworkPolicy and baseline tiers pass the rest on, so they never isolate alone.
 */
export function isolatedBy(tiers: readonly Tier[], direction: Direction, pod: PodEndpoint): boolean {
  for (const ordered of orderTiers(tiers)) {
    if (!ordered.tier.dropAtEndWhenSelected) continue;
    for (const policy of policiesForNamespace(ordered, pod.namespace)) if (policy.directions.includes(direction) && policy.selects(pod)) return true;
  }
  return false;
}

/**
 * Link-local addresses the pod's egress rules name, to test as resolvers: only ranges within
 * the link-local blocks count. A rule to 0.0.0.0/0 names them only by accident, and whether
 * it reaches kube-dns's pods depends on the network plugin (ipBlock is meant for addresses
 * outside the cluster), so it does not make DNS allowed (see PLUGIN_DEPENDENT_DNS).
 */
function linkLocalCandidates(policies: readonly { cidrs?(direction: Direction): readonly string[] }[]): Endpoint[] {
  const ips = new Set<string>();
  for (const policy of policies) for (const ip of linkLocalOf(policy)) ips.add(ip);
  return [...ips].map((ip) => ({ kind: "external", ip }));
}

/** Per policy, read once: every workload a policy selects asks, and a policy may name thousands of CIDRs. */
const linkLocalByPolicy = new WeakMap<object, readonly string[]>();

function linkLocalOf(policy: { cidrs?(direction: Direction): readonly string[] }): readonly string[] {
  const known = linkLocalByPolicy.get(policy);
  if (known) return known;
  const nodeLocal = parseCidr(`${NODE_LOCAL_DNS}/32`)!;
  const ips: string[] = [];
  for (const text of policy.cidrs?.("egress") ?? []) {
    const range = parseCidr(text);
    if (!range || !LINK_LOCAL.some((local) => local.family === range.family && range.first >= local.first && range.last <= local.last)) continue;
    const holdsNodeLocal = range.family === nodeLocal.family && range.first <= nodeLocal.first && nodeLocal.first <= range.last;
    ips.push(holdsNodeLocal ? NODE_LOCAL_DNS : formatIp(range.family, range.first));
  }
  linkLocalByPolicy.set(policy, ips);
  return ips;
}

export function lintDns(input: IsolationInput): Finding[] {
  const pods = input.endpoints.workloads.map((w) => w.endpoint);
  const dnsPods = pods.filter((p) => p.namespace === "kube-system" && matchesLabelSelector({ matchLabels: { "k8s-app": "kube-dns" } }, p.labels));
  const dns: Endpoint[] = dnsPods.length > 0 ? dnsPods : [DNS_POD];
  const findings: Finding[] = [];
  for (const workload of input.endpoints.workloads) {
    const pod = workload.endpoint;
    if (pod.hostNetwork || dnsPods.includes(pod)) continue;
    const selection = selectingPolicies(input.tiers, "egress", pod);
    const policies = selection.flatMap((s) => s.policies);
    if (policies.length === 0) continue;
    const allowsDns = (d: Endpoint) => sideConnections(selection, "egress", (rule) => rule.matchesPeer(d), { source: pod, destination: d }, pod).has("UDP", 53);
    if ([...dns, ...linkLocalCandidates(policies)].some(allowsDns)) continue;
    const by = policies.map((p) => p.id).join(", ");
    const byAddress = PLUGIN_DEPENDENT_DNS.filter(allowsDns).map((d) => d.ip);
    if (byAddress.length > 0) {
      const message =
        `${pod.namespace}/${pod.name}: egress is restricted by ${by}, and only an ipBlock rule broad enough to hold a node-local resolver's address (${byAddress.join(", ")}) allows UDP 53, no rule to the kube-dns pods: ` +
        "DNS then works only through NodeLocal DNSCache or where the network plugin applies ipBlock to pod addresses (e.g. Calico, not Cilium); " +
        "add an egress rule to kube-system's kube-dns pods (k8s-app=kube-dns) on 53/UDP and 53/TCP";
      findings.push(lintFinding(RULES.egressBlocksDns, message, workload.source, [], { severity: "low" }));
    } else {
      findings.push(lintFinding(RULES.egressBlocksDns, `${pod.namespace}/${pod.name}: egress is restricted by ${by} and no rule allows UDP 53 to cluster DNS (the kube-dns pods or a link-local resolver)`, workload.source, []));
    }
  }
  return findings;
}

export function lintIsolation(input: IsolationInput): Finding[] {
  const findings: Finding[] = [];
  const byNamespace = new Map<string, Endpoints["workloads"]>();
  for (const w of input.endpoints.workloads) {
    if (w.endpoint.hostNetwork) continue;
    const list = byNamespace.get(w.endpoint.namespace) ?? [];
    list.push(w);
    byNamespace.set(w.endpoint.namespace, list);
  }
  for (const [namespace, workloads] of byNamespace) {
    // What Palisade does not evaluate may isolate: the claim is then only about what it does,
    // and says what else may (names at most a few; the count tells the rest).
    const others = (input.unmodelled ?? []).filter((u) => u.namespace === undefined || u.namespace === namespace);
    const listed = others.slice(0, 3).map((u) => u.ref).join(", ") + (others.length > 3 ? ` and ${others.length - 3} more` : "");
    const mayIsolate = others.length > 0 ? `; not evaluated, and may isolate: ${listed}` : "";
    const states = workloads.map((w) => ({ w, ingress: isolatedBy(input.tiers, "ingress", w.endpoint), egress: isolatedBy(input.tiers, "egress", w.endpoint) }));
    if (states.every((s) => !s.ingress && !s.egress)) {
      // No file holds the missing policy: the finding points at the Namespace object, or
      // (when the input has none) at the `namespace:` of its first workload, so every
      // finding has a place (code scanning needs a file).
      const place = input.namespaceObjects?.get(namespace) ?? input.endpoints.namespaceAnchors?.get(namespace) ?? workloads[0]?.source;
      findings.push(
        lintFinding(RULES.namespaceWithoutPolicy, `namespace ${namespace}: no ${others.length > 0 ? "policy Palisade evaluates" : "policy"} isolates any of its ${workloads.length} workload(s)${mayIsolate}`, undefined, [], {
          object: { kind: "Namespace", name: namespace },
          ...(place ? { position: place.source.locate([]) } : {}),
          ...(others.length > 0 ? { severity: "low" as const } : {}),
        }),
      );
      continue;
    }
    for (const s of states) {
      if (!s.ingress) {
        const message = `${namespace}/${s.w.endpoint.name}: no ${others.length > 0 ? "policy Palisade evaluates" : "policy"} isolates it for ingress${mayIsolate}`;
        findings.push(lintFinding(RULES.workloadNotIsolated, message, s.w.source, [], others.length > 0 ? { severity: "info" } : {}));
      }
    }
  }
  return findings;
}
