/** The iptables writer on plans built by hand: the limits of iptables it must respect. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PortSet } from "../../../src/network/ports.js";
import type { DataplanePlan, PlanRule } from "../../../src/network/dataplane/plan.js";
import { renderIptables } from "../../../src/network/dataplane/render-iptables.js";
import { rangeToCidrs } from "../../../src/network/dataplane/address-sets.js";
import { parseCidr } from "../../../src/network/cidr.js";

function planWith(rules: PlanRule[], family: 4 | 6 = 4): DataplanePlan {
  return { family, endpoints: [{ interfaceName: "pal0", pod: "a/p0", egress: { tiers: [] }, ingress: { tiers: [{ name: "default", dropAtEnd: true, rules }] } }] };
}

const many = Array.from({ length: 20 }, (_, i) => PortSet.range("TCP", 1000 + i * 10, 1000 + i * 10 + (i % 2))).reduce((a, b) => a.union(b), PortSet.none);

describe("renderIptables", () => {
  it("splits ports over multiport rules of at most 15 ports, a range counting two", () => {
    const { iptables } = renderIptables(planWith([{ action: "Allow", peers: { any: true }, connections: many, origin: "r" }]));
    const groups = iptables.split("\n").filter((l) => l.includes("--dports")).map((l) => /--dports (\S+)/.exec(l)![1]!);
    expect(groups.length).toBeGreaterThan(1);
    for (const group of groups) expect(group.split(",").reduce((n, p) => n + (p.includes(":") ? 2 : 1), 0)).toBeLessThanOrEqual(15);
    expect(groups.join(",").split(",")).toHaveLength(20);
  });

  it("writes the whole family as two halves (hash:net holds no /0), and the same set once", () => {
    const peers = { entries: [{ cidr: "0.0.0.0/0" }, { cidr: "10.1.2.3/32", except: true as const }] };
    const { ipset, iptables } = renderIptables(planWith([
      { action: "Deny", peers, connections: PortSet.protocol("UDP"), origin: "one" },
      { action: "Allow", peers, connections: PortSet.all, origin: "two" },
    ]));
    expect(ipset).toContain("0.0.0.0/1");
    expect(ipset).toContain("128.0.0.0/1");
    expect(ipset).toContain("10.1.2.3/32 nomatch");
    expect(ipset.match(/^create /gm)).toHaveLength(1);
    expect(iptables).toMatch(/-m set --match-set pal4-\w+ src -p udp .*-j DROP/);
  });

  it("matches every port-less packet by the mark set for packets that are not TCP, UDP or SCTP, and logs without deciding", () => {
    const { iptables } = renderIptables(planWith([{ action: "Log", peers: { any: true }, connections: PortSet.portless, origin: "log" }], 6));
    expect(iptables).toContain("-m mark --mark 0x40000/0x40000 -m comment --comment \"log\" -j LOG");
    expect(iptables).not.toMatch(/LOG.*\n.*-j RETURN/);
  });

  const matchesOf = (connections: PortSet, family: 4 | 6 = 4): string[] =>
    renderIptables(planWith([{ action: "Deny", peers: { any: true }, connections, origin: "r" }], family))
      .iptables.split("\n")
      .filter((l) => l.includes("--comment \"r\""))
      .map((l) => l.replace(/^-A \S+ /, "").replace(/ -m comment.*$/, ""));

  it("matches ICMP messages with the family's own module: icmp in IPv4, icmp6 in IPv6", () => {
    expect(matchesOf(PortSet.icmp("ICMP", 8))).toEqual(["-p icmp -m icmp --icmp-type 8"]);
    expect(matchesOf(PortSet.icmp("ICMP", 3, 4))).toEqual(["-p icmp -m icmp --icmp-type 3/4"]);
    expect(matchesOf(PortSet.icmp("ICMPv6", 128), 6)).toEqual(["-p ipv6-icmp -m icmp6 --icmpv6-type 128"]);
    // IPv6 carries no ICMP (v4) messages: a rule for ICMP type 8 matches nothing there.
    expect(matchesOf(PortSet.icmp("ICMP", 8), 6)).toEqual([]);
    expect(matchesOf(PortSet.icmp("ICMP", 8).union(PortSet.icmp("ICMP", 0)))).toEqual(["-p icmp -m icmp --icmp-type 0", "-p icmp -m icmp --icmp-type 8"]);
  });

  it("writes what a set lacks as negations when that is shorter, one -p to a rule", () => {
    const allButEcho = PortSet.icmp("ICMP").subtract(PortSet.icmp("ICMP", 8));
    expect(matchesOf(allButEcho)).toEqual(["-p icmp -m icmp ! --icmp-type 8"]);
    expect(matchesOf(PortSet.icmp("ICMP").subtract(PortSet.icmp("ICMP", 8, 0)))).toEqual(["-p icmp -m icmp ! --icmp-type 8/0"]);
    expect(matchesOf(PortSet.portless.subtract(PortSet.protocol(47)))).toEqual(["-m mark --mark 0x40000/0x40000 ! -p 47"]);
    expect(matchesOf(PortSet.portless.subtract(PortSet.icmp("ICMP", 8)))).toEqual(["-p icmp -m icmp ! --icmp-type 8", "-m mark --mark 0x40000/0x40000 ! -p icmp"]);
    // Two protocols left out cannot share a rule's single -p: what is held is listed.
    const lines = matchesOf(PortSet.portless.subtract(PortSet.protocol(47)).subtract(PortSet.protocol(50)));
    expect(lines).toContain("-p icmp");
    expect(lines).toContain("-p 58");
    expect(lines).not.toContain("-p 47");
    // Protocols 1..255 but TCP, UDP, SCTP, 47 and 50 (58 by number: IPv4 reads no ICMPv6 types).
    expect(lines).toHaveLength(255 - 3 - 2);
    // The ICMP protocol, whole, is ICMP messages in IPv4 and protocol 1 in IPv6.
    expect(matchesOf(PortSet.protocol("ICMP"))).toEqual(["-p icmp"]);
    expect(matchesOf(PortSet.protocol("ICMP"), 6)).toEqual(["-p 1"]);
  });

  it("keeps an origin from the input inside one comment of at most 255 bytes", () => {
    const origin = `ns/"policy\\\n-A FORWARD -j ACCEPT ${"é".repeat(300)}`;
    const { iptables } = renderIptables(planWith([{ action: "Allow", peers: { any: true }, connections: PortSet.all, origin }]));
    const comments = iptables.split("\n").filter((l) => l.includes("--comment \"ns/")).map((l) => /--comment "([^"]*)"/.exec(l)![1]!);
    expect(comments.length).toBeGreaterThan(0);
    for (const text of comments) {
      expect(text).toMatch(/^ns\/policyn-A FORWARD -j ACCEPT é+$/);
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(255);
      expect(Buffer.byteLength(text)).toBeGreaterThan(250);
    }
    expect(iptables.split("\n").filter((l) => l.startsWith("-A FORWARD"))).toEqual([]);
  });

  it("matches source ports with multiport --sports: each rule's ports and source ports hold exactly the set's packets", () => {
    const EDGES = [0, 1, 52, 53, 54, 80, 443, 1024, 40000, 65535];
    const range = fc.tuple(fc.constantFrom(...EDGES), fc.constantFrom(...EDGES)).map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const);
    const piece = fc.oneof(
      fc.tuple(fc.constantFrom("TCP", "UDP" as const), range).map(([p, [lo, hi]]) => PortSet.range(p, Math.max(lo, 1), Math.max(hi, 1))),
      fc.tuple(fc.constantFrom("TCP", "UDP" as const), range).map(([p, [lo, hi]]) => PortSet.fromSourcePorts(p, lo, hi)),
    );
    const banded = fc.tuple(fc.array(fc.tuple(piece, piece), { minLength: 1, maxLength: 4 }), fc.array(piece, { maxLength: 2 })).map(([plus, minus]) =>
      minus.reduce((s, m) => s.subtract(m), plus.reduce((set, [a, b]) => set.union(a.intersect(b)), PortSet.none)),
    );
    const inList = (list: string, at: number) => list.split(",").some((item) => { const [lo, hi = lo] = item.split(":").map(Number); return at >= lo! && at <= hi!; });
    /** iptables' reading of `-p P [-m multiport --sports L] [-m multiport --dports L]`. */
    const matches = (match: string, protocol: string, port: number, source: number): boolean => {
      const m = /^-p (\w+)(?: -m multiport --sports (\S+))?(?: -m multiport --dports (\S+))?$/.exec(match);
      if (!m) throw new Error(`unexpected match ${match}`);
      for (const list of [m[2], m[3]]) if (list) expect(list.split(",").reduce((n, p) => n + (p.includes(":") ? 2 : 1), 0)).toBeLessThanOrEqual(15);
      return m[1] === protocol.toLowerCase() && (m[2] === undefined || inList(m[2], source)) && (m[3] === undefined || inList(m[3], port));
    };
    fc.assert(
      fc.property(banded, (set) => {
        const rules = set.isEmpty() ? [] : matchesOf(set);
        for (const protocol of ["TCP", "UDP"] as const) {
          for (const port of EDGES.filter((p) => p > 0).concat([2, 100, 30000])) {
            for (const source of EDGES.concat([2, 100, 30000])) {
              expect(rules.some((r) => matches(r, protocol, port, source)), `${protocol} ${source} -> ${port} in ${set.toString()}: ${rules.join(" | ")}`).toBe(set.has(protocol, port, undefined, source));
            }
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("covers a range with the fewest CIDRs", () => {
    expect(rangeToCidrs(parseCidr("10.0.0.0/8")!)).toEqual(["10.0.0.0/8"]);
    expect(rangeToCidrs({ family: 4, first: 10n, last: 20n })).toEqual(["0.0.0.10/31", "0.0.0.12/30", "0.0.0.16/30", "0.0.0.20/32"]);
    expect(rangeToCidrs({ family: 6, first: 0n, last: (1n << 128n) - 1n })).toEqual(["::/0"]);
  });
});
