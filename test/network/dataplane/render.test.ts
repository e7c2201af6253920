/** The iptables writer on plans built by hand: the limits of iptables it must respect. */
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

  it("matches the port-less protocols by the mark set for packets that are not TCP, UDP or SCTP, and logs without deciding", () => {
    const { iptables } = renderIptables(planWith([{ action: "Log", peers: { any: true }, connections: PortSet.protocol("ICMP"), origin: "log" }], 6));
    expect(iptables).toContain("-m mark --mark 0x40000/0x40000 -m comment --comment \"log\" -j LOG");
    expect(iptables).not.toMatch(/LOG.*\n.*-j RETURN/);
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

  it("covers a range with the fewest CIDRs", () => {
    expect(rangeToCidrs(parseCidr("10.0.0.0/8")!)).toEqual(["10.0.0.0/8"]);
    expect(rangeToCidrs({ family: 4, first: 10n, last: 20n })).toEqual(["0.0.0.10/31", "0.0.0.12/30", "0.0.0.16/30", "0.0.0.20/32"]);
    expect(rangeToCidrs({ family: 6, first: 0n, last: (1n << 128n) - 1n })).toEqual(["::/0"]);
  });
});
