import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { conformancePath } from "../../support/conformance.js";
import {
  isValidPortName,
  portFromString,
  portFromValue,
  portToJSON,
  portToString,
  protocolFromString,
  protocolFromValue,
  protocolSupportsPorts,
  protocolToJSON,
  validateRuleProtocol,
  type CalicoPort,
  type CalicoProtocol,
} from "../../../src/network/calico/numorstring.js";

interface PortFact {
  minPort?: number;
  maxPort?: number;
  portName?: string;
  fromString?: string;
}

interface Fact {
  kind: string;
  jsonText?: string;
  valid?: boolean;
  port?: PortFact;
  protocol?: { num?: number; str?: string };
  string?: string;
  supportsPorts?: boolean;
  input?: string;
  canonical?: string;
}

const dir = conformancePath("calico-policies");
const facts: Fact[] = dir ? (JSON.parse(readFileSync(join(dir, "port-protocol-parsing.json"), "utf8")) as { cases: Fact[] }).cases : [];

function toPort(fact: PortFact): CalicoPort {
  if (fact.fromString !== undefined) {
    const parsed = portFromString(fact.fromString);
    if (!parsed.ok) throw new Error(parsed.error);
    return parsed.value;
  }
  if (fact.portName !== undefined) return { kind: "named", name: fact.portName };
  return { kind: "range", min: fact.minPort ?? 0, max: fact.maxPort ?? 0 };
}

function toProtocol(fact: { num?: number; str?: string }): CalicoProtocol {
  return fact.num !== undefined ? { kind: "number", value: fact.num } : { kind: "name", value: fact.str ?? "" };
}

function decode<T>(jsonText: string, parse: (value: unknown) => { ok: true; value: T } | { ok: false; error: string }): { ok: true; value: T } | { ok: false } {
  let value: unknown;
  try {
    value = JSON.parse(jsonText);
  } catch {
    return { ok: false };
  }
  return parse(value);
}

describe.skipIf(!dir)("numorstring conformance (numorstring_test.go)", () => {
  it("has all 44 facts", () => {
    expect(facts.length).toBe(44);
  });

  it.each(facts.map((f) => [f.kind, f.jsonText ?? f.input ?? JSON.stringify(f.port ?? f.protocol), f] as const))("%s %s", (_k, _t, fact) => {
    switch (fact.kind) {
      case "portFromJSON": {
        const parsed = decode(fact.jsonText as string, portFromValue);
        expect(parsed.ok).toBe(fact.valid);
        if (parsed.ok) expect(parsed.value).toEqual(toPort(fact.port as PortFact));
        break;
      }
      case "portToJSON":
        expect(JSON.stringify(portToJSON(toPort(fact.port as PortFact)))).toBe(fact.jsonText);
        break;
      case "portToString":
        expect(portToString(toPort(fact.port as PortFact))).toBe(fact.string);
        break;
      case "protocolFromJSON": {
        const parsed = decode(fact.jsonText as string, protocolFromValue);
        expect(parsed.ok).toBe(fact.valid);
        if (parsed.ok) expect(parsed.value).toEqual(toProtocol(fact.protocol ?? {}));
        break;
      }
      case "protocolToJSON":
        expect(JSON.stringify(protocolToJSON(toProtocol(fact.protocol ?? {})))).toBe(fact.jsonText);
        break;
      case "protocolSupportsPorts":
        expect(protocolSupportsPorts(toProtocol(fact.protocol ?? {}))).toBe(fact.supportsPorts);
        break;
      case "protocolFromStringCanonicalCase":
        expect(protocolFromString(fact.input as string).value).toBe(fact.canonical);
        break;
      case "namedPort":
        expect(isValidPortName(fact.input as string)).toBe(fact.valid);
        break;
      default:
        throw new Error(`unknown fact kind ${fact.kind}`);
    }
  });
});

describe("numorstring properties", () => {
  it("every valid range round-trips through its JSON encoding", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 }), (a, b) => {
        const port: CalicoPort = { kind: "range", min: Math.min(a, b), max: Math.max(a, b) };
        const back = portFromValue(portToJSON(port));
        expect(back).toEqual({ ok: true, value: port });
      }),
    );
  });

  it("rule protocols: names are case-sensitive with a hint, 0 is refused", () => {
    expect(validateRuleProtocol({ kind: "name", value: "TCP" })).toBeUndefined();
    expect(validateRuleProtocol({ kind: "name", value: "tcp" })).toMatch(/write TCP/);
    expect(validateRuleProtocol({ kind: "number", value: 0 })).toMatch(/invalid/);
    expect(validateRuleProtocol({ kind: "number", value: 253 })).toBeUndefined();
    expect(validateRuleProtocol({ kind: "name", value: "GRE" })).toMatch(/expected TCP/);
  });
});
