/**
 * A workload defined twice, differently, is an input error: the report judges the last
 * copy, as kubectl apply -f leaves it, and the files may not be applied in that order.
 * Copies that are the same are no error.
 */
import { describe, expect, it } from "vitest";
import type { K8sObject } from "../../src/k8s/types.js";
import { conflictingWorkloads } from "../../src/posture/duplicates.js";
import { loadedObject } from "../support/snapshot.js";

function pod(name: string, spec: Record<string, unknown>, metadata: Record<string, unknown> = { namespace: "a" }): K8sObject {
  return { apiVersion: "v1", kind: "Pod", metadata: { name, ...metadata }, spec: { containers: [{ name: "c", image: "nginx" }], ...spec } };
}

describe("posture: workloads defined more than once", () => {
  it("two definitions that differ (no token, then a token) are one problem naming the workload and both places", () => {
    const problems = conflictingWorkloads([pod("p", { automountServiceAccountToken: false }), pod("p", { automountServiceAccountToken: true }), pod("q", {})].map(loadedObject));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ kind: "invalid-object" });
    expect(problems[0]!.message).toMatch(/^a\/Pod\/p is defined 2 times, differently \(.+, .+\): /);
    expect(problems[0]!.message).toContain("this report judges the last definition's identity, reach and data, as kubectl apply -f leaves it");
    expect(problems[0]!.hint).toContain("keep one definition");
  });

  it("copies that are the same, with the namespace written or left to default, are no problem", () => {
    expect(conflictingWorkloads([pod("p", {}), pod("p", {})].map(loadedObject))).toEqual([]);
    expect(conflictingWorkloads([pod("p", {}, {}), pod("p", {}, { namespace: "default" })].map(loadedObject))).toEqual([]);
  });

  it("the same name in other namespaces or kinds, or only a generateName, is not a duplicate", () => {
    const deployment: K8sObject = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "p", namespace: "a" }, spec: { template: { spec: { containers: [{ name: "c", image: "nginx" }] } } } };
    expect(conflictingWorkloads([pod("p", {}), pod("p", { hostNetwork: true }, { namespace: "b" }), deployment].map(loadedObject))).toEqual([]);
    expect(conflictingWorkloads([pod("", {}, { namespace: "a", generateName: "w-" }), pod("", { hostNetwork: true }, { namespace: "a", generateName: "w-" })].map(loadedObject))).toEqual([]);
  });
});
