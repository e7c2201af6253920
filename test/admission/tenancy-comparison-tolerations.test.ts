/**
 * The webhook's tenancy policy refuses a Gt/Lt toleration that, on a cluster with the alpha
 * TaintTolerationComparisonOperators gate, tolerates another tenant's numeric taint (see
 * test/tenancy/comparison-tolerations.test.ts); on UPDATE only when the update adds it.
 */
import { describe, expect, it } from "vitest";
import { ClusterState } from "../../src/admission/cluster-state.js";
import { validateAdmission } from "../../src/admission/pipeline.js";
import { tenancyPolicy } from "../../src/admission/policies/tenancy.js";
import type { TenancyModel } from "../../src/tenancy/tenants.js";
import { namespace, pod, review } from "./fixtures.js";

const MODEL: TenancyModel = {
  namespaceLabel: "example.com/tenant",
  tenants: [{ name: "t1001", taint: { key: "example.com/tenant", value: "1001", effect: "NoSchedule" }, nodeLabel: { key: "node-restriction.kubernetes.io/tenant", value: "1001" } }],
};
const NOW = new Date("2026-06-01T00:00:00Z");

function cluster(): ClusterState {
  const state = new ClusterState();
  state.seed([namespace("default")]);
  return state;
}

describe("admission tenancy: Gt/Lt tolerations", () => {
  const policies = [tenancyPolicy(MODEL, "enforce")];
  const lt = { key: "example.com/tenant", operator: "Lt", value: "99999" };

  it("a pod outside every tenant that tolerates a tenant's taint by comparison is denied", () => {
    const response = validateAdmission(review(pod("p", "default", { tolerations: [lt] })), { policies, cluster: cluster(), now: NOW }).response;
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toMatch(/tolerates tenant "t1001"'s taint/);
  });

  it("an update that leaves such a toleration as it was is not refused", () => {
    const old = pod("p", "default", { tolerations: [lt] });
    const updated = pod("p", "default", { tolerations: [lt] }, { labels: { a: "b" } });
    const response = validateAdmission(review(updated, { operation: "UPDATE", oldObject: old }), { policies, cluster: cluster(), now: NOW }).response;
    expect(response.allowed).toBe(true);
  });
});
