/**
 * Endpoints from real manifests: every np-guard connlist case's resources, loaded with
 * loadSnapshot, give the representative pods upstream lists (namespace, name, labels,
 * ports), and the matrix computed from them equals upstream's.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { conformancePath } from "../support/conformance.js";
import { loadSnapshot } from "../../src/k8s/load.js";
import { connectionsBetween } from "../../src/network/connectivity.js";
import { buildEndpoints } from "../../src/network/endpoints.js";
import { buildPolicySet } from "../../src/network/policy-set.js";
import { PortSet } from "../../src/network/ports.js";
import type { Endpoint } from "../../src/network/model.js";
import type { ConformancePod } from "./support.js";

const root = conformancePath("netpol/np-guard-connlist");
const cases = root ? readdirSync(root).sort() : [];

describe.skipIf(!root)("endpoints from np-guard resources", () => {
  for (const name of cases) {
    it(name, async () => {
      const dir = join(root!, name);
      const data = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as {
        pods: ConformancePod[];
        connections: { from: { namespace?: string; pod?: string; ipRange?: string }; to: { namespace?: string; pod?: string; ipRange?: string }; allowed: Parameters<typeof PortSet.fromJSON>[0] }[];
      };
      const snapshot = await loadSnapshot({ paths: [join(dir, "resources")] });
      // np-guard models hostNetwork pods as ordinary pods; Palisade (like most CNIs) leaves
      // them outside NetworkPolicy. Compare on np-guard's terms (12 cases carry hostNetwork).
      for (const { object } of snapshot.objects) {
        const spec = object.spec as { hostNetwork?: boolean } | undefined;
        if (object.kind === "Pod" && spec?.hostNetwork) delete spec.hostNetwork;
      }
      const endpoints = buildEndpoints(snapshot);
      const byName = new Map(endpoints.workloads.map((w) => [`${w.endpoint.namespace}/${w.endpoint.name}`, w.endpoint]));
      for (const pod of data.pods) {
        const ours = byName.get(`${pod.namespace}/${pod.name}`);
        expect(ours, `workload ${pod.namespace}/${pod.name}`).toBeDefined();
        expect(ours!.labels).toEqual(pod.labels);
        expect(ours!.ports.map((p) => [p.name, p.port, p.protocol])).toEqual((pod.ports ?? []).map((p) => [p.name, p.port, p.protocol]));
      }
      const set = buildPolicySet(snapshot.objects);
      const resolve = (ref: { namespace?: string; pod?: string; ipRange?: string }): Endpoint =>
        ref.ipRange ? { kind: "external", ip: ref.ipRange.split("-")[0]! } : byName.get(`${ref.namespace}/${ref.pod}`)!;
      for (const c of data.connections) {
        const actual = connectionsBetween(set.tiers, resolve(c.from), resolve(c.to));
        if (c.allowed === "all") expect(actual.coversAllPorts()).toBe(true);
        else expect(actual.equalsOnPorts(PortSet.fromJSON(c.allowed)), `${JSON.stringify(c)} got ${actual.toString()}`).toBe(true);
      }
    });
  }
});
