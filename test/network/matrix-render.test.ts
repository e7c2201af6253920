/**
 * The matrix's rows are made in sorted order as they are read, never held: they must be
 * exactly the rows that sorting every allowed connection gives, and each writer's bytes
 * exactly those of the plain writers over those rows.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { structuredRows } from "../../src/cli/structured-rows.js";
import type { K8sObject } from "../../src/k8s/types.js";
import { kubernetesYaml } from "../../src/k8s/yaml-out.js";
import { computeMatrix, type Matrix } from "../../src/network/matrix.js";
import { csvField, matrixJson, matrixRowJson, matrixRows, matrixTextLines, renderMatrixCsv, workloadLabel, type MatrixRow } from "../../src/network/matrix-render.js";
import type { PodEndpoint } from "../../src/network/model.js";
import { buildPolicySet } from "../../src/network/policy-set.js";
import { adminPolicies, NAMESPACES, networkPolicies, pods } from "./arbitraries.js";

/** Every allowed connection, collected and then sorted: the rows as the matrix gave them before they were made in order. */
function everyRowSorted(matrix: Matrix, include: (pod: PodEndpoint) => boolean): MatrixRow[] {
  const rows: MatrixRow[] = [];
  const labels = matrix.pods.map(workloadLabel);
  const add = (from: string, to: string, connections: MatrixRow["connections"]): void => {
    if (!connections.isEmpty()) rows.push({ from, to, connections });
  };
  matrix.pods.forEach((src, i) => matrix.pods.forEach((dst, j) => i !== j && (include(src) || include(dst)) && add(labels[i]!, labels[j]!, matrix.podToPod(i, j))));
  matrix.externalSources.forEach((block, b) => matrix.pods.forEach((dst, j) => include(dst) && add(`${block.label}[External]`, labels[j]!, matrix.externalToPod(b, j))));
  matrix.pods.forEach((src, i) => include(src) && matrix.externalDestinations.forEach((block, b) => add(labels[i]!, `${block.label}[External]`, matrix.podToExternal(i, b))));
  return rows.sort((a, b) => (a.from === b.from ? (a.to < b.to ? -1 : a.to > b.to ? 1 : 0) : a.from < b.from ? -1 : 1));
}

const described = (rows: readonly MatrixRow[]): string[] => rows.map((r) => `${r.from} ${r.to} ${r.connections.toString()}`);

/** A cluster where, at times, one workload is in the input twice (two files): two sources of one label. */
const cluster = fc.tuple(pods, fc.boolean()).map(([list, twice]) => (twice ? [...list, { ...list[0]! }] : list));
const namespaceFilter = fc.option(fc.constantFrom(...NAMESPACES), { nil: undefined });

function matrixOf(list: PodEndpoint[], policies: K8sObject[]): Matrix {
  const set = buildPolicySet(policies.map((object) => ({ object })));
  return computeMatrix(set.tiers, list);
}

describe("matrix rows and writers", () => {
  it("makes the rows that sorting every allowed connection gives, in that order, with -n and with a workload given twice", () => {
    fc.assert(
      fc.property(cluster, networkPolicies, adminPolicies, namespaceFilter, (list, nps, anps, namespace) => {
        const matrix = matrixOf(list, [...nps, ...anps]);
        const include = namespace === undefined ? () => true : (p: PodEndpoint) => p.namespace === namespace;
        expect(described([...matrixRows(matrix, include)])).toEqual(described(everyRowSorted(matrix, include)));
      }),
      { numRuns: 300 },
    );
  });

  it("writes JSON, YAML, text and CSV byte for byte as the plain writers do", () => {
    fc.assert(
      fc.property(cluster, networkPolicies, adminPolicies, (list, nps, anps) => {
        const matrix = matrixOf(list, [...nps, ...anps]);
        const rows = everyRowSorted(matrix, () => true);
        const head = { workloads: list.length };
        const plainJson = JSON.stringify({ ...head, connections: rows.map((r) => ({ from: r.from, to: r.to, allowed: r.connections.toJSON() })) }, null, 2) + "\n";
        expect([...structuredRows(head, "connections", rows, "json", matrixRowJson())].join("")).toBe(plainJson);
        expect([...structuredRows(head, "connections", matrixJson(rows), "json")].join("")).toBe(plainJson);
        // Rows share each set's value: YAML writes it out each time, never as an anchor and aliases.
        const plainYaml = kubernetesYaml({ ...head, connections: rows.map((r) => ({ from: r.from, to: r.to, allowed: r.connections.toJSON() })) });
        expect([...structuredRows(head, "connections", matrixJson(rows), "yaml")].join("")).toBe(plainYaml);
        expect([...matrixTextLines(rows)].join("")).toBe(rows.map((r) => `${r.from} => ${r.to} : ${r.connections.toString()}\n`).join(""));
        expect([...renderMatrixCsv(rows)].join("")).toBe(["from,to,connections\n", ...rows.map((r) => `${csvField(r.from)},${csvField(r.to)},${csvField(r.connections.toString())}\n`)].join(""));
      }),
      { numRuns: 200 },
    );
  });

  it("quotes labels that JSON must escape", () => {
    const pod: PodEndpoint = { kind: "pod", namespace: "a", name: 'we"ird\\name', labels: {}, namespaceLabels: {}, ips: [], ports: [], workload: "Deployment/x" };
    const other: PodEndpoint = { ...pod, name: "plain" };
    const rows = [...matrixRows(matrixOf([pod, other], []))];
    const text = [...structuredRows({}, "connections", rows, "json", matrixRowJson())].join("");
    const parsed = JSON.parse(text) as { connections: { from: string; to: string }[] };
    expect(parsed.connections.filter((c) => !`${c.from}${c.to}`.includes("[External]"))).toEqual([{ from: 'a/plain[Deployment]', to: 'a/we"ird\\name[Deployment]', allowed: "all" }, { from: 'a/we"ird\\name[Deployment]', to: "a/plain[Deployment]", allowed: "all" }]);
  });
});
