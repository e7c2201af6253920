/**
 * The tenancy mutation adds the tenant's toleration only when the pod lacks it. An omitted
 * or empty operator is Equal (core/v1 ToleratesTaint: `case "", TolerationOpEqual`), so a
 * pod that already carries the toleration with `operator: ""` gets no second copy.
 */
import { describe, expect, it } from "vitest";
import { applyPatch } from "../../src/admission/pipeline.js";
import { tenantPlacementPatch, type Tenant } from "../../src/tenancy/tenants.js";

const blue: Tenant = { name: "blue", taint: { key: "palisade.dev/tenant", value: "blue", effect: "NoSchedule" }, nodeLabel: { key: "node-restriction.kubernetes.io/tenant", value: "blue" } };
const nodeSelector = { "node-restriction.kubernetes.io/tenant": "blue" };

describe("tenant placement patch: the default operator", () => {
  for (const operator of [undefined, "", "Equal"]) {
    it(`a toleration with operator ${JSON.stringify(operator)} already places the pod: no patch`, () => {
      const toleration: Record<string, unknown> = { key: "palisade.dev/tenant", value: "blue", effect: "NoSchedule" };
      if (operator !== undefined) toleration.operator = operator;
      expect(tenantPlacementPatch(blue, { tolerations: [toleration], nodeSelector }, "/spec")).toEqual([]);
    });
  }

  it("patches null tolerations and nodeSelector by replacing them, and is idempotent afterwards", () => {
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [], tolerations: null, nodeSelector: null } };
    const ops = tenantPlacementPatch(blue, pod.spec, "/spec");
    const spec = applyPatch(pod, ops).spec as Record<string, unknown>;
    expect(spec.tolerations).toEqual([{ key: "palisade.dev/tenant", operator: "Equal", value: "blue", effect: "NoSchedule" }]);
    expect(spec.nodeSelector).toEqual(nodeSelector);
    expect(tenantPlacementPatch(blue, spec, "/spec")).toEqual([]);
  });
});
