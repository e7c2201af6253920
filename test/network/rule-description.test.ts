/**
 * A NetworkPolicy rule's description, which every explanation and diff cause quotes: a rule
 * listing thousands of ipBlocks (a partner list) names a few and counts the rest.
 */
import { describe, expect, it } from "vitest";
import { evaluateConnection } from "../../src/network/evaluate.js";
import type { PodEndpoint } from "../../src/network/model.js";
import { buildPolicySet } from "../../src/network/policy-set.js";

const client: PodEndpoint = { kind: "pod", namespace: "a", name: "client", labels: {}, namespaceLabels: { "kubernetes.io/metadata.name": "a" }, ips: [], ports: [] };

function egressRuleDescription(addresses: number): string | undefined {
  const blocks = Array.from({ length: addresses }, (_, i) => ({ ipBlock: { cidr: `198.18.0.${i + 1}/32` } }));
  const set = buildPolicySet([{ object: { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "partners", namespace: "a" }, spec: { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: blocks }] } } }]);
  expect(set.refused).toEqual([]);
  const verdict = evaluateConnection(set.tiers, { src: client, dst: { kind: "external", ip: `198.18.0.${addresses}` }, protocol: "TCP", port: 443 });
  expect(verdict.allowed).toBe(true);
  return verdict.egress.ruleDescription;
}

describe("a NetworkPolicy rule's description", () => {
  it("names every peer of a short list", () => {
    expect(egressRuleDescription(8)).toBe(`egress rule 0: to ${Array.from({ length: 8 }, (_, i) => `ipBlock 198.18.0.${i + 1}/32`).join(" or ")} on all ports`);
  });

  it("names the first eight peers of a long list and counts the rest", () => {
    expect(egressRuleDescription(9)).toMatch(/ipBlock 198\.18\.0\.8\/32 or 1 more peer on all ports$/);
    const long = egressRuleDescription(200)!;
    expect(long).toMatch(/^egress rule 0: to ipBlock 198\.18\.0\.1\/32 or .* or ipBlock 198\.18\.0\.8\/32 or 192 more peers on all ports$/);
    expect(long).not.toContain("198.18.0.9/");
  });
});
