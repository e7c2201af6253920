/**
 * Gt/Lt tolerations (alpha TaintTolerationComparisonOperators, Kubernetes v1.35) against a
 * tenant whose taint value is a number. With the gate on, the API server accepts them and the
 * scheduler compares the values as integers, so `Lt 99999` tolerates `tenant=1001:NoSchedule`:
 * isolation must refuse it whatever the cluster's gates, since the webhook cannot see them.
 */
import { describe, expect, it } from "vitest";
import { toleratesTaint } from "../../src/tenancy/taints.js";
import { placementViolations, type TenancyModel } from "../../src/tenancy/tenants.js";

const model: TenancyModel = {
  namespaceLabel: "example.com/tenant",
  tenants: [
    { name: "t1001", taint: { key: "example.com/tenant", value: "1001", effect: "NoSchedule" }, nodeLabel: { key: "node-restriction.kubernetes.io/tenant", value: "1001" } },
    { name: "t1002", taint: { key: "example.com/tenant", value: "1002", effect: "NoSchedule" }, nodeLabel: { key: "node-restriction.kubernetes.io/tenant", value: "1002" } },
  ],
};
const t1001 = model.tenants[0]!;
const foreign = (v: { rule: string }[]) => v.filter((x) => x.rule === "foreign-toleration").length;

describe("tenancy: numeric comparison tolerations", () => {
  it("upstream: with the gate on, Lt 99999 tolerates a taint valued 1001 (the premise)", () => {
    expect(toleratesTaint({ key: "example.com/tenant", operator: "Lt", value: "99999" }, t1001.taint, { comparisonOperators: true }).tolerated).toBe(true);
    expect(toleratesTaint({ key: "example.com/tenant", operator: "Lt", value: "99999" }, t1001.taint).tolerated).toBe(false);
  });

  it("a pod of no tenant with Lt/Gt on the tenant taint key is refused for every tenant it reaches", () => {
    expect(foreign(placementViolations(model, undefined, { tolerations: [{ key: "example.com/tenant", operator: "Lt", value: "99999" }] }))).toBe(2);
    expect(foreign(placementViolations(model, undefined, { tolerations: [{ key: "example.com/tenant", operator: "Gt", value: "1001" }] }))).toBe(1);
  });

  it("a tenant's pod may compare only within its own value", () => {
    const nodeSelector = { "node-restriction.kubernetes.io/tenant": "1001" };
    // Gt 1000 reaches 1001 (own) and 1002 (foreign); Lt 1002 reaches only its own 1001.
    expect(foreign(placementViolations(model, t1001, { tolerations: [{ key: "example.com/tenant", operator: "Gt", value: "1000" }], nodeSelector }))).toBe(1);
    expect(foreign(placementViolations(model, t1001, { tolerations: [{ key: "example.com/tenant", operator: "Lt", value: "1002" }], nodeSelector }))).toBe(0);
  });

  it("a comparison that cannot match (non-numeric tenant values) is not refused", () => {
    const named: TenancyModel = { ...model, tenants: [{ ...t1001, taint: { key: "example.com/tenant", value: "blue", effect: "NoSchedule" } }] };
    expect(placementViolations(named, undefined, { tolerations: [{ key: "example.com/tenant", operator: "Gt", value: "0" }] })).toEqual([]);
  });
});
