/**
 * Source ports as a dimension of PortSet: random expressions over destination ranges,
 * source-port ranges, ICMP messages and protocols, combined by union, intersection and
 * difference, must hold exactly the packets the same expression holds when evaluated
 * packet by packet; and equal sets print and serialise alike, and read back from JSON.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PORT_PROTOCOLS, PortSet, type PortProtocol } from "../../src/network/ports.js";

interface Probe {
  protocol: PortProtocol | "ICMP";
  port: number;
  source: number;
  icmpType: number;
}

type Expr =
  | { atom: "ports"; protocol: PortProtocol; lo: number; hi: number }
  | { atom: "sources"; protocol: PortProtocol; lo: number; hi: number }
  | { atom: "icmp"; type: number }
  | { atom: "all" }
  | { op: "union" | "intersect" | "subtract"; left: Expr; right: Expr };

const EDGES = [0, 1, 52, 53, 54, 80, 1024, 40000, 65534, 65535] as const;
const range = fc.tuple(fc.constantFrom(...EDGES), fc.constantFrom(...EDGES)).map(([a, b]) => (a <= b ? { lo: a, hi: b } : { lo: b, hi: a }));
const protocol = fc.constantFrom(...PORT_PROTOCOLS);

const atom: fc.Arbitrary<Expr> = fc.oneof(
  fc.tuple(protocol, range).map(([p, r]) => ({ atom: "ports" as const, protocol: p, lo: Math.max(r.lo, 1), hi: Math.max(r.hi, 1) })),
  fc.tuple(protocol, range).map(([p, r]) => ({ atom: "sources" as const, protocol: p, ...r })),
  fc.constantFrom(0, 8).map((type) => ({ atom: "icmp" as const, type })),
  fc.constant({ atom: "all" as const }),
);
const expr: fc.Arbitrary<Expr> = fc.letrec<{ e: Expr }>((tie) => ({
  e: fc.oneof({ depthSize: "small", withCrossShrink: true }, atom, fc.record({ op: fc.constantFrom("union", "intersect", "subtract" as const), left: tie("e"), right: tie("e") })),
})).e;

function build(e: Expr): PortSet {
  if ("op" in e) {
    const left = build(e.left);
    const right = build(e.right);
    return e.op === "union" ? left.union(right) : e.op === "intersect" ? left.intersect(right) : left.subtract(right);
  }
  switch (e.atom) {
    case "ports":
      return PortSet.range(e.protocol, e.lo, e.hi);
    case "sources":
      return PortSet.fromSourcePorts(e.protocol, e.lo, e.hi);
    case "icmp":
      return PortSet.icmp("ICMP", e.type);
    case "all":
      return PortSet.all;
  }
}

function holds(e: Expr, p: Probe): boolean {
  if ("op" in e) {
    const left = holds(e.left, p);
    const right = holds(e.right, p);
    return e.op === "union" ? left || right : e.op === "intersect" ? left && right : left && !right;
  }
  switch (e.atom) {
    case "ports":
      return p.protocol === e.protocol && p.port >= e.lo && p.port <= e.hi;
    case "sources":
      return p.protocol === e.protocol && p.source >= e.lo && p.source <= e.hi;
    case "icmp":
      return p.protocol === "ICMP" && p.icmpType === e.type;
    case "all":
      return true;
  }
}

/** Every edge, and a point between each two: one port of every segment the expressions can cut. */
const POINTS = [...EDGES, 2, 60, 500, 20000, 50000].sort((x, y) => x - y);
const PROBES: Probe[] = [{ protocol: "ICMP", port: 0, source: 0, icmpType: 0 }, { protocol: "ICMP", port: 0, source: 0, icmpType: 8 }, { protocol: "ICMP", port: 0, source: 0, icmpType: 3 }];
for (const p of PORT_PROTOCOLS) for (const port of POINTS.filter((x) => x >= 1)) for (const source of POINTS) PROBES.push({ protocol: p, port, source, icmpType: 0 });

function has(set: PortSet, p: Probe): boolean {
  return p.protocol === "ICMP" ? set.has("ICMP", undefined, { family: 4, icmp: { type: p.icmpType, code: 0 } }) : set.has(p.protocol, p.port, undefined, p.source);
}

describe("source ports in PortSet", () => {
  it("hold exactly the packets the expression holds, source port by source port", () => {
    fc.assert(
      fc.property(expr, (e) => {
        const set = build(e);
        for (const probe of PROBES) expect(has(set, probe), JSON.stringify(probe)).toBe(holds(e, probe));
      }),
      { numRuns: 600 },
    );
  });

  it("without a source port, a port is held when some source port holds it", () => {
    fc.assert(
      fc.property(expr, (e) => {
        const set = build(e);
        for (const probe of PROBES.filter((p) => p.protocol !== "ICMP" && p.source === 0)) {
          const fromSome = POINTS.some((source) => holds(e, { ...probe, source }));
          expect(set.has(probe.protocol, probe.port), JSON.stringify(probe)).toBe(fromSome);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("read back from JSON, and equal sets print alike", () => {
    fc.assert(
      fc.property(expr, expr, (a, b) => {
        const x = build(a);
        const y = build(b);
        const json = JSON.parse(JSON.stringify(x.toJSON())) as Parameters<typeof PortSet.fromJSON>[0];
        expect(PortSet.fromJSON(json).equals(x)).toBe(true);
        expect(x.equals(y)).toBe(x.toString() === y.toString());
        expect(x.equals(y)).toBe(PROBES.every((p) => has(x, p) === has(y, p)));
      }),
      { numRuns: 300 },
    );
  });

  it("prints what each source port holds beyond what every one holds", () => {
    const dns = PortSet.range("UDP", 53, 53).union(PortSet.fromSourcePorts("UDP", 53, 53));
    expect(dns.toString()).toBe("UDP 53,UDP 1-52,54-65535 (from source port 53)");
    expect(dns.toJSON()).toEqual({ UDP: [[53, 53]], sourcePorts: { UDP: [{ from: [[53, 53]], ports: [[1, 52], [54, 65535]] }] } });
    const notFrom53 = PortSet.protocol("TCP").subtract(PortSet.fromSourcePorts("TCP", 53, 53));
    expect(notFrom53.toString()).toBe("TCP 1-65535 (from source ports 0-52, 54-65535)");
    expect(notFrom53.coversAllPorts()).toBe(false);
    expect(notFrom53.union(PortSet.fromSourcePorts("TCP", 53, 53)).toString()).toBe("TCP 1-65535");
    expect(notFrom53.union(PortSet.fromSourcePorts("TCP", 53, 53)).hasSourcePorts()).toBe(false);
  });
});
