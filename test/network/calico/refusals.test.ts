import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadSnapshot } from "../../../src/k8s/load.js";
import { checkCalico } from "../../../src/network/calico/family.js";
import { allowed, compile, external, packet, pod } from "./fixtures.js";

const v3 = "apiVersion: projectcalico.org/v3";

function refusals(yaml: string): Array<[string, string, string]> {
  return compile(yaml).refused.map((r) => [r.reason, r.path.join("."), r.message]);
}

describe("features Palisade cannot evaluate are refused by name", () => {
  it.each([
    ["http rules", `kind: GlobalNetworkPolicy\nmetadata: {name: p}\nspec:\n  ingress: [{action: Allow, http: {methods: [GET]}}]`, "spec.ingress.0.http", /application-layer http/],
    ["preDNAT", `kind: GlobalNetworkPolicy\nmetadata: {name: p}\nspec: {preDNAT: true, applyOnForward: true, ingress: [{action: Deny}]}`, "spec.preDNAT", /preDNAT/],
    ["doNotTrack", `kind: GlobalNetworkPolicy\nmetadata: {name: p}\nspec: {doNotTrack: true, applyOnForward: true}`, "spec.doNotTrack", /doNotTrack/],
    ["HostEndpoint", `kind: HostEndpoint\nmetadata: {name: h}\nspec: {node: n1, interfaceName: eth0}`, "kind", /HostEndpoint/],
    ["custom Profile", `kind: Profile\nmetadata: {name: p}\nspec: {ingress: [{action: Deny}]}`, "kind", /Profile rules/],
  ])("%s", (_name, body, path, message) => {
    const refused = compile(`${v3}\n${body}`).refused;
    const match = refused.find((r) => r.path.join(".") === path);
    expect(match?.reason).toBe("unsupported");
    expect(match?.message).toMatch(message);
  });

  it("applyOnForward: false changes nothing and is accepted", () => {
    expect(refusals(`${v3}\nkind: GlobalNetworkPolicy\nmetadata: {name: p}\nspec: {applyOnForward: false, ingress: [{action: Allow}]}`)).toEqual([]);
  });

  // Felix's event sequencer puts an applyOnForward policy in the normal tiers of the workload
  // endpoints it selects as well (felix/calc/event_sequencer.go, tierInfoToProtoTierInfo):
  // leaving it out would answer "allowed" for traffic it denies.
  it("applyOnForward: true is evaluated for the pods it selects, with a notice", () => {
    const set = compile(`${v3}\nkind: GlobalNetworkPolicy\nmetadata: {name: p}\nspec: {applyOnForward: true, selector: "app == 'web'", ingress: [{action: Deny, source: {nets: [192.0.2.0/24]}}]}`);
    expect(set.refused).toEqual([]);
    expect(set.notices.map((n) => n.message)).toEqual([expect.stringMatching(/GlobalNetworkPolicy\/p has applyOnForward: evaluated for the pods it selects/)]);
    expect(allowed(set.tiers, packet(external("192.0.2.7"), pod("shop", "w", { app: "web" }), "TCP", 80))).toBe(false);
    expect(allowed(set.tiers, packet(external("198.51.100.7"), pod("shop", "w", { app: "web" }), "TCP", 80))).toBe(false);
    expect(allowed(set.tiers, packet(external("192.0.2.7"), pod("shop", "db", { app: "db" }), "TCP", 80))).toBe(true);
  });

  // libcalico-go's validator checks global() in policy selectors, an entity's selector and
  // namespaceSelector only; elsewhere it is a term that matches every label map.
  it("global() in a notSelector or a serviceAccounts selector is accepted and matches like all()", () => {
    const set = compile(`${v3}\nkind: GlobalNetworkPolicy\nmetadata: {name: p}\nspec:\n  selector: "app == 'web'"\n  ingress:\n  - {action: Allow, source: {notSelector: "global()"}}\n  - {action: Allow, source: {serviceAccounts: {selector: "global() && has(a)"}}}`);
    expect(set.refused).toEqual([]);
    const web = pod("shop", "w", { app: "web" });
    // Every endpoint is in the set of global() (so excluded by the notSelector); an address
    // outside every endpoint and network set is not, as in Felix's IP sets.
    expect(allowed(set.tiers, packet(pod("shop", "c", {}), web, "TCP", 80))).toBe(false);
    expect(allowed(set.tiers, packet(external("192.0.2.1"), web, "TCP", 80))).toBe(true);
  });

  it("a staged deletion with only its tier (and zero values) is accepted", () => {
    expect(refusals(`${v3}\nkind: StagedNetworkPolicy\nmetadata: {name: p, namespace: a}\nspec: {stagedAction: Delete, tier: default, selector: "", ingress: []}`)).toEqual([]);
  });

  it("ICMP with ipVersion 4 and ICMPv6 with ipVersion 6 are accepted", () => {
    expect(refusals(`${v3}\nkind: GlobalNetworkPolicy\nmetadata: {name: p}\nspec:\n  ingress: [{action: Allow, protocol: ICMP, ipVersion: 4}, {action: Allow, protocol: ICMPv6, ipVersion: 6}]`)).toEqual([]);
  });

  it("applyOnForward that is not a boolean is invalid", () => {
    expect(refusals(`${v3}\nkind: GlobalNetworkPolicy\nmetadata: {name: p}\nspec: {applyOnForward: "yes"}`)).toEqual([["invalid", "spec.applyOnForward", 'expected true or false, found string "yes"']]);
  });
});

describe("what Calico's validator rejects is refused as invalid", () => {
  it.each([
    ["ports without a port protocol", `kind: GlobalNetworkPolicy\nmetadata: {name: p}\nspec:\n  ingress: [{action: Allow, destination: {ports: [80]}}]`, "spec.ingress.0.destination.ports", /must set protocol to TCP or UDP or SCTP/],
    ["UDPLite carries no ports in Calico", `kind: GlobalNetworkPolicy\nmetadata: {name: p}\nspec:\n  ingress: [{action: Allow, protocol: UDPLite, destination: {ports: [80]}}]`, "spec.ingress.0.destination.ports", /must set protocol/],
    ["icmp without protocol ICMP", `kind: GlobalNetworkPolicy\nmetadata: {name: p}\nspec:\n  ingress: [{action: Allow, icmp: {type: 8}}]`, "spec.ingress.0.icmp", /protocol to ICMP/],
    ["protocol ICMP with ipVersion 6", `kind: GlobalNetworkPolicy\nmetadata: {name: p}\nspec:\n  ingress: [{action: Allow, protocol: ICMP, ipVersion: 6}]`, "spec.ingress.0.ipVersion", /must set ipVersion to 4 with protocol ICMP/],
    ["notProtocol ICMPv6 with ipVersion 4", `kind: GlobalNetworkPolicy\nmetadata: {name: p}\nspec:\n  ingress: [{action: Allow, notProtocol: ICMPv6, ipVersion: 4}]`, "spec.ingress.0.ipVersion", /must set ipVersion to 6 with protocol ICMPv6/],
    ["ICMP code without type", `kind: GlobalNetworkPolicy\nmetadata: {name: p}\nspec:\n  ingress: [{action: Allow, protocol: ICMP, icmp: {code: 1}}]`, "spec.ingress.0.icmp.code", /without an ICMP type/],
    ["lower-case protocol", `kind: GlobalNetworkPolicy\nmetadata: {name: p}\nspec:\n  ingress: [{action: Allow, protocol: tcp}]`, "spec.ingress.0.protocol", /write TCP/],
    ["protocol 0", `kind: GlobalNetworkPolicy\nmetadata: {name: p}\nspec:\n  ingress: [{action: Allow, protocol: 0}]`, "spec.ingress.0.protocol", /protocol number invalid/],
    ["bad selector with its column", `kind: NetworkPolicy\nmetadata: {name: p, namespace: a}\nspec: {selector: "app == web"}`, "spec.selector", /column 8/],
    ["global() outside a namespaceSelector", `kind: GlobalNetworkPolicy\nmetadata: {name: p}\nspec: {selector: "global()"}`, "spec.selector", /global\(\) can only be used/],
    ["global() combined in a namespaceSelector", `kind: GlobalNetworkPolicy\nmetadata: {name: p}\nspec:\n  ingress: [{action: Allow, source: {namespaceSelector: "global() && has(a)"}}]`, "spec.ingress.0.source.namespaceSelector", /cannot be combined/],
    ["unknown action", `kind: GlobalNetworkPolicy\nmetadata: {name: p}\nspec:\n  ingress: [{action: Accept}]`, "spec.ingress.0.action", /expected Allow, Deny, Log or Pass/],
    ["a typo in a field name", `kind: GlobalNetworkPolicy\nmetadata: {name: p}\nspec:\n  ingress: [{action: Allow, source: {selectr: "a == 'b'"}}]`, "spec.ingress.0.source.selectr", /unknown field/],
    ["port range upside down", `kind: GlobalNetworkPolicy\nmetadata: {name: p}\nspec:\n  ingress: [{action: Allow, protocol: TCP, destination: {ports: ["90:80"]}}]`, "spec.ingress.0.destination.ports.0", /greater than the maximum/],
    ["mixed IP versions", `kind: GlobalNetworkPolicy\nmetadata: {name: p}\nspec:\n  ingress: [{action: Allow, source: {nets: [10.0.0.0/8]}, destination: {nets: ["fd00::/8"]}}]`, "spec.ingress.0", /both IPv4 and IPv6/],
    ["a policy name with two dots", `kind: GlobalNetworkPolicy\nmetadata: {name: a.b.c}\nspec: {}`, "metadata.name", /at most one '.'/],
    ["an upper-case policy name", `kind: NetworkPolicy\nmetadata: {name: Web, namespace: a}\nspec: {}`, "metadata.name", /lower case/],
    ["a staged deletion with rules", `kind: StagedGlobalNetworkPolicy\nmetadata: {name: p}\nspec: {stagedAction: Delete, ingress: [{action: Deny}]}`, "spec.ingress", /must be empty when stagedAction is Delete/],
    ["duplicate types", `kind: GlobalNetworkPolicy\nmetadata: {name: p}\nspec: {types: [Ingress, Ingress]}`, "spec.types.1", /more than once/],
    ["the default tier at another order", `kind: Tier\nmetadata: {name: default}\nspec: {order: 5}`, "spec.order", /must be 1000000/],
  ])("%s", (_name, body, path, message) => {
    const refused = compile(`${v3}\n${body}`).refused;
    const match = refused.find((r) => r.path.join(".") === path);
    expect(match, JSON.stringify(refused)).toBeDefined();
    expect(match?.reason).toBe("invalid");
    expect(match?.message).toMatch(message);
  });

  it("a refused policy is left out entirely, never half-applied", () => {
    const set = compile(`${v3}\nkind: GlobalNetworkPolicy\nmetadata: {name: p}\nspec:\n  ingress: [{action: Deny}, {action: Allow, http: {paths: [{exact: /x}]}}]`);
    expect(set.policies).toEqual([]);
    expect(set.tiers.flatMap((t) => t.policies)).toEqual([]);
  });

  it("duplicates: the API server keeps one object per name", () => {
    const body = `${v3}\nkind: NetworkPolicy\nmetadata: {name: p, namespace: a}\nspec: {}`;
    const set = compile(`${body}\n---\n${body}`);
    expect(set.policies.length).toBe(1);
    expect(set.refused.map((r) => r.message)).toEqual([expect.stringMatching(/Duplicate value/)]);
  });
});

describe("scan findings point at file:line:column", () => {
  const dir = mkdtempSync(join(tmpdir(), "palisade-calico-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reports invalid, unsupported and staged objects with positions", async () => {
    const file = join(dir, "policies.yaml");
    writeFileSync(
      file,
      [
        v3,
        "kind: GlobalNetworkPolicy",
        "metadata: {name: bad}",
        "spec:",
        "  selector: app == web",
        "---",
        v3,
        "kind: GlobalNetworkPolicy",
        "metadata: {name: alp}",
        "spec:",
        "  ingress:",
        "  - action: Allow",
        "    http: {methods: [GET]}",
        "---",
        v3,
        "kind: StagedNetworkPolicy",
        "metadata: {name: try, namespace: a}",
        "spec: {ingress: [{action: Deny}]}",
        "---",
        v3,
        "kind: GlobalNetworkPolicy",
        "metadata: {name: fwd}",
        "spec: {applyOnForward: true, ingress: [{action: Deny}]}",
        "",
      ].join("\n"),
    );
    const snapshot = await loadSnapshot({ paths: [file] });
    const findings = checkCalico(snapshot).map((f) => [f.ruleId, f.fieldPath, `${f.position?.line}:${f.position?.column}`]);
    expect(findings).toEqual([
      ["calico/invalid-policy", "spec.selector", "5:3"],
      ["calico/unsupported-feature", "spec.ingress[0].http", "13:5"],
      ["calico/staged-policy", "kind", "16:1"],
      // applyOnForward is evaluated: it is neither refused nor reported as staged.
    ]);
  });
});
