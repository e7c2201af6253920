/** The Calico example end to end: loaded from disk with positions, merged with Kubernetes policies, explained. */
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { loadSnapshot } from "../../../src/k8s/load.js";
import { connectionsBetween } from "../../../src/network/connectivity.js";
import { buildEndpoints, findWorkload } from "../../../src/network/endpoints.js";
import { explainConnection } from "../../../src/network/explain.js";
import { buildPolicySet } from "../../../src/network/policy-set.js";
import { withCalico } from "../../../src/network/calico/tiers.js";
import { repoRoot } from "../../support/conformance.js";
import { external } from "./fixtures.js";

/** An example loaded from disk with positions, its Kubernetes and Calico policies merged, and its workloads. */
async function example(name: string) {
  const snapshot = await loadSnapshot({ paths: [join(repoRoot, "examples", name)] });
  const sources = snapshot.objects.map((o) => ({ object: o.object, where: o }));
  return { set: withCalico(buildPolicySet(sources), sources), endpoints: buildEndpoints(snapshot) };
}

describe("examples/network-calico-tiers.yaml", () => {
  it("explains connections through the security tier, the Calico policy and the Kubernetes one", async () => {
    const { set, endpoints } = await example("network-calico-tiers.yaml");
    expect(set.refused).toEqual([]);
    expect(set.notices.map((n) => n.message)).toEqual(["StagedGlobalNetworkPolicy/pci-egress-lockdown is staged (stagedAction Set): evaluated for reporting, never enforced"]);
    const api = findWorkload(endpoints, "bank/api")?.endpoint;
    const ledger = findWorkload(endpoints, "bank/ledger")?.endpoint;
    expect(api && ledger).toBeTruthy();
    if (!api || !ledger) return;

    const toLedger = explainConnection(set.tiers, api, ledger, "TCP", 8443);
    expect(toLedger.allowed).toBe(true);
    expect(toLedger.ingress.policy).toBe("NetworkPolicy.projectcalico.org/bank/ledger-from-api");
    expect(toLedger.ingress.passedBy).toEqual(["GlobalNetworkPolicy/security.threat-feed"]);

    // The ledger answers pings (ICMP type 8) and no other ICMP message, in the matrix as in explain.
    expect(explainConnection(set.tiers, api, ledger, "ICMP", undefined, undefined, { icmp: { type: 8, code: 0 } }).allowed).toBe(true);
    expect(explainConnection(set.tiers, api, ledger, "ICMP", undefined, undefined, { icmp: { type: 13, code: 0 } }).allowed).toBe(false);
    expect(connectionsBetween(set.tiers, api, ledger).toString()).toBe("TCP 8443,ICMP type 8");

    const wrongPort = explainConnection(set.tiers, api, ledger, "TCP", 443);
    expect(wrongPort.allowed).toBe(false);
    expect(wrongPort.ingress.reason).toBe("end-of-tier");

    expect(explainConnection(set.tiers, external("198.51.100.7"), api, "TCP", 443).ingress.policy).toBe("GlobalNetworkPolicy/security.threat-feed");
    const publicApi = explainConnection(set.tiers, external("192.0.2.7"), api, "TCP", 443);
    expect(publicApi.allowed).toBe(true);
    expect(publicApi.ingress.policy).toBe("NetworkPolicy/bank/api-public");
  });
});

describe("examples/network-calico-services.yaml", () => {
  it("lets the storefront reach its Services' endpoints at their target ports and nothing else", async () => {
    const { set, endpoints } = await example("network-calico-services.yaml");
    expect(set.refused).toEqual([]);
    expect(set.notices.map((n) => n.topic)).toEqual([]);
    const [storefront, catalog, db, coredns] = ["shop/storefront", "shop/catalog", "shop/db", "kube-system/coredns"].map((name) => findWorkload(endpoints, name)?.endpoint);
    expect(storefront && catalog && db && coredns).toBeTruthy();
    if (!storefront || !catalog || !db || !coredns) return;

    // The catalog Service's target port (http: 8080), DNS on both protocols, the API server's written address.
    expect(connectionsBetween(set.tiers, storefront, catalog).toString()).toBe("TCP 8080");
    expect(connectionsBetween(set.tiers, storefront, coredns).toString()).toBe("TCP 53,UDP 53");
    expect(connectionsBetween(set.tiers, storefront, external("172.18.0.2")).toString()).toBe("TCP 6443");
    expect(connectionsBetween(set.tiers, storefront, external("10.96.0.1")).isEmpty()).toBe(true);
    const toCatalog = explainConnection(set.tiers, storefront, catalog, "TCP", 8080);
    expect(toCatalog.egress.policy).toBe("NetworkPolicy.projectcalico.org/shop/storefront-egress");
    expect(toCatalog.egress.rule).toMatch(/services shop\/catalog/);
    // The database takes the catalog's pods (the Service's, as a source), not the storefront.
    expect(explainConnection(set.tiers, catalog, db, "TCP", 5432).allowed).toBe(true);
    expect(explainConnection(set.tiers, storefront, db, "TCP", 5432).allowed).toBe(false);
  });
});
