/**
 * The port-less matches the renderer writes, read back by a small model of iptables' -p,
 * icmp/icmp6 and mark matches, must hold exactly the packets of the set, for random sets of
 * protocol numbers and ICMP messages in both families; and iptables-restore must accept
 * them (on a kernel, when network namespaces are available).
 */
import { execFileSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PortSet } from "../../../src/network/ports.js";
import { portlessMatches } from "../../../src/network/dataplane/render-portless.js";
import { netnsUnavailable } from "../../support/netns/topology.js";

const MARK = "-m mark --mark 0x40000/0x40000";
const NAMES: Record<string, number> = { icmp: 1, "ipv6-icmp": 58 };

interface WirePortless { protocol: number; type: number; code: number }

/** Whether one rule's match string matches a port-less packet of `family` (iptables semantics, our grammar only). */
function ruleMatches(match: string, family: 4 | 6, packet: WirePortless): boolean {
  const words = match.split(" ");
  let ok = true;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const negated = word === "!";
    const at = negated ? words[++i]! : word;
    if (at === "-p") {
      const value = words[++i]!;
      const protocol = NAMES[value] ?? Number(value);
      ok &&= (packet.protocol === protocol) !== negated;
    } else if (at === "-m") {
      const module = words[++i]!;
      if (module === "mark") i += 2; // --mark MARK: set by the hook for every packet that is not TCP, UDP or SCTP
      continue;
    } else if (at === "--icmp-type" || at === "--icmpv6-type") {
      expect(family === 4 ? at === "--icmp-type" : at === "--icmpv6-type").toBe(true);
      const [type, code] = words[++i]!.split("/").map(Number);
      const hit = packet.type === type && (code === undefined || packet.code === code);
      ok &&= hit !== negated;
    } else {
      throw new Error(`unexpected word ${at} in ${match}`);
    }
  }
  return ok;
}

const piece = fc.oneof(
  fc.constantFrom(1, 2, 47, 50, 58, 255).map((p) => PortSet.protocol(p)),
  fc.tuple(fc.constantFrom("ICMP", "ICMPv6" as const), fc.constantFrom(0, 3, 8, 128, 129), fc.option(fc.constantFrom(0, 1, 4), { nil: undefined })).map(([p, t, c]) => PortSet.icmp(p, t, c)),
  fc.constant(PortSet.portless),
);
const portlessSet = fc.tuple(fc.array(piece, { maxLength: 4 }), fc.array(piece, { maxLength: 3 })).map(([plus, minus]) => minus.reduce((s, m) => s.subtract(m), plus.reduce((a, b) => a.union(b), PortSet.none)));
const PACKETS: WirePortless[] = [1, 2, 47, 50, 58, 255].flatMap((protocol) => (protocol === 1 || protocol === 58 ? [0, 3, 8, 128, 129].flatMap((type) => [0, 1, 4].map((code) => ({ protocol, type, code }))) : [{ protocol, type: 0, code: 0 }]));

describe("port-less matches", () => {
  it("match exactly the set's packets in each family", () => {
    fc.assert(
      fc.property(portlessSet, (set) => {
        for (const family of [4, 6] as const) {
          const matches = portlessMatches(set, family, MARK);
          for (const packet of PACKETS) {
            const rendered = matches.some((m) => ruleMatches(m, family, packet));
            const modelled = set.has(packet.protocol, undefined, { family, icmp: { type: packet.type, code: packet.code } });
            expect(rendered, `${family} ${JSON.stringify(packet)} in ${set.toString()}: ${JSON.stringify(matches)}`).toBe(modelled);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

const unavailable = await netnsUnavailable();

describe.skipIf(unavailable !== undefined)("port-less matches on a kernel", () => {
  it("are accepted by iptables-restore and ip6tables-restore", () => {
    const sets = fc.sample(portlessSet, { numRuns: 60, seed: 7 });
    const netns = `pal-portless-${process.pid}`;
    execFileSync("ip", ["netns", "add", netns]);
    try {
      for (const [family, tool] of [[4, "iptables-restore"], [6, "ip6tables-restore"]] as const) {
        const rules = sets.flatMap((set) => portlessMatches(set, family, MARK)).map((m) => `-A PAL-T ${m} -j DROP`);
        expect(rules.length).toBeGreaterThan(60);
        execFileSync("ip", ["netns", "exec", netns, tool, "--test"], { input: ["*filter", ":PAL-T - [0:0]", ...rules, "COMMIT", ""].join("\n") });
      }
    } finally {
      execFileSync("ip", ["netns", "del", netns]);
    }
  });
});
