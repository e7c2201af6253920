/**
 * Calico's objects among loaded ones, compiled into tiers of the shared model:
 *
 *   const calico = compileCalico(snapshot.objects.map((o) => ({ object: o.object, where: o.source })));
 *   const tiers = mergeTiers(kubernetesTiers(...), calico.tiers);
 *
 * Tiers run by order (the default tier at 1,000,000; unset last); within a tier policies
 * run by order (unset last), then by Felix's policy key, which depends on the Calico version
 * (policy-order.ts; chosen by ordering-choice.ts from an option or the inputs' ClusterInformation).
 * Kubernetes NetworkPolicies take part in the default tier at order 1000. A tier drops, at its end, traffic of endpoints its policies
 * selected but did not decide (defaultAction Deny), or passes it on (defaultAction Pass);
 * traffic no tier decides is allowed by the namespace profile. Staged policies are compiled
 * and listed but never decide. Objects that are invalid or use features Palisade cannot
 * evaluate are refused as a whole, with the field that made them so.
 */
import type { Labels } from "../../k8s/labels.js";
import { apiGroupOf, automaticNamespaceLabels } from "../../k8s/snapshot.js";
import type { FieldPath, K8sObject } from "../../k8s/types.js";
import type { EnforcedPolicy, Tier } from "../model.js";
import type { PolicySource, RefusedPolicy } from "../policy-set.js";
import { compilePolicy, policyId, ruleSides, SelectorResolver, servicesNamed, type CalicoContext } from "./compile.js";
import { serviceSets } from "./service-sets.js";
import { CALICO_GROUPS, chooseOrdering, type OrderingChoice } from "./ordering-choice.js";
import { asCalicoOrdered, LATEST_ORDERING, type PolicyOrdering } from "./policy-order.js";
import type { CalicoVersion } from "./version.js";
import { decodePolicy, POLICY_KINDS, type DecodedPolicy } from "./decode.js";
import { decodeNetworkSet, decodeTier, DEFAULT_TIER, type DecodedNetworkSet, type DecodedTier } from "./decode-resources.js";
import { ADMIN_POLICY_TIER_ORDERS, builtInTiers, type BuiltInTier } from "./built-in-tiers.js";

export { CALICO_GROUPS };
/** The group whose objects carry the names Calico stored (with their `<tier>.` prefix). */
const STORAGE_GROUP = "crd.projectcalico.org";

const REFUSED_KINDS: Readonly<Record<string, string>> = {
  Profile: "Profile rules replace the namespace profile's default allow; Palisade models only the Kubernetes datastore's generated profiles and does not evaluate custom ones",
  HostEndpoint: "HostEndpoint policy (host interfaces, preDNAT, applyOnForward, doNotTrack) is not modelled by Palisade; its effect on traffic is not evaluated",
};
const STAGED_ONLY_KINDS = new Set(["StagedKubernetesNetworkPolicy"]);

export function isCalicoObject(object: K8sObject): boolean {
  return CALICO_GROUPS.includes(apiGroupOf(object.apiVersion));
}

export interface CalicoNotice<Where = unknown> {
  object: K8sObject;
  where?: Where;
  /**
   * staged: never enforced; apply-on-forward: evaluated for pods, host forwarding not
   * modelled; service-not-in-input, service-without-ports: a rule names a Service that gives
   * it nothing to match; global-set-not-selected: a namespaced rule's selector is written
   * for GlobalNetworkSets it cannot see.
   */
  topic: "staged" | "apply-on-forward" | "service-not-in-input" | "service-without-ports" | "global-set-not-selected";
  message: string;
  /** The field the notice is about, when it is one. */
  path?: FieldPath;
}

/**
 * A refused object: `invalid` (Calico would reject it), `unsupported` (Palisade cannot
 * evaluate it), or `tier-not-in-input` (its tier is neither built in nor among the inputs:
 * Calico takes it if the Tier exists in the cluster, but where it runs is unknown).
 * Only `invalid` objects are sure not to be enforced.
 */
export interface CalicoRefusal<Where = unknown> extends RefusedPolicy<Where> {
  reason: "invalid" | "unsupported" | "tier-not-in-input";
}

export interface CalicoPolicySet<Where = unknown> {
  /** Every tier some policy names (plus the default tier), with its policies; staged ones included. */
  tiers: Tier[];
  policies: { policy: EnforcedPolicy; object: K8sObject; where?: Where }[];
  refused: CalicoRefusal<Where>[];
  /** Things that are valid but not enforced (staged policies), to be reported, not hidden. */
  notices: CalicoNotice<Where>[];
  /** Whose policy ordering the tiers follow (which Calico version), and why. */
  ordering: OrderingChoice;
}

export interface CalicoOptions {
  /** The Calico version to follow (`--calico-version`); it wins over a ClusterInformation in the sources. */
  calicoVersion?: CalicoVersion;
}

function withWhere<T extends object, Where>(value: T, where: Where | undefined): T & { where?: Where } {
  return where === undefined ? value : { ...value, where };
}

/** Namespace and ServiceAccount labels from the same inputs, for network sets and SA selectors. */
function contextFrom(sources: readonly PolicySource[], networkSets: DecodedNetworkSet[]): CalicoContext {
  const namespaceLabels = new Map<string, Labels>();
  const serviceAccountLabels = new Map<string, Labels>();
  for (const { object } of sources) {
    const name = object.metadata?.name;
    if (!name || apiGroupOf(object.apiVersion) !== "") continue;
    if (object.kind === "Namespace") namespaceLabels.set(name, { ...(object.metadata?.labels ?? {}), ...automaticNamespaceLabels(name) });
    if (object.kind === "ServiceAccount") serviceAccountLabels.set(`${object.metadata?.namespace || "default"}/${name}`, { ...(object.metadata?.labels ?? {}) });
  }
  return { networkSets, namespaceLabels, serviceAccountLabels, services: serviceSets(sources.map((s) => s.object)) };
}

/** Compile every Calico object among `sources`; other objects only lend their labels. */
export function compileCalico<Where>(sources: readonly PolicySource<Where>[], options: CalicoOptions = {}): CalicoPolicySet<Where> {
  const ordering = chooseOrdering(sources.map((s) => s.object), options.calicoVersion);
  const result: CalicoPolicySet<Where> = { tiers: [], policies: [], refused: [], notices: [], ordering };
  const refuse = (source: PolicySource<Where>, path: FieldPath, message: string, unsupported = false): void => {
    result.refused.push(withWhere({ object: source.object, path, message, reason: unsupported ? ("unsupported" as const) : ("invalid" as const) }, source.where));
  };
  const builtIns = builtInTiers(ordering.version);
  const tiers = new Map<string, DecodedTier>();
  const networkSets: DecodedNetworkSet[] = [];
  const policies: { decoded: DecodedPolicy; source: PolicySource<Where> }[] = [];
  const seen = new Set<string>();
  for (const source of sources) {
    const { object } = source;
    if (!isCalicoObject(object)) continue;
    const kind = object.kind ?? "";
    if (REFUSED_KINDS[kind]) {
      refuse(source, ["kind"], REFUSED_KINDS[kind] as string, true);
    } else if (STAGED_ONLY_KINDS.has(kind)) {
      result.notices.push(withWhere({ object, topic: "staged" as const, message: `${kind} ${object.metadata?.namespace ?? "default"}/${object.metadata?.name ?? ""} is staged: reported, not enforced, not evaluated` }, source.where));
    } else if (kind === "Tier") {
      const { tier, problems } = decodeTier(object, builtIns);
      problems.forEach((p) => refuse(source, p.path, p.message, p.unsupported));
      if (tier && tiers.has(tier.name)) refuse(source, ["metadata", "name"], `Duplicate value: two Tiers named ${tier.name}`);
      else if (tier) tiers.set(tier.name, tier);
    } else if (kind === "NetworkSet" || kind === "GlobalNetworkSet") {
      const { set, problems } = decodeNetworkSet(object);
      problems.forEach((p) => refuse(source, p.path, p.message, p.unsupported));
      if (set) networkSets.push(set);
    } else if ((POLICY_KINDS as readonly string[]).includes(kind)) {
      const { policy, problems } = decodePolicy(object);
      problems.forEach((p) => refuse(source, p.path, p.message, p.unsupported));
      if (!policy) continue;
      const id = policyId(policy);
      if (seen.has(id)) {
        refuse(source, ["metadata", "name"], `Duplicate value: two objects are ${id}; the API server keeps one object per name`);
        continue;
      }
      seen.add(id);
      policies.push({ decoded: policy, source });
    }
  }
  const resolver = new SelectorResolver(contextFrom(sources, networkSets));
  const byTier = new Map<string, EnforcedPolicy[]>([[DEFAULT_TIER, []]]);
  for (const { decoded, source } of policies) {
    if (!tiers.has(decoded.tier) && !builtIns.has(decoded.tier)) {
      // Calico's API server refuses a policy only when its tier does not exist in the cluster,
      // which manifests cannot tell; the Tier often lives in another folder or was applied
      // earlier. Its order and default action decide every verdict the policy takes part in,
      // so it is left out of verdicts (explain and matrix refuse to answer) rather than guessed.
      const message = `tier ${JSON.stringify(decoded.tier)} is not in the input: its order is unknown (and its default action), so this policy is left out of every verdict; give the file with its Tier object too (Calico refuses the policy only if the Tier does not exist in the cluster)`;
      result.refused.push(withWhere({ object: source.object, path: ["spec", "tier"], message, reason: "tier-not-in-input" as const }, source.where));
      continue;
    }
    const identity = { ...decoded, storedName: apiGroupOf(source.object.apiVersion) === STORAGE_GROUP };
    const nameProblem = ordering.ordering.nameProblem(identity);
    if (nameProblem) {
      refuse(source, ["metadata", "name"], nameProblem);
      continue;
    }
    const policy = compilePolicy(decoded, resolver, ordering.ordering.calicoKey(identity));
    if (!byTier.has(decoded.tier)) byTier.set(decoded.tier, []);
    byTier.get(decoded.tier)?.push(policy);
    result.policies.push(withWhere({ policy, object: source.object }, source.where));
    if (decoded.staged) {
      result.notices.push(withWhere({ object: source.object, topic: "staged" as const, message: `${policy.id} is staged (stagedAction ${decoded.stagedAction}): evaluated for reporting, never enforced` }, source.where));
    }
    for (const { match, path } of servicesNamed(decoded)) {
      const set = resolver.service(match, decoded.namespace);
      if (!set.known) {
        result.notices.push(withWhere({ object: source.object, topic: "service-not-in-input" as const, path, message: `${policy.id} names Service ${set.id}, which is not in the input: its rule matches no endpoint here, as Felix's set for it stays empty until the Service exists; give the Service (and, without a selector, its EndpointSlices) too` }, source.where));
      } else if (path[3] === "destination" && set.noPorts !== undefined) {
        result.notices.push(withWhere({ object: source.object, topic: "service-without-ports" as const, path, message: `${policy.id} names Service ${set.id} as a destination, and ${set.noPorts}: Felix matches a destination Service by its endpoints' ports, so this rule matches nothing; give the Service its ports, or name its pods with a selector and ports` }, source.where));
      }
    }
    for (const { entity, path } of decoded.global ? [] : ruleSides(decoded)) {
      if (entity.selector === undefined || entity.namespaceSelector !== undefined) continue;
      const missed = resolver.globalSetsMissed(entity.selector, decoded.namespace ?? "default");
      if (missed.length === 0) continue;
      const sets = missed.length === 1 ? `GlobalNetworkSet ${missed[0]}` : `GlobalNetworkSets ${missed.join(", ")}`;
      const message = `${policy.id}: selector ${JSON.stringify(entity.selector)} matches the labels of ${sets}, but without a namespaceSelector a namespaced policy's rule looks only at endpoints and NetworkSets of namespace ${decoded.namespace ?? "default"}, so ${missed.length === 1 ? "its nets are" : "their nets are"} not matched; add namespaceSelector: global() to match global network sets (in a rule of its own if it must match pods of the namespace too)`;
      result.notices.push(withWhere({ object: source.object, topic: "global-set-not-selected" as const, path: [...path, "selector"], message }, source.where));
    }
    if (decoded.applyOnForward) {
      result.notices.push(withWhere({ object: source.object, topic: "apply-on-forward" as const, message: `${policy.id} has applyOnForward: evaluated for the pods it selects; its effect on traffic forwarded through host endpoints is not modelled` }, source.where));
    }
  }
  for (const [name, policiesOfTier] of byTier) result.tiers.push(tierOf(name, tiers.get(name), builtIns.get(name), policiesOfTier));
  for (const [name, tier] of tiers) if (!byTier.has(name)) result.tiers.push(tierOf(name, tier, builtIns.get(name), []));
  return result;
}

function tierOf(name: string, decoded: DecodedTier | undefined, builtIn: BuiltInTier | undefined, policies: EnforcedPolicy[]): Tier {
  return {
    name,
    order: decoded?.order ?? builtIn?.order,
    dropAtEndWhenSelected: (decoded?.defaultAction ?? builtIn?.defaultAction ?? "Deny") === "Deny",
    policies,
  };
}

/** Just the tiers, for callers that report refusals elsewhere (see compileCalico). */
export function calicoTiers(objects: readonly K8sObject[], options: CalicoOptions = {}): Tier[] {
  return compileCalico(objects.map((object) => ({ object })), options).tiers;
}

/**
 * One tier list from Kubernetes tiers (NetworkPolicy in "default" at order 1000, ANP and
 * BANP tiers) and Calico's: tiers of the same name become one, ordered as Calico orders its
 * built-in tiers, so a Calico policy at order 100 in the default tier runs before every
 * Kubernetes NetworkPolicy and one at order 2000 after them. At order 1000 itself the tie
 * is broken as Felix of the chosen version breaks it, by the Kubernetes policy's Calico name
 * `knp.default.<name>` in that version's key (see policy-order.ts); a Calico policy without
 * order runs after all of them.
 */
export function mergeTiers(kubernetes: readonly Tier[], calico: readonly Tier[], ordering: PolicyOrdering = LATEST_ORDERING): Tier[] {
  const ordered = (policy: EnforcedPolicy): EnforcedPolicy => asCalicoOrdered(policy, ordering);
  const merged = new Map<string, Tier>();
  for (const tier of [...calico, ...kubernetes]) {
    const existing = merged.get(tier.name);
    if (!existing) {
      merged.set(tier.name, { ...tier, order: ADMIN_POLICY_TIER_ORDERS[tier.name] ?? tier.order, policies: tier.policies.map(ordered) });
    } else {
      for (const policy of tier.policies) existing.policies.push(ordered(policy)); // a tier may hold more policies than push(...) takes arguments
      // Admin network policies of equal priority stay unordered whoever contributed the tier.
      if (tier.tiesUnordered) existing.tiesUnordered = true;
    }
  }
  return [...merged.values()];
}

/**
 * A Kubernetes policy set (policy-set.ts's buildPolicySet) with the Calico objects of the
 * same sources added: merged tiers, every compiled policy, every refusal, plus notices.
 *
 *   const sources = snapshot.objects.map((o) => ({ object: o.object, where: o }));
 *   const set = withCalico(buildPolicySet(sources), sources, { calicoVersion });
 */
export function withCalico<Where>(
  kubernetes: { tiers: Tier[]; policies: CalicoPolicySet<Where>["policies"]; refused: RefusedPolicy<Where>[] },
  sources: readonly PolicySource<Where>[],
  options: CalicoOptions = {},
): { tiers: Tier[]; policies: CalicoPolicySet<Where>["policies"]; refused: RefusedPolicy<Where>[]; notices: CalicoNotice<Where>[]; ordering: OrderingChoice } {
  const calico = compileCalico(sources, options);
  return {
    tiers: mergeTiers(kubernetes.tiers, calico.tiers, calico.ordering.ordering),
    policies: [...kubernetes.policies, ...calico.policies],
    refused: [...kubernetes.refused, ...calico.refused],
    notices: calico.notices,
    ordering: calico.ordering,
  };
}
