/**
 * Rule fields that parse but that Calico's v3 validator (libcalico-go lib/validator/v3)
 * refuses: the API server rejects such a policy, so Palisade must not evaluate it as if it
 * were enforced.
 */
import { describe, expect, it } from "vitest";
import { compile } from "./fixtures.js";

const policy = (rule: string): string => `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: p}\nspec:\n  ingress:\n  - ${rule}`;

function refused(rule: string): Array<[string, string]> {
  return compile(policy(rule)).refused.map((r) => [r.path.join("."), r.message]);
}

describe("rule ports: validatePort wants 1..65535", () => {
  it.each([
    ["a single port 0", "{action: Allow, protocol: TCP, destination: {ports: [0]}}", "spec.ingress.0.destination.ports.0"],
    ["a range from 0", `{action: Allow, protocol: TCP, source: {ports: ["0:80"]}}`, "spec.ingress.0.source.ports.0"],
    ["port 0 in notPorts", "{action: Deny, protocol: UDP, destination: {notPorts: [0]}}", "spec.ingress.0.destination.notPorts.0"],
  ])("refuses %s", (_name, rule, path) => {
    expect(refused(rule)).toEqual([[path, expect.stringMatching(/1\.\.65535/)]]);
  });

  it("accepts 1, 65535 and 1:65535", () => {
    expect(refused(`{action: Allow, protocol: TCP, destination: {ports: [1, 65535, "1:65535"]}}`)).toEqual([]);
  });
});

describe("rule nets: the `net` tag wants strictly masked CIDRs", () => {
  it.each([
    ["an IPv4 CIDR with host bits", `{action: Allow, source: {nets: ["10.0.0.1/8"]}}`, "spec.ingress.0.source.nets.0", /write 10\.0\.0\.0\/8/],
    ["an IPv6 notNet with host bits", `{action: Allow, destination: {notNets: ["ffe2::1/16"]}}`, "spec.ingress.0.destination.notNets.0", /write ffe2::\/16/],
  ])("refuses %s", (_name, rule, path, message) => {
    expect(refused(rule)).toEqual([[path, expect.stringMatching(message)]]);
  });

  it("accepts masked CIDRs and bare addresses", () => {
    expect(refused(`{action: Allow, source: {nets: ["10.0.0.0/8", "10.1.2.3", "10.1.2.3/32"], notNets: ["0.0.0.0/0"]}}`)).toEqual([]);
  });

  it("still lets a NetworkSet's nets have host bits (their tag is `cidr`)", () => {
    const set = compile(`apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata: {name: s, labels: {a: b}}\nspec: {nets: ["10.0.0.1/8"]}`);
    expect(set.refused).toEqual([]);
  });
});

describe("icmp: validateRule checks the protocol whenever the icmp object is given", () => {
  it("refuses an empty icmp object on a TCP rule", () => {
    expect(refused("{action: Allow, protocol: TCP, icmp: {}}")).toEqual([["spec.ingress.0.icmp", expect.stringMatching(/protocol to ICMP/)]]);
  });

  it("accepts an empty icmp object with protocol ICMP", () => {
    expect(refused("{action: Allow, protocol: ICMP, icmp: {}}")).toEqual([]);
  });
});
