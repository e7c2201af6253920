/**
 * Whatever shape a workload, Service, Ingress, Gateway API object, ServiceAccount or binding
 * has (values of the wrong type where the posture reads), buildPosture gives a report, never
 * an exception.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { K8sObject } from "../../src/k8s/types.js";
import { buildPosture } from "../../src/posture/build.js";
import { runScan } from "../../src/scan/run.js";
import { gatewayObjects } from "../support/gateway-arbitraries.js";
import { snapshotOf } from "../support/snapshot.js";

/** Anything, and sometimes the right shape. */
const value = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constant(true), fc.constant("LoadBalancer"), fc.constant({ name: "s" }), fc.constant([{ name: "s" }]));
const podSpec = fc.dictionary(fc.constantFrom("serviceAccountName", "automountServiceAccountToken", "hostNetwork", "containers", "initContainers", "ephemeralContainers", "volumes"), value);
const container = fc.dictionary(fc.constantFrom("name", "env", "envFrom", "ports", "securityContext"), value);

const objects = fc.tuple(podSpec, fc.array(container, { maxLength: 2 }), value, value, value, value).map(([spec, containers, selector, type, rules, automount]): K8sObject[] => [
  { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d", namespace: "n" }, spec: { template: { metadata: { labels: { app: "a" } }, spec: { ...spec, ...(containers.length ? { containers } : {}) } } } },
  { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "n", ownerReferences: [{ kind: "ReplicaSet", name: "r", controller: true }] }, spec: { ...spec } },
  { apiVersion: "v1", kind: "Service", metadata: { name: "s", namespace: "n" }, spec: { selector, type } },
  { apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: "i", namespace: "n" }, spec: { rules, defaultBackend: selector } },
  { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "s", namespace: "n" }, automountServiceAccountToken: automount },
  { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name: "b", namespace: "n" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "edit" }, subjects: [{ kind: "ServiceAccount", name: "s", namespace: "n" }] },
]);

/** The posture of these objects, as the CLI builds it; a rule family that throws (runScan reports it as a problem) fails the property. */
function postureOfObjects(list: K8sObject[]) {
  const snapshot = snapshotOf(...list);
  const now = new Date();
  const scan = runScan(snapshot, { now });
  expect(scan.problems).toEqual([]);
  return buildPosture(snapshot, scan, { source: "f.yaml", now, tool: { name: "palisade", version: "test" } });
}

describe("hostile input to posture", () => {
  it("objects of any shape where posture reads give a report, never an exception", () => {
    fc.assert(
      fc.property(objects, (list) => {
        for (const w of postureOfObjects(list).workloads) expect(w.score).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 300 },
    );
  });

  it("Gateway API objects of any shape give a report, never an exception", () => {
    fc.assert(
      fc.property(gatewayObjects, (list) => {
        expect(postureOfObjects(list).workloads).toHaveLength(1);
      }),
      { numRuns: 300 },
    );
  });
});
