/**
 * applyOnForward adds a policy to host endpoints' forwarding chains; Felix still places it in
 * the normal tiers of the workload endpoints it selects (felix/calc/event_sequencer.go,
 * tierInfoToProtoTierInfo). So for pods it must give exactly the verdicts it gives without.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { K8sObject } from "../../../src/k8s/types.js";
import { evaluateConnection } from "../../../src/network/evaluate.js";
import { compileCalico } from "../../../src/network/calico/tiers.js";
import { external, packet, pod } from "./fixtures.js";

const rule = fc.record(
  {
    action: fc.constantFrom("Allow", "Deny", "Pass", "Log"),
    protocol: fc.constantFrom("TCP", "UDP"),
    source: fc.constantFrom({}, { nets: ["192.0.2.0/24"] }, { selector: "app == 'api'" }),
  },
  { requiredKeys: ["action"] },
);
const policy = fc.record({
  order: fc.option(fc.constantFrom(1, 5, 10), { nil: undefined }),
  selector: fc.constantFrom("all()", "app == 'web'", "app == 'api'"),
  ingress: fc.array(rule, { maxLength: 3 }),
  egress: fc.array(rule, { maxLength: 3 }),
  applyOnForward: fc.boolean(),
});

type GeneratedPolicy = typeof policy extends fc.Arbitrary<infer T> ? T : never;

const endpoints = [pod("shop", "web", { app: "web" }, { ips: ["10.0.0.1"] }), pod("shop", "api", { app: "api" }, { ips: ["10.0.0.2"] }), external("192.0.2.9"), external("198.51.100.9")];

function objectsOf(policies: GeneratedPolicy[], forward: (p: GeneratedPolicy) => boolean): { object: K8sObject }[] {
  return policies.map((p, i) => {
    const { applyOnForward: _ignored, order, ...spec } = p;
    return {
      object: {
        apiVersion: "projectcalico.org/v3",
        kind: "GlobalNetworkPolicy",
        metadata: { name: `p${i}` },
        spec: { ...spec, ...(order === undefined ? {} : { order }), ...(forward(p) ? { applyOnForward: true } : {}) },
      },
    };
  });
}

describe("applyOnForward and workload endpoints", () => {
  it("gives every pod connection the verdict the same policies give without it", () => {
    fc.assert(
      fc.property(fc.array(policy, { minLength: 1, maxLength: 4 }), fc.constantFrom(...endpoints), fc.constantFrom(...endpoints), fc.constantFrom("TCP" as const, "UDP" as const), (policies, src, dst, protocol) => {
        const withFlag = compileCalico(objectsOf(policies, (p) => p.applyOnForward));
        const without = compileCalico(objectsOf(policies, () => false));
        expect(withFlag.refused).toEqual([]);
        const p = packet(src, dst, protocol, 80);
        expect(evaluateConnection(withFlag.tiers, p).allowed).toBe(evaluateConnection(without.tiers, p).allowed);
      }),
      { numRuns: 200 },
    );
  });
});
