/**
 * Selectors nested deeper than Palisade's limit get a clear error, never a stack overflow;
 * within the limit, parentheses change nothing, in a policy as on the command line.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { POLICY_SELECTOR_NESTING } from "../../../src/network/calico/decode.js";
import { MAX_SELECTOR_NESTING, parseCalicoSelector, SelectorSyntaxError, SelectorTooDeepError } from "../../../src/network/calico/selector/index.js";
import { allowed, compile, external, packet, pod } from "./fixtures.js";

const wrap = (inner: string, depth: number): string => "(".repeat(depth) + inner + ")".repeat(depth);
/** One parenthesis per level holding an || over an && (and a negation), so the printed form nests twice as deep. */
const layered = (depth: number): string => {
  let text = "a == 'x'";
  for (let i = 0; i < depth; i++) text = `${i % 2 === 0 ? "!!" : ""}(has(z${i}) || ${text} && all())`;
  return text;
};

describe("selector nesting limit", () => {
  it("a selector nested beyond the limit is a SelectorTooDeepError that names the limit", () => {
    for (const depth of [MAX_SELECTOR_NESTING + 1, 20_000]) {
      const text = wrap("a == 'x'", depth);
      let caught: unknown;
      try {
        parseCalicoSelector(text);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(SelectorTooDeepError);
      expect(caught).toBeInstanceOf(SelectorSyntaxError);
      expect((caught as Error).message).toContain(`at most ${MAX_SELECTOR_NESTING} levels`);
    }
  });

  it("parentheses up to the limit change neither the match nor the canonical form", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_SELECTOR_NESTING }), fc.dictionary(fc.constantFrom("a", "b"), fc.constantFrom("x", "y"), { maxKeys: 2 }), (depth, labels) => {
        const flat = parseCalicoSelector("a == 'x' || b == 'y'");
        const nested = parseCalicoSelector(wrap("a == 'x' || b == 'y'", depth));
        expect(nested.matches(labels)).toBe(flat.matches(labels));
        expect(nested.canonical).toBe(flat.canonical);
      }),
      { numRuns: 50 },
    );
  });

  it("a policy selector nested beyond the policy limit is refused as unsupported, not thrown", () => {
    const deep = wrap("app == 'web'", POLICY_SELECTOR_NESTING + 1);
    const set = compile(`
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: deep}
spec: {selector: "${deep}", ingress: [{action: Deny}]}
`);
    expect(set.refused.map((r) => [r.reason, r.path.join(".")])).toEqual([["unsupported", "spec.selector"]]);
    expect(set.refused[0]?.message).toContain(`at most ${POLICY_SELECTOR_NESTING} levels`);
  });

  it("policy selectors at the policy limit still compile after Calico's scoping wraps them", () => {
    const deep = layered(POLICY_SELECTOR_NESTING);
    const set = compile(`
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: deep}
spec:
  selector: "${deep}"
  namespaceSelector: "${deep}"
  serviceAccountSelector: "${deep}"
  ingress:
  - action: Deny
    source: {selector: "${deep}", namespaceSelector: "${deep}", serviceAccounts: {names: [default], selector: "${deep}"}}
`);
    expect(set.refused).toEqual([]);
    expect(() => allowed(set.tiers, packet(external("192.0.2.1"), pod("shop", "web", { a: "x" }), "TCP", 80))).not.toThrow();
  });
});
