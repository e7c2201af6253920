/**
 * np-guard eval conformance (TestNew, TestBasic): each verdict packet by packet through
 * `evaluate`, and the full allowed set through the set engine.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { conformancePath } from "../support/conformance.js";
import { connectionsBetween } from "../../src/network/connectivity.js";
import { evaluateConnection } from "../../src/network/evaluate.js";
import type { Protocol } from "../../src/network/model.js";
import { buildPolicySet } from "../../src/network/policy-set.js";
import { PortSet } from "../../src/network/ports.js";
import { podEndpoints, readPolicies, resolveEndpoint, type ConformanceEndpoint, type ConformanceNamespace, type ConformancePod } from "./support.js";

interface EvalQuery {
  name: string;
  from: ConformanceEndpoint;
  to: ConformanceEndpoint;
  port: number;
  protocol: string;
  allowed: boolean;
  allowedConnections: Parameters<typeof PortSet.fromJSON>[0];
}
interface EvalCase {
  case: string;
  policies: string[];
  queries: EvalQuery[];
}
interface EvalFile {
  namespaces: ConformanceNamespace[];
  pods: ConformancePod[];
  cases?: EvalCase[];
  policies?: string[];
  queries?: EvalQuery[];
}

const dir = conformancePath("netpol/np-guard-eval");

function load(file: string): { data: EvalFile; cases: EvalCase[] } {
  const data = JSON.parse(readFileSync(join(dir!, file), "utf8")) as EvalFile;
  return { data, cases: data.cases ?? [{ case: "TestBasic", policies: data.policies!, queries: data.queries! }] };
}

describe.skipIf(!dir)("np-guard eval conformance", () => {
  const files = dir ? [load("expected.json"), load("expected_basic.json")] : [];
  it("has 62 verdicts over 24 policy combinations", () => {
    expect(files.flatMap((f) => f.cases).length).toBe(24);
    expect(files.flatMap((f) => f.cases).flatMap((c) => c.queries).length).toBe(62);
  });
  for (const { data, cases } of files) {
    for (const c of cases) {
      it(c.case, () => {
        const set = buildPolicySet(readPolicies(dir!, c.policies).map((object) => ({ object })));
        expect(set.refused).toEqual([]);
        const pods = podEndpoints(data.namespaces, data.pods);
        for (const q of c.queries) {
          const [src] = resolveEndpoint(pods, q.from);
          const [dst] = resolveEndpoint(pods, q.to);
          const decision = evaluateConnection(set.tiers, { src: src!, dst: dst!, protocol: q.protocol as Protocol, port: q.port });
          expect(decision.allowed, `${q.name} packet`).toBe(q.allowed);
          const all = connectionsBetween(set.tiers, src!, dst!);
          const expected = PortSet.fromJSON(q.allowedConnections);
          if (q.allowedConnections === "all") expect(all.coversAllPorts(), `${q.name} set ${all.toString()}`).toBe(true);
          else expect(all.equalsOnPorts(expected), `${q.name}: got ${all.toString()}, expected ${expected.toString()}`).toBe(true);
        }
      });
    }
  }
});
