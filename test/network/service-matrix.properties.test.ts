/**
 * `netpol matrix --services` reads the set engine (the matrix); `explain --to svc/NAME`
 * evaluates packets. For random clusters, Services and policies, the backends a row lists
 * must be exactly those explain allows, and a row must exist exactly when explain allows one.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { K8sObject, LoadedObject } from "../../src/k8s/types.js";
import type { Endpoints } from "../../src/network/endpoints.js";
import { computeMatrix } from "../../src/network/matrix.js";
import { buildPolicySet } from "../../src/network/policy-set.js";
import { explainThroughService } from "../../src/network/service-explain.js";
import { computeServiceMatrix } from "../../src/network/service-matrix.js";
import { readServices, routeThroughService } from "../../src/network/services.js";
import { adminPolicies, NAMESPACES, networkPolicies, pods } from "./arbitraries.js";

const SERVICE_PORTS = [
  { port: 80, targetPort: "http" as string | number },
  { port: 81, targetPort: 8080 },
  { port: 53, protocol: "UDP", targetPort: "dns" },
  { port: 9000, targetPort: "metrics" },
  { port: 8443, protocol: "SCTP", targetPort: "http" },
];

const randomService = fc.record({
  namespace: fc.constantFrom<string>(...NAMESPACES),
  selector: fc.dictionary(fc.constantFrom("app", "tier"), fc.constantFrom("x", "y", "z"), { minKeys: 1, maxKeys: 2 }),
  ports: fc.subarray(SERVICE_PORTS, { minLength: 1 }),
});

/**
 * A random selector seldom matches a small random cluster, so most runs would compare empty rows;
 * half the Services therefore select a pod of the cluster by its own labels and namespace.
 */
const clusterWithServices = pods.chain((cluster) => {
  const labelled = cluster.filter((pod) => Object.keys(pod.labels).length > 0);
  const podService = labelled.length === 0 ? randomService : fc.record({
    pod: fc.constantFrom(...labelled),
    ports: fc.subarray(SERVICE_PORTS, { minLength: 1 }),
  }).map(({ pod, ports }) => ({ namespace: pod.namespace, selector: pod.labels, ports }));
  return fc.tuple(fc.constant(cluster), fc.array(fc.oneof(randomService, podService), { minLength: 1, maxLength: 3 }));
});

describe("Service rows of the matrix", () => {
  it("list exactly the backends explain allows through each Service port", () => {
    // Runs in which an allowed, and a denied, backend came up: each run is an independent draw,
    // so these counts are binomial (about 58 and 44 of 150 over 30 seeds, never under 31).
    let runsWithAllowed = 0;
    let runsWithDenied = 0;
    fc.assert(
      fc.property(clusterWithServices, networkPolicies, adminPolicies, ([cluster, specs], nps, admin) => {
        const objects = specs.map((s, i) => ({ object: { apiVersion: "v1", kind: "Service", metadata: { name: `s${i}`, namespace: s.namespace }, spec: { selector: s.selector, ports: s.ports } } as K8sObject }) as LoadedObject);
        const services = readServices(objects);
        const endpoints: Endpoints = { workloads: cluster.map((endpoint) => ({ endpoint, source: { object: { kind: "Pod" } } as LoadedObject, podNames: [], folded: [] })), namespaces: new Map() };
        const tiers = buildPolicySet([...nps, ...admin].map((object) => ({ object }))).tiers;
        const matrix = computeMatrix(tiers, cluster);
        let allowedSeen = 0;
        let deniedSeen = 0;
        const rows = [...computeServiceMatrix(matrix, tiers, services, endpoints, objects).rows()];
        for (const source of cluster) {
          for (const service of services) {
            for (const port of service.ports) {
              const route = routeThroughService(service, port.protocol, port.port, endpoints, objects);
              const explained = explainThroughService(tiers, source, route, { protocol: port.protocol, port: port.port });
              // A row leaves the workload itself out of the backends.
              const others = explained.backends.filter((b) => b.endpoint !== explained.from);
              const expected = others.filter((b) => b.explanation.allowed).map((b) => ({ endpoint: b.endpoint, port: b.port }));
              const row = rows.find((r) => r.from === explained.from && r.service === explained.service && r.port === port.port && r.protocol === port.protocol);
              expect({ source: explained.from, service: explained.service, port: port.port, allowed: row?.allowed ?? [] }).toEqual({ source: explained.from, service: explained.service, port: port.port, allowed: expected });
              if (row) expect(row.backends).toBe(others.length);
              allowedSeen += expected.length;
              deniedSeen += others.length - expected.length;
            }
          }
        }
        if (allowedSeen > 0) runsWithAllowed++;
        if (deniedSeen > 0) runsWithDenied++;
      }),
      { numRuns: 150 },
    );
    // Both answers must have come up, or the comparison proved little.
    expect(runsWithAllowed).toBeGreaterThanOrEqual(10);
    expect(runsWithDenied).toBeGreaterThanOrEqual(10);
  });
});
