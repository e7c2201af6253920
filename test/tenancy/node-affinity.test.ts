import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { matchesRequirement } from "../../src/k8s/labels.js";
import { placementViolations, type TenancyModel } from "../../src/tenancy/tenants.js";

const KEY = "node-restriction.kubernetes.io/tenant";
const model: TenancyModel = {
  namespaceLabel: "palisade.dev/tenant",
  tenants: [
    { name: "blue", taint: { key: "palisade.dev/tenant", value: "blue", effect: "NoSchedule" }, nodeLabel: { key: KEY, value: "blue" } },
    { name: "green", taint: { key: "palisade.dev/tenant", value: "green", effect: "NoSchedule" }, nodeLabel: { key: KEY, value: "green" } },
  ],
};
const blue = model.tenants[0]!;
const ownPlacement = { tolerations: [{ key: "palisade.dev/tenant", operator: "Equal", value: "blue", effect: "NoSchedule" }], nodeSelector: { [KEY]: "blue" } };
const required = (...terms: unknown[]) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } });
const foreign = (v: { rule: string; message: string }[]) => v.filter((x) => x.rule.startsWith("foreign")).map((x) => `${x.rule}: ${x.message}`);

describe("node affinity as the scheduler reads it (terms ORed, requirements ANDed, nodeSelector ANDed)", () => {
  it("a term the pod's own nodeSelector excludes from another tenant's nodes does not reach them", () => {
    const spec = { ...ownPlacement, affinity: required({ matchExpressions: [{ key: KEY, operator: "In", values: ["blue", "green"] }] }) };
    expect(foreign(placementViolations(model, blue, spec))).toEqual([]);
    const exists = { ...ownPlacement, affinity: required({ matchExpressions: [{ key: KEY, operator: "Exists" }] }) };
    expect(foreign(placementViolations(model, blue, exists))).toEqual([]);
  });

  it("requirements of one term are ANDed: an In the same term's NotIn excludes reaches nothing of it", () => {
    const spec = { affinity: required({ matchExpressions: [{ key: KEY, operator: "In", values: ["blue", "green"] }, { key: KEY, operator: "NotIn", values: ["green"] }] }) };
    expect(foreign(placementViolations(model, undefined, spec))).toEqual(['foreign-node-selection: node affinity on node-restriction.kubernetes.io/tenant In reaches tenant "blue"\'s nodes']);
  });

  it("terms are ORed: each term that reaches another tenant is reported at its own path", () => {
    const spec = { affinity: required({ matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] }, { matchExpressions: [{ key: KEY, operator: "In", values: ["green"] }] }) };
    const violations = placementViolations(model, undefined, spec);
    expect(violations.map((v) => v.path.join("."))).toEqual(["affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.1.matchExpressions.0"]);
  });

  it("matchFields metadata.name naming another tenant's node is a foreign node name, like spec.nodeName", () => {
    const nodes: Record<string, Record<string, string>> = { "node-g1": { [KEY]: "green", zone: "a" }, "node-b1": { [KEY]: "blue" } };
    const lookup = (name: string) => nodes[name];
    const pinned = { affinity: required({ matchFields: [{ key: "metadata.name", operator: "In", values: ["node-g1"] }] }) };
    expect(foreign(placementViolations(model, undefined, pinned, lookup))).toEqual(['foreign-node-name: node affinity names node node-g1, a node of tenant "green"']);
    // Within the same term, an expression the node fails means the term can never place the pod there.
    const impossible = { affinity: required({ matchFields: [{ key: "metadata.name", operator: "In", values: ["node-g1"] }], matchExpressions: [{ key: "zone", operator: "In", values: ["b"] }] }) };
    expect(foreign(placementViolations(model, undefined, impossible, lookup))).toEqual([]);
    expect(foreign(placementViolations(model, blue, { ...ownPlacement, affinity: required({ matchFields: [{ key: "metadata.name", operator: "In", values: ["node-b1"] }] }) }, lookup))).toEqual([]);
  });

  it("property: a reported foreign selection is one the scheduler could make (a node with that tenant's label passes nodeSelector and the required terms)", () => {
    const requirement = fc.record({
      key: fc.constant(KEY),
      operator: fc.constantFrom("In", "NotIn", "Exists", "DoesNotExist"),
      values: fc.subarray(["blue", "green", "red"], { minLength: 1 }),
    }).map((r) => (r.operator === "Exists" || r.operator === "DoesNotExist" ? { key: r.key, operator: r.operator } : r));
    const term = fc.array(requirement, { minLength: 1, maxLength: 3 }).map((matchExpressions) => ({ matchExpressions }));
    fc.assert(
      fc.property(fc.array(term, { minLength: 1, maxLength: 3 }), fc.constantFrom(undefined, "blue", "green"), (terms, selected) => {
        const spec = { affinity: required(...terms), ...(selected ? { nodeSelector: { [KEY]: selected } } : {}) };
        for (const v of placementViolations(model, undefined, spec)) {
          // A nodeSelector naming another tenant is reported on its own; here only what affinity reaches.
          if (v.rule !== "foreign-node-selection" || v.path[0] !== "affinity") continue;
          const tenant = model.tenants.find((t) => v.message.includes(`"${t.name}"`))!;
          const labels = { [KEY]: tenant.nodeLabel.value };
          const passesSelector = selected === undefined || selected === tenant.nodeLabel.value;
          const passesTerms = terms.some((t) => t.matchExpressions.every((r) => matchesRequirement(r, labels)));
          expect(passesSelector && passesTerms).toBe(true);
        }
      }),
    );
  });
});
