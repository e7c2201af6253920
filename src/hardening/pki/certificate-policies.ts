/**
 * Certificate policy validation of a built chain, as Go's crypto/x509 runs it since Go 1.22
 * (verify.go policiesValid and its policyGraph: RFC 5280 6.1 with the policy graph of RFC 9618),
 * with the inputs kube-apiserver gives it: its VerifyOptions name no CertificatePolicies, so the
 * user-initial-policy-set is {anyPolicy}, and initial-explicit-policy, initial-policy-mapping-
 * inhibit and initial-any-policy-inhibit are all false. Verify drops each candidate chain that
 * fails. What that means, exactly as Go computes it:
 *
 * - A chain of one certificate (the leaf is in the bundle) always passes. The trust anchor is
 *   input, not part of the path: its own policies and constraints are never read.
 * - With n certificates below the anchor, the explicit-policy, policy-mapping and
 *   inhibit-anyPolicy counters start at n + 1. After each certificate but the leaf, each counter
 *   above 0 drops by one unless the certificate is self-issued (issuer and subject the same
 *   bytes); then requireExplicitPolicy, inhibitPolicyMapping (policyConstraints) and
 *   inhibitAnyPolicy lower it to their value when smaller (a negative value does nothing).
 *   After the leaf, explicit-policy drops once more, and becomes 0 if the leaf's own
 *   requireExplicitPolicy is 0: the leaf's other constraints and its mappings are never read.
 * - A certificate without certificatePolicies (or with an empty list) ends the policy graph.
 *   Otherwise each policy it asserts takes as parents the previous level's policies that expect
 *   it, else that level's anyPolicy; its anyPolicy, while inhibit-anyPolicy is above 0 (or for a
 *   self-issued certificate other than the leaf), stands for every expected policy not asserted.
 * - An intermediate's policyMappings, while policy-mapping is above 0, set what its policies
 *   expect below (through its anyPolicy for an issuer policy it does not assert); a mapping to or
 *   from anyPolicy then fails the chain outright. Once policy-mapping is 0, each mapped issuer
 *   policy is deleted instead.
 * - The chain fails when explicit-policy is 0 at the end (or before a certificate that has no
 *   policy graph left) and no policy is valid for the whole chain. Without any requireExplicitPolicy
 *   in the path, nothing about policies can fail it but an anyPolicy mapping.
 */
import { isSelfIssued } from "./certificate-extensions.js";
import type { NamedCertificate } from "./name-constraints.js";
import { ANY_POLICY, policyExtensionsOf, policyName } from "./policy-extensions.js";

interface PolicyNode {
  validPolicy: string;
  expectedPolicySet: string[];
  parents: Set<PolicyNode>;
  children: Set<PolicyNode>;
}

function node(validPolicy: string, parents: readonly PolicyNode[]): PolicyNode {
  const created: PolicyNode = { validPolicy, expectedPolicySet: [validPolicy], parents: new Set(parents), children: new Set() };
  for (const parent of parents) parent.children.add(created);
  return created;
}

/** RFC 9618's valid_policy_graph: one level per certificate processed, each keyed by valid policy. */
class PolicyGraph {
  private readonly levels: Array<Map<string, PolicyNode>> = [new Map([[ANY_POLICY, node(ANY_POLICY, [])]])];
  private expecting = new Map<string, PolicyNode[]>();

  get depth(): number {
    return this.levels.length - 1;
  }

  leaves(): Map<string, PolicyNode> {
    return this.levels[this.depth] as Map<string, PolicyNode>;
  }

  private previous(): Map<string, PolicyNode> {
    return this.levels[this.depth - 1] as Map<string, PolicyNode>;
  }

  /** Opens the next level, indexing the current one by the policies its nodes expect. */
  descend(): void {
    this.expecting = new Map();
    for (const parent of this.leaves().values()) {
      for (const expected of parent.expectedPolicySet) this.expecting.set(expected, [...(this.expecting.get(expected) ?? []), parent]);
    }
    this.levels.push(new Map());
  }

  /** 6.1.3 (d)(1): a policy the certificate asserts, under the parents that expect it, else their anyPolicy. */
  assert(policy: string): void {
    const expecting = this.expecting.get(policy) ?? [];
    const anyParent = this.previous().get(ANY_POLICY);
    const parents = expecting.length > 0 ? expecting : anyParent ? [anyParent] : [];
    if (parents.length > 0) this.leaves().set(policy, node(policy, parents));
  }

  /** 6.1.3 (d)(2): the certificate's anyPolicy, as every expected policy it did not assert. */
  assertAnyPolicy(): void {
    const missing = new Map<string, PolicyNode[]>();
    for (const parent of this.previous().values()) {
      for (const expected of parent.expectedPolicySet) {
        if (!this.leaves().has(expected)) missing.set(expected, [...(missing.get(expected) ?? []), parent]);
      }
    }
    for (const [policy, parents] of missing) this.leaves().set(policy, node(policy, parents));
  }

  /** 6.1.3 (d)(3): nodes above the current level that lead to none of it go. */
  prune(): void {
    for (let depth = this.depth - 1; depth > 0; depth--) {
      const level = this.levels[depth] as Map<string, PolicyNode>;
      for (const [policy, childless] of [...level]) {
        if (childless.children.size > 0) continue;
        for (const parent of childless.parents) parent.children.delete(childless);
        level.delete(policy);
      }
    }
  }

  /** 6.1.4 (b)(3): a mapped issuer policy, deleted when mapping is inhibited. */
  deleteLeaf(policy: string): void {
    const leaf = this.leaves().get(policy);
    if (!leaf) return;
    for (const parent of leaf.parents) parent.children.delete(leaf);
    for (const child of leaf.children) child.parents.delete(leaf);
    this.leaves().delete(policy);
  }

  /** 6.1.4 (b)(1) and (2): what an issuer policy stands for below, through anyPolicy when it is not asserted. */
  map(issuerPolicy: string, subjectPolicies: string[]): void {
    const asserted = this.leaves().get(issuerPolicy);
    if (asserted) {
      asserted.expectedPolicySet = subjectPolicies;
      return;
    }
    // Go hangs the new node under the current level's anyPolicy, on that same level.
    const anyPolicy = this.leaves().get(ANY_POLICY);
    if (!anyPolicy) return;
    const mapped = node(issuerPolicy, [anyPolicy]);
    mapped.expectedPolicySet = subjectPolicies;
    this.leaves().set(issuerPolicy, mapped);
  }

  /** 6.1.5 (g): the authority-constrained policy set, every node that stands directly under anyPolicy, plus the last anyPolicy. */
  authorityConstrainedPolicies(): Set<string> {
    const valid = new Set<string>();
    for (const level of this.levels) {
      for (const candidate of level.values()) {
        const [parent, ...others] = [...candidate.parents];
        if (candidate.validPolicy !== ANY_POLICY && others.length === 0 && parent?.validPolicy === ANY_POLICY) valid.add(candidate.validPolicy);
      }
    }
    if (this.leaves().has(ANY_POLICY)) valid.add(ANY_POLICY);
    return valid;
  }
}

function named(facts: NamedCertificate, leaf: boolean): string {
  return `${leaf ? "certificate" : "intermediate"} ${JSON.stringify(facts.certificate.subject.split("\n").join(", "))}`;
}

function policyList(policies: readonly string[]): string {
  return policies.map(policyName).join(", ");
}

/** A counter of RFC 5280 6.1 and the certificate whose constraint last set it, for messages. */
interface Counter {
  value: bigint;
  setBy?: string;
}

function countDown(counter: Counter): void {
  if (counter.value > 0n) counter.value -= 1n;
}

function lowerTo(counter: Counter, constraint: bigint | undefined, by: string): void {
  if (constraint !== undefined && constraint >= 0n && constraint < counter.value) {
    counter.value = constraint;
    counter.setBy = by;
  }
}

/**
 * Why Go's policiesValid refuses `chain` (leaf first, trust anchor last), or undefined when it
 * passes. The reason names where the chain's valid policies ran out and which certificate asked
 * for an explicit one.
 */
export function certificatePoliciesViolation(chain: readonly NamedCertificate[]): string | undefined {
  if (chain.length === 1) return undefined;
  const n = BigInt(chain.length - 1);
  const explicitPolicy: Counter = { value: n + 1n };
  const policyMapping: Counter = { value: n + 1n };
  const inhibitAnyPolicy: Counter = { value: n + 1n };
  let graph: PolicyGraph | undefined = new PolicyGraph();
  let lost: string | undefined;
  const required = () => `${explicitPolicy.setBy ?? "the path"} requires an explicit policy (requireExplicitPolicy)`;
  for (let i = chain.length - 2; i >= 0; i--) {
    const facts = chain[i] as NamedCertificate;
    const leaf = i === 0;
    const name = named(facts, leaf);
    const selfIssued = isSelfIssued(facts);
    const { policies, mappings, requireExplicitPolicy, inhibitPolicyMapping, inhibitAnyPolicy: skipCerts } = policyExtensionsOf(facts);
    if (policies.length === 0 && graph) {
      graph = undefined;
      lost ??= `${name} asserts no certificate policy`;
    }
    if (explicitPolicy.value === 0n && !graph) return `${lost}, and ${required()}`;
    if (graph) {
      graph.descend();
      for (const policy of policies) if (policy !== ANY_POLICY) graph.assert(policy);
      const anyPolicyCounts = inhibitAnyPolicy.value > 0n || (!leaf && selfIssued);
      if (policies.includes(ANY_POLICY) && anyPolicyCounts) graph.assertAnyPolicy();
      graph.prune();
      if (graph.leaves().size === 0) {
        const inhibited = policies.includes(ANY_POLICY) && !anyPolicyCounts ? `; its anyPolicy no longer counts, as ${inhibitAnyPolicy.setBy ?? "the path"} inhibits it (inhibitAnyPolicy)` : "";
        lost ??= `none of the policies ${name} asserts (${policyList(policies)}) is one the certificates above it allow${inhibited}`;
      }
      if (!leaf && mappings.length > 0) {
        const mapped = new Map<string, string[]>();
        for (const { issuerDomainPolicy, subjectDomainPolicy } of mappings) {
          if (policyMapping.value > 0n) {
            if (issuerDomainPolicy === ANY_POLICY || subjectDomainPolicy === ANY_POLICY) {
              return `${name} maps ${policyName(issuerDomainPolicy)} to ${policyName(subjectDomainPolicy)} in its policyMappings, and Go refuses a mapping to or from anyPolicy`;
            }
            mapped.set(issuerDomainPolicy, [...(mapped.get(issuerDomainPolicy) ?? []), subjectDomainPolicy]);
          } else {
            graph.deleteLeaf(issuerDomainPolicy);
            graph.prune();
          }
        }
        for (const [issuerPolicy, subjectPolicies] of mapped) graph.map(issuerPolicy, subjectPolicies);
        if (graph.leaves().size === 0) lost ??= `${name} maps away all its policies (${policyList(policies)}) while ${policyMapping.setBy ?? "the path"} inhibits policy mapping (inhibitPolicyMapping), which deletes them`;
      }
    }
    if (!leaf) {
      if (!selfIssued) [explicitPolicy, policyMapping, inhibitAnyPolicy].forEach(countDown);
      lowerTo(explicitPolicy, requireExplicitPolicy, name);
      lowerTo(policyMapping, inhibitPolicyMapping, name);
      lowerTo(inhibitAnyPolicy, skipCerts, name);
    }
  }
  countDown(explicitPolicy);
  const leafFacts = chain[0] as NamedCertificate;
  if (policyExtensionsOf(leafFacts).requireExplicitPolicy === 0n) {
    explicitPolicy.value = 0n;
    explicitPolicy.setBy = named(leafFacts, true);
  }
  // The user-initial-policy-set is {anyPolicy}: the user-constrained set is the authority-constrained one.
  const valid = graph?.authorityConstrainedPolicies() ?? new Set<string>();
  if (explicitPolicy.value === 0n && valid.size === 0) return `${lost ?? "no policy is valid for the whole chain"}, and ${required()}`;
  return undefined;
}
