/**
 * Diff against upstream's semanticDiff pairs: the pod pairs whose connections change
 * between two np-guard cases are exactly those whose expected connections differ.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { conformancePath } from "../support/conformance.js";
import { diffConnectivity } from "../../src/network/diff.js";
import type { Endpoints } from "../../src/network/endpoints.js";
import { buildPolicySet } from "../../src/network/policy-set.js";
import { PortSet } from "../../src/network/ports.js";
import { podEndpoints, readPolicies, type ConformanceNamespace, type ConformancePod } from "./support.js";

interface Case {
  namespaces: ConformanceNamespace[];
  pods: ConformancePod[];
  policies: string[];
  connections: { from: { namespace?: string; pod?: string }; to: { namespace?: string; pod?: string }; allowed: Parameters<typeof PortSet.fromJSON>[0] }[];
}

const root = conformancePath("netpol/np-guard-connlist");
const PAIRS = [
  ["semanticDiff-same-topologies-old1", "semanticDiff-same-topologies-new1"],
  ["semanticDiff-same-topologies-old1", "semanticDiff-same-topologies-new1a"],
  ["semanticDiff-same-topologies-old2", "semanticDiff-same-topologies-new2"],
  ["semanticDiff-same-topologies-old3", "semanticDiff-same-topologies-new3"],
  ["semanticDiff-orig-topologies-no-policy", "semanticDiff-orig-topologies-policy-a"],
  ["semanticDiff-different-topologies-policy-a", "semanticDiff-different-topologies-policy-b"],
] as const;

function load(name: string): { side: { endpoints: Endpoints; set: { tiers: ReturnType<typeof buildPolicySet>["tiers"] } }; expected: Map<string, PortSet> } {
  const dir = join(root!, name);
  const data = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as Case;
  const pods = [...podEndpoints(data.namespaces, data.pods).values()].map((p) => ({ ...p, workload: `Pod/${p.name}` }));
  const expected = new Map<string, PortSet>();
  for (const c of data.connections) {
    if (!c.from.pod || !c.to.pod) continue;
    expected.set(`${c.from.namespace}/${c.from.pod}>${c.to.namespace}/${c.to.pod}`, PortSet.fromJSON(c.allowed));
  }
  const set = buildPolicySet(readPolicies(dir, data.policies).map((object) => ({ object })));
  return { side: { endpoints: { workloads: pods.map((endpoint) => ({ endpoint, source: undefined as never, podNames: [], folded: [] })), namespaces: new Map() }, set }, expected };
}

let changedPairs = 0;

describe.skipIf(!root)("diff on np-guard semanticDiff pairs", () => {
  for (const [before, after] of PAIRS) {
    it(`${before} -> ${after}`, () => {
      const a = load(before);
      const b = load(after);
      const keys = new Set([...a.expected.keys(), ...b.expected.keys()]);
      const expectedChanged = [...keys].filter((k) => !(a.expected.get(k) ?? PortSet.none).equalsOnPorts(b.expected.get(k) ?? PortSet.none)).sort();
      const strip = (label: string): string => label.replace(/\[[^\]]*\]$/, "");
      const actualChanged = diffConnectivity(a.side, b.side)
        .changes.filter((c) => !c.from.includes("[External]") && !c.to.includes("[External]"))
        .filter((c) => !PortSet.fromJSON(c.before).equalsOnPorts(PortSet.fromJSON(c.after)))
        .map((c) => `${strip(c.from)}>${strip(c.to)}`)
        .sort();
      expect(actualChanged).toEqual(expectedChanged);
      changedPairs += actualChanged.length;
    });
  }
  it("the pairs exercise real changes, not only empty diffs", () => {
    expect(changedPairs).toBeGreaterThan(10);
  });
});
