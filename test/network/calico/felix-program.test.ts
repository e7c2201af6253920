/**
 * Felix's policy-program table (felix/bpf/ut/pol_prog_test.go), driven through the same
 * rule matcher and the shared tier walk that compiled v3 policies use. The rules here are
 * already resolved (selectors appear as IP sets), so IP sets become membership tests.
 */
import { describe, expect, it } from "vitest";
import { evaluateSide } from "../../../src/network/evaluate.js";
import type { Tier } from "../../../src/network/model.js";
import { programCases, programPacket, workload } from "./program-table.js";
import { programTiers } from "./program-tiers.js";
import type { CalicoPacket } from "../../../src/network/calico/enforced.js";

/**
 * The program's verdict. These tables have no profiles, so a packet that no tier decides
 * is dropped here; in a cluster the namespace profile would allow it instead (README).
 */
export function programVerdict(tiers: readonly Tier[], packet: CalicoPacket): "allow" | "deny" {
  const decision = evaluateSide(tiers, "ingress", workload, packet);
  if (decision.reason === "no-policy") return "deny";
  return decision.allowed ? "allow" : "deny";
}

describe.skipIf(programCases.length === 0)("Felix policy program conformance (pol_prog_test.go)", () => {
  it("has the whole table: 61 cases, 349 packets", () => {
    expect(programCases.length).toBe(61);
    expect(programCases.reduce((n, c) => n + c.packets.length, 0)).toBe(349);
  });

  it.each(programCases.map((c) => [c.name, c] as const))("%s", (_name, testCase) => {
    const tiers = programTiers(testCase);
    const got = testCase.packets.map((packet) => ({ packet: JSON.stringify({ ...packet, expected: undefined }), verdict: programVerdict(tiers, programPacket(testCase, packet)) }));
    expect(got).toEqual(testCase.packets.map((packet) => ({ packet: JSON.stringify({ ...packet, expected: undefined }), verdict: packet.expected })));
  });
});
