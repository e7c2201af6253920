/** Port interval sets against a brute-force model, CIDR arithmetic for IPv4 and IPv6, hostNetwork and IPv6 peers. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cutAddressSpace, formatRange, parseCidr, parseIp, RangeIndex, rangeWithout, type IpFamily, type IpRange } from "../../src/network/cidr.js";
import { connectionsBetween } from "../../src/network/connectivity.js";
import { evaluateConnection } from "../../src/network/evaluate.js";
import type { PodEndpoint } from "../../src/network/model.js";
import { buildPolicySet } from "../../src/network/policy-set.js";
import { PortSet } from "../../src/network/ports.js";

// Small port universe so the brute-force model can enumerate it.
const range = fc.tuple(fc.constantFrom("TCP", "UDP", "SCTP" as const), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 10 })).map(([p, lo, len]) => PortSet.range(p, lo, lo + len));
const set = fc.array(range, { maxLength: 4 }).map((rs) => rs.reduce((a, b) => a.union(b), PortSet.none));
const members = (s: PortSet): string[] => (["TCP", "UDP", "SCTP"] as const).flatMap((p) => Array.from({ length: 60 }, (_, i) => i + 1).filter((n) => s.has(p, n)).map((n) => `${p}${n}`));

describe("PortSet", () => {
  it("union, intersect and subtract agree with sets of ports", () => {
    fc.assert(
      fc.property(set, set, (a, b) => {
        const B = new Set(members(b));
        expect(members(a.union(b))).toEqual(members(a).concat(members(b)).filter((x, i, all) => all.indexOf(x) === i).sort(byPortOrder));
        expect(members(a.intersect(b))).toEqual(members(a).filter((x) => B.has(x)));
        expect(members(a.subtract(b))).toEqual(members(a).filter((x) => !B.has(x)));
        expect(a.union(b).equals(b.union(a))).toBe(true);
        expect(a.subtract(b).union(a.intersect(b)).equals(a)).toBe(true);
        expect(a.complement().complement().equals(a)).toBe(true);
        expect(PortSet.fromJSON(a.toJSON()).equals(a)).toBe(true);
      }),
    );
  });
  it("holds port-less packets exactly: protocol numbers, and ICMP messages in their own family", () => {
    const piece = fc.oneof(
      fc.constantFrom(1, 47, 58, 50, 2, 255).map((p) => PortSet.protocol(p)),
      fc.tuple(fc.constantFrom("ICMP", "ICMPv6" as const), fc.integer({ min: 0, max: 255 }), fc.option(fc.integer({ min: 0, max: 255 }), { nil: undefined })).map(([p, t, c]) => PortSet.icmp(p, t, c)),
      fc.constant(PortSet.portless),
      range,
    );
    const portless = fc.array(piece, { maxLength: 4 }).chain((pieces) => fc.boolean().map((flip) => {
      const set = pieces.reduce((a, b) => a.union(b), PortSet.none);
      return flip ? set.complement() : set;
    }));
    fc.assert(
      fc.property(portless, portless, (a, b) => {
        expect(PortSet.fromJSON(a.toJSON()).equals(a)).toBe(true);
        expect(a.subtract(b).union(a.intersect(b)).equals(a)).toBe(true);
        expect(a.union(a.complement()).isAll()).toBe(true);
        for (const [type, code] of [[8, 0], [0, 0], [3, 1]] as const) {
          const icmp = { type, code };
          expect(a.union(b).has("ICMP", undefined, { family: 4, icmp })).toBe(a.has("ICMP", undefined, { family: 4, icmp }) || b.has("ICMP", undefined, { family: 4, icmp }));
          expect(a.complement().has("ICMPv6", undefined, { family: 6, icmp })).toBe(!a.has("ICMPv6", undefined, { family: 6, icmp }));
        }
      }),
    );
    const echo = PortSet.icmp("ICMP", 8);
    expect(echo.has("ICMP", undefined, { family: 4, icmp: { type: 8, code: 0 } })).toBe(true);
    expect(echo.has("ICMP", undefined, { family: 4, icmp: { type: 0, code: 0 } })).toBe(false);
    // Protocol 1 over IPv6 carries no ICMP message the kernel reads: an ICMP type never matches it.
    expect(echo.has("ICMP", undefined, { family: 6, icmp: { type: 8, code: 0 } })).toBe(false);
    expect(PortSet.protocol("ICMP").has("ICMP", undefined, { family: 6, icmp: { type: 8, code: 0 } })).toBe(true);
    expect(echo.has("ICMP")).toBe(false);
    expect(PortSet.protocol("ICMP").has("ICMP")).toBe(true);
    expect(PortSet.protocol(6).equals(PortSet.protocol("TCP"))).toBe(true);
  });

  it("writes port-less sets in JSON and text by what they hold, every port-less packet as np-guard does", () => {
    expect(PortSet.portless.toJSON()).toEqual({ OTHER: [[0, 0]] });
    expect(PortSet.fromJSON({ OTHER: [[0, 0]] }).equals(PortSet.portless)).toBe(true);
    expect(PortSet.icmp("ICMP", 8).union(PortSet.protocol(47)).toJSON()).toEqual({ OTHER: [{ protocol: 1, type: 8 }, { protocol: 47 }] });
    expect(PortSet.icmp("ICMP", 3, 4).union(PortSet.range("TCP", 80, 80)).toString()).toBe("TCP 80,ICMP type 3 code 4");
    expect(PortSet.protocol("ICMP").toString()).toBe("ICMP");
    expect(PortSet.icmp("ICMP").toString()).toBe("ICMP over IPv4");
    expect(PortSet.portless.subtract(PortSet.icmp("ICMP", 8)).toString()).toBe("other protocols except ICMP type 8");
    expect(PortSet.portless.toString()).toBe("other protocols");
  });

  it("prints like np-guard", () => {
    expect(PortSet.range("TCP", 80, 80).union(PortSet.range("TCP", 443, 443)).union(PortSet.range("UDP", 53, 53)).toString()).toBe("TCP 80,443,UDP 53");
    expect(PortSet.all.toString()).toBe("All Connections");
    expect(PortSet.none.toString()).toBe("No Connections");
    expect(PortSet.range("TCP", 10053, 10054).toString()).toBe("TCP 10053-10054");
  });
});

function byPortOrder(a: string, b: string): number {
  const order = ["TCP", "UDP", "SCTP"];
  const pa = order.findIndex((p) => a.startsWith(p));
  const pb = order.findIndex((p) => b.startsWith(p));
  return pa !== pb ? pa - pb : Number(a.replace(/\D+/, "")) - Number(b.replace(/\D+/, ""));
}

describe("CIDRs", () => {
  it("parses IPv4 and IPv6, dropping host bits as the API server does", () => {
    expect(formatRange(parseCidr("192.168.242.213/24")!)).toBe("192.168.242.0-192.168.242.255");
    expect(formatRange(parseCidr("2001:db8::1/126")!)).toBe("2001:db8::-2001:db8::3");
    expect(parseCidr("10.0.0.0/33")).toBeUndefined();
    expect(parseCidr("A")).toBeUndefined();
    expect(parseCidr("10.1/8")).toBeUndefined();
    expect(parseIp("::ffff:10.0.0.1")?.family).toBe(6);
  });
  it("cuts the address space at every boundary, per family", () => {
    const blocks = cutAddressSpace([parseCidr("10.0.0.0/8")!, parseCidr("10.1.0.0/16")!, parseCidr("2001:db8::/32")!]).map(formatRange);
    expect(blocks).toEqual([
      "0.0.0.0-9.255.255.255",
      "10.0.0.0-10.0.255.255",
      "10.1.0.0-10.1.255.255",
      "10.2.0.0-10.255.255.255",
      "11.0.0.0-255.255.255.255",
      "::-2001:db7:ffff:ffff:ffff:ffff:ffff:ffff",
      "2001:db8::-2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
      "2001:db9::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    ]);
  });
});

describe("peers by address", () => {
  const pod = (name: string, extra: Partial<PodEndpoint> = {}): PodEndpoint => ({ kind: "pod", namespace: "ns", name, labels: { app: name }, namespaceLabels: { "kubernetes.io/metadata.name": "ns" }, ips: [], ports: [], ...extra });
  const policy = {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "v6", namespace: "ns" },
    spec: { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: "2001:db8::/64", except: ["2001:db8::/120"] } }, { podSelector: { matchLabels: { app: "client" } } }] }] },
  };
  const tiers = buildPolicySet([{ object: policy }]).tiers;
  it("IPv6 ipBlocks with except", () => {
    const server = pod("server");
    expect(evaluateConnection(tiers, { src: { kind: "external", ip: "2001:db8::1:5" }, dst: server, protocol: "TCP", port: 80 }).allowed).toBe(true);
    expect(evaluateConnection(tiers, { src: { kind: "external", ip: "2001:db8::5" }, dst: server, protocol: "TCP", port: 80 }).allowed).toBe(false);
    expect(evaluateConnection(tiers, { src: { kind: "external", ip: "10.0.0.1" }, dst: server, protocol: "TCP", port: 80 }).allowed).toBe(false);
  });
  it("hostNetwork pods are never selected and match ipBlocks by their node IP, not pod selectors", () => {
    const server = pod("server");
    const hostClient = pod("client", { hostNetwork: true, ips: ["2001:db8::2:1"] });
    const hostClientOutside = pod("client", { hostNetwork: true, ips: ["10.0.0.7"] });
    expect(connectionsBetween(tiers, hostClient, server).isAll()).toBe(true);
    expect(connectionsBetween(tiers, hostClientOutside, server).isEmpty()).toBe(true);
    expect(connectionsBetween(tiers, pod("client"), server).isAll()).toBe(true);
    const hostServer = pod("server", { hostNetwork: true });
    expect(connectionsBetween(tiers, { kind: "external", ip: "10.9.9.9" }, hostServer).isAll()).toBe(true);
  });
});

describe("RangeIndex and rangeWithout", () => {
  // Small values, so ranges overlap, touch and nest often; both families, so one never answers for the other.
  const range = fc.tuple(fc.constantFrom<IpFamily>(4, 6), fc.nat(60), fc.nat(12)).map(([family, first, size]): IpRange => ({ family, first: BigInt(first), last: BigInt(first + size) }));
  const address = fc.tuple(fc.constantFrom<IpFamily>(4, 6), fc.nat(80)).map(([family, value]) => ({ family, value: BigInt(value) }));
  const inRange = (r: IpRange, ip: { family: IpFamily; value: bigint }): boolean => r.family === ip.family && ip.value >= r.first && ip.value <= r.last;

  it("holds exactly the addresses some range holds", () => {
    fc.assert(
      fc.property(fc.array(range, { maxLength: 12 }), fc.array(address, { minLength: 1, maxLength: 20 }), (ranges, ips) => {
        const index = new RangeIndex(ranges);
        for (const ip of ips) expect(index.has(ip), `${ip.family}:${ip.value}`).toBe(ranges.some((r) => inRange(r, ip)));
      }),
      { numRuns: 500 },
    );
  });

  it("leaves a range without its holes, in order and disjoint", () => {
    fc.assert(
      fc.property(range, fc.array(range, { maxLength: 6 }), (whole, holes) => {
        const parts = rangeWithout(whole, holes);
        parts.forEach((p, i) => i > 0 && expect(p.first > parts[i - 1]!.last + 1n, "disjoint, in order, not touching").toBe(true));
        for (let value = 0n; value <= 80n; value++) {
          const ip = { family: whole.family, value };
          expect(parts.some((p) => inRange(p, ip)), `${value}`).toBe(inRange(whole, ip) && !holes.some((h) => inRange(h, ip)));
        }
      }),
      { numRuns: 500 },
    );
  });
});
