/**
 * np-guard connlist conformance: every connection of every case's complete matrix, and
 * every probe query packet by packet, computed by the set engine and by `evaluate`.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { conformancePath } from "../support/conformance.js";
import { connectionsBetween } from "../../src/network/connectivity.js";
import { computeMatrix } from "../../src/network/matrix.js";
import { evaluateConnection } from "../../src/network/evaluate.js";
import { buildPolicySet } from "../../src/network/policy-set.js";
import { PortSet } from "../../src/network/ports.js";
import type { Protocol } from "../../src/network/model.js";
import { podEndpoints, readPolicies, resolveEndpoint, type ConformanceEndpoint, type ConformanceNamespace, type ConformancePod } from "./support.js";

interface ConnlistCase {
  namespaces: ConformanceNamespace[];
  pods: ConformancePod[];
  policies: string[];
  externalSourceRanges: string[];
  externalDestinationRanges: string[];
  externalRangesInferred?: boolean;
  connections: { from: ConformanceEndpoint; to: ConformanceEndpoint; allowed: Parameters<typeof PortSet.fromJSON>[0] }[];
  queries: { from: ConformanceEndpoint; to: ConformanceEndpoint; port: number; protocol: string; allowed: boolean }[];
}

const root = conformancePath("netpol/np-guard-connlist");
const cases = root ? readdirSync(root).sort() : [];

describe.skipIf(!root)("np-guard connlist conformance", () => {
  it("has all 30 cases", () => {
    expect(cases).toHaveLength(30);
  });

  for (const name of cases) {
    it(name, () => {
      const dir = join(root!, name);
      const data = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as ConnlistCase;
      const set = buildPolicySet(readPolicies(dir, data.policies).map((object) => ({ object })));
      expect(set.refused).toEqual([]);
      const pods = podEndpoints(data.namespaces, data.pods);
      let checked = 0;
      for (const connection of data.connections) {
        const expected = PortSet.fromJSON(connection.allowed);
        for (const src of resolveEndpoint(pods, connection.from)) {
          for (const dst of resolveEndpoint(pods, connection.to)) {
            const actual = connectionsBetween(set.tiers, src, dst);
            const label = `${JSON.stringify(connection.from)} -> ${JSON.stringify(connection.to)}: got ${actual.toString()}, expected ${expected.toString()}`;
            if (connection.allowed === "all") expect(actual.coversAllPorts(), label).toBe(true);
            else expect(actual.equalsOnPorts(expected), label).toBe(true);
            checked++;
          }
        }
      }
      for (const query of data.queries) {
        for (const src of resolveEndpoint(pods, query.from)) {
          for (const dst of resolveEndpoint(pods, query.to)) {
            const decision = evaluateConnection(set.tiers, { src, dst, protocol: query.protocol as Protocol, port: query.port });
            expect(decision.allowed, `${JSON.stringify(query)}`).toBe(query.allowed);
          }
        }
      }
      expect(checked).toBeGreaterThanOrEqual(data.connections.length);

      // The class-based matrix gives the same answers, and cuts external space as upstream does.
      const podList = [...pods.values()];
      const matrix = computeMatrix(set.tiers, podList);
      if (!data.externalRangesInferred) {
        expect(matrix.externalSources.map((b) => b.label).sort()).toEqual([...data.externalSourceRanges].sort());
        expect(matrix.externalDestinations.map((b) => b.label).sort()).toEqual([...data.externalDestinationRanges].sort());
      }
      const podIndex = new Map(podList.map((p, i) => [`${p.namespace}/${p.name}`, i]));
      for (const connection of data.connections) {
        const from = connection.from;
        const to = connection.to;
        let actual: PortSet;
        if ("pod" in from && "pod" in to) actual = matrix.podToPod(podIndex.get(`${from.namespace}/${from.pod}`)!, podIndex.get(`${to.namespace}/${to.pod}`)!);
        else if ("ipRange" in from && "pod" in to) actual = matrix.externalToPod(matrix.externalSources.findIndex((b) => b.label === from.ipRange), podIndex.get(`${to.namespace}/${to.pod}`)!);
        else if ("pod" in from && "ipRange" in to) actual = matrix.podToExternal(podIndex.get(`${from.namespace}/${from.pod}`)!, matrix.externalDestinations.findIndex((b) => b.label === to.ipRange));
        else throw new Error("unexpected endpoint pair");
        const label = `matrix ${JSON.stringify(connection.from)} -> ${JSON.stringify(connection.to)}: got ${actual.toString()}`;
        if (connection.allowed === "all") expect(actual.coversAllPorts(), label).toBe(true);
        else expect(actual.equalsOnPorts(PortSet.fromJSON(connection.allowed)), label).toBe(true);
      }
    });
  }
});
