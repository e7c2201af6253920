import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyPatch } from "../../src/admission/pipeline.js";
import { isNodeRestrictedLabel, placementViolations, tenantOfNamespace, tenantPlacementPatch, type TenancyModel } from "../../src/tenancy/tenants.js";

const model: TenancyModel = {
  namespaceLabel: "palisade.dev/tenant",
  tenants: [
    { name: "blue", taint: { key: "palisade.dev/tenant", value: "blue", effect: "NoSchedule" }, nodeLabel: { key: "node-restriction.kubernetes.io/tenant", value: "blue" } },
    { name: "green", taint: { key: "palisade.dev/tenant", value: "green", effect: "NoExecute" }, nodeLabel: { key: "node-restriction.kubernetes.io/tenant", value: "green" } },
  ],
};
const blue = model.tenants[0]!;
const rules = (v: { rule: string }[]) => v.map((x) => x.rule).sort();

describe("tenant placement", () => {
  it("reads the namespace's tenant, flags unknown tenants", () => {
    expect(tenantOfNamespace(model, { "palisade.dev/tenant": "blue" })).toBe(blue);
    expect(tenantOfNamespace(model, { "palisade.dev/tenant": "red" })).toBe("unknown");
    expect(tenantOfNamespace(model, {})).toBeUndefined();
  });

  it("the injected placement satisfies isolation, and injecting twice changes nothing", () => {
    const spec = { containers: [{ name: "a", image: "a" }], tolerations: [{ key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 }], nodeSelector: { disk: "ssd" } };
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec };
    const patched = applyPatch(pod, tenantPlacementPatch(blue, spec, "/spec"));
    const patchedSpec = patched.spec as Record<string, unknown>;
    expect(placementViolations(model, blue, patchedSpec)).toEqual([]);
    expect(patchedSpec.nodeSelector).toEqual({ disk: "ssd", "node-restriction.kubernetes.io/tenant": "blue" });
    expect(tenantPlacementPatch(blue, patchedSpec, "/spec")).toEqual([]);
  });

  it("refuses wildcard tolerations, foreign selectors and affinity, and missing placement", () => {
    expect(rules(placementViolations(model, blue, { tolerations: [{ operator: "Exists" }] }))).toEqual(["foreign-toleration", "missing-tenant-placement"]);
    expect(rules(placementViolations(model, undefined, { nodeSelector: { "node-restriction.kubernetes.io/tenant": "green" } }))).toEqual(["foreign-node-selection"]);
    const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "node-restriction.kubernetes.io/tenant", operator: "In", values: ["green", "blue"] }] }] } } };
    expect(rules(placementViolations(model, undefined, { affinity }))).toEqual(["foreign-node-selection", "foreign-node-selection"]);
    const notIn = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "node-restriction.kubernetes.io/tenant", operator: "NotIn", values: ["green"] }] }] } } };
    expect(placementViolations(model, undefined, { affinity: notIn })).toEqual([]);
    expect(rules(placementViolations(model, "unknown", {}))).toEqual(["unknown-tenant"]);
  });

  it("a pod of no tenant may tolerate a tenant's taint only by value-specific toleration of its own (property)", () => {
    const toleration = fc.record(
      { key: fc.constantFrom("", "palisade.dev/tenant", "other"), operator: fc.constantFrom("Equal", "Exists", ""), value: fc.constantFrom("", "blue", "green"), effect: fc.constantFrom("", "NoSchedule", "NoExecute", "PreferNoSchedule") },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.array(toleration, { maxLength: 4 }), (tolerations) => {
        const violations = placementViolations(model, blue, { tolerations, nodeSelector: { "node-restriction.kubernetes.io/tenant": "blue" } });
        const reachesGreen = tolerations.some((t) => {
          const effectOk = !t.effect || t.effect === "NoExecute";
          const keyOk = !t.key || t.key === "palisade.dev/tenant";
          const valueOk = t.operator === "Exists" || (t.value ?? "") === "green";
          return effectOk && keyOk && valueOk;
        });
        expect(violations.some((v) => v.rule === "foreign-toleration")).toBe(reachesGreen);
      }),
    );
  });

  it("node-restriction labels: the prefix and its subdomains only", () => {
    expect(isNodeRestrictedLabel("node-restriction.kubernetes.io/tenant")).toBe(true);
    expect(isNodeRestrictedLabel("example.node-restriction.kubernetes.io/tenant")).toBe(true);
    expect(isNodeRestrictedLabel("node-restriction.kubernetes.io.evil.com/tenant")).toBe(false);
    expect(isNodeRestrictedLabel("tenant")).toBe(false);
  });
});
