/**
 * Felix's order (felix/calc/policy_sorter.go): lower order first, policies without order
 * last, ties by the string "<name>/<namespace>/<kind>" (see knp-order.test.ts).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { K8sObject } from "../../../src/k8s/types.js";
import { evaluateConnection } from "../../../src/network/evaluate.js";
import { compileCalico } from "../../../src/network/calico/tiers.js";
import { external, packet, pod } from "./fixtures.js";

const entry = fc.record({ order: fc.option(fc.constantFrom(1, 2, 2.5, 10, 1000), { nil: undefined }), action: fc.constantFrom("Allow", "Deny") });

describe("policy order within a tier", () => {
  it("the first policy by (order, unset last, Felix's key) decides, whatever the input order", () => {
    // A small alphabet makes names that extend one another ("a", "a-b", "a.b") common.
    fc.assert(
      fc.property(fc.uniqueArray(fc.stringMatching(/^[a-c]([-a-c]{0,2}[a-c])?(\.[a-c])?$/), { minLength: 1, maxLength: 6 }), fc.infiniteStream(entry), fc.infiniteStream(fc.nat()), (names, entries, seeds) => {
        const policies = names.map((name) => ({ name, ...entries.next().value }));
        const objects: K8sObject[] = policies.map((p) => ({
          apiVersion: "projectcalico.org/v3",
          kind: "GlobalNetworkPolicy",
          metadata: { name: p.name },
          spec: { ...(p.order === undefined ? {} : { order: p.order }), selector: "all()", ingress: [{ action: p.action }] },
        }));
        const expected = [...policies].sort((a, b) => {
          if (a.order !== b.order) return a.order === undefined ? 1 : b.order === undefined ? -1 : a.order - b.order;
          // Global policies: an empty namespace, so a name ends at "//" ('-' and '.' sort before it).
          const keyA = `${a.name}//GlobalNetworkPolicy`;
          const keyB = `${b.name}//GlobalNetworkPolicy`;
          return keyA < keyB ? -1 : keyA > keyB ? 1 : 0;
        })[0]!;
        const shuffled = objects.map((o) => ({ o, k: seeds.next().value })).sort((a, b) => a.k - b.k).map(({ o }) => ({ object: o }));
        const decision = evaluateConnection(compileCalico(shuffled).tiers, packet(external("192.0.2.1"), pod("a", "x"), "TCP", 80));
        expect(decision.ingress.policy).toBe(`GlobalNetworkPolicy/${expected.name}`);
        expect(decision.allowed).toBe(expected.action === "Allow");
      }),
      { numRuns: 100 },
    );
  });
});

describe("tier order", () => {
  // felix/calc/policy_sorter.go TierLess: lower order first, unset order last, ties by name.
  it("the first tier by (order, unset last, name) decides, whatever the input order", () => {
    const tierEntry = fc.record({ order: fc.option(fc.constantFrom(1, 2, 100, 999_999, 2_000_000), { nil: undefined }), action: fc.constantFrom("Allow", "Deny", "Pass") });
    fc.assert(
      fc.property(fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9]{0,4}$/).filter((n) => n !== "default"), { minLength: 1, maxLength: 5 }), fc.infiniteStream(tierEntry), (names, entries) => {
        const tiers = names.map((name) => ({ name, ...entries.next().value }));
        const objects: K8sObject[] = tiers.flatMap((t) => [
          { apiVersion: "projectcalico.org/v3", kind: "Tier", metadata: { name: t.name }, spec: t.order === undefined ? {} : { order: t.order } },
          { apiVersion: "projectcalico.org/v3", kind: "GlobalNetworkPolicy", metadata: { name: `${t.name}.p` }, spec: { tier: t.name, selector: "all()", ingress: [{ action: t.action }] } },
        ]);
        const ordered = [...tiers].sort((a, b) => {
          if (a.order !== b.order) return a.order === undefined ? 1 : b.order === undefined ? -1 : a.order - b.order;
          return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
        });
        const decider = ordered.find((t) => t.action !== "Pass");
        const decision = evaluateConnection(compileCalico(objects.reverse().map((object) => ({ object }))).tiers, packet(external("192.0.2.1"), pod("a", "x"), "TCP", 80));
        expect(decision.ingress.policy).toBe(decider ? `GlobalNetworkPolicy/${decider.name}.p` : undefined);
        // Every tier passing leaves the decision to the namespace profile, which allows.
        expect(decision.allowed).toBe(decider ? decider.action === "Allow" : true);
      }),
      { numRuns: 100 },
    );
  });
});
