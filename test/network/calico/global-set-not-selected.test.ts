/**
 * `calico/global-set-not-selected`: a namespaced rule's selector written for a
 * GlobalNetworkSet. Calico adds a GlobalNetworkSet's nets only for a GlobalNetworkPolicy
 * rule or a rule whose namespaceSelector includes global() (the GlobalNetworkSet reference),
 * so the verdicts below show the rule missing the set, and the finding says where.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadSnapshot } from "../../../src/k8s/load.js";
import { checkCalico } from "../../../src/network/calico/family.js";
import { allowed, compile, external, packet, pod } from "./fixtures.js";

const SETS = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: {name: partners, labels: {feed: partners}}
spec: {nets: [198.51.100.0/24]}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: {name: partners-eu, labels: {feed: partners}}
spec: {nets: [203.0.113.0/24]}
`;

function egress(destination: string, kind = "NetworkPolicy", extra = ""): string {
  const namespace = kind === "NetworkPolicy" ? "\n  namespace: shop" : "";
  return `${SETS}---
apiVersion: projectcalico.org/v3
kind: ${kind}
metadata:
  name: to-partners${namespace}
spec:
  selector: all()
  types: [Egress]
  egress:
  - action: Allow
    protocol: TCP
    destination: ${destination}
  - action: Deny
${extra}`;
}

const client = pod("shop", "client", { app: "client" }, { ips: ["10.0.1.1"] });

const dir = mkdtempSync(join(tmpdir(), "palisade-calico-global-set-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function findings(text: string): Promise<{ line: number | undefined; path: string; message: string }[]> {
  const file = join(dir, `policy-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, text);
  return checkCalico(await loadSnapshot({ paths: [file] }))
    .filter((f) => f.ruleId === "calico/global-set-not-selected")
    .map((f) => ({ line: f.position?.line, path: f.fieldPath ?? "", message: f.message }));
}

describe("a namespaced rule's selector does not see GlobalNetworkSets", () => {
  it("misses the set without namespaceSelector: global(), and matches it with", () => {
    const without = compile(egress(`{selector: "feed == 'partners'"}`));
    expect(without.refused).toEqual([]);
    expect(allowed(without.tiers, packet(client, external("198.51.100.7"), "TCP", 443))).toBe(false);
    const withGlobal = compile(egress(`{namespaceSelector: global(), selector: "feed == 'partners'"}`));
    expect(allowed(withGlobal.tiers, packet(client, external("198.51.100.7"), "TCP", 443))).toBe(true);
    expect(allowed(withGlobal.tiers, packet(client, external("203.0.113.9"), "TCP", 443))).toBe(true);
  });

  it("reports the selector at its file:line, naming the sets it was written for", async () => {
    const found = await findings(egress(`{selector: "feed == 'partners'"}`));
    expect(found).toHaveLength(1);
    expect(found[0]!.line).toBe(22);
    expect(found[0]!.path).toBe("spec.egress[0].destination.selector");
    expect(found[0]!.message).toContain("GlobalNetworkSets partners, partners-eu");
    expect(found[0]!.message).toContain("namespace shop");
    expect(found[0]!.message).toContain("namespaceSelector: global()");
  });

  it("reports a source selector of an ingress rule too", async () => {
    const text = `${SETS}---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: from-partners, namespace: shop}
spec:
  selector: all()
  types: [Ingress]
  ingress: [{action: Allow, source: {selector: "feed == 'partners'"}}]
`;
    expect((await findings(text)).map((f) => f.path)).toEqual(["spec.ingress[0].source.selector"]);
  });

  it.each([
    ["with namespaceSelector: global()", egress(`{namespaceSelector: global(), selector: "feed == 'partners'"}`)],
    ["with another namespaceSelector", egress(`{namespaceSelector: "projectcalico.org/name == 'shop'", selector: "feed == 'partners'"}`)],
    ["in a GlobalNetworkPolicy, which sees global sets", egress(`{selector: "feed == 'partners'"}`, "GlobalNetworkPolicy")],
    ["for a broad selector (all() matches any endpoint of the namespace)", egress(`{selector: all()}`)],
    ["for a selector no set's labels match", egress(`{selector: "app == 'db'"}`)],
    [
      "when a NetworkSet of the namespace matches too (namespaced sets are in use)",
      egress(`{selector: "feed == 'partners'"}`, "NetworkPolicy", `---\napiVersion: projectcalico.org/v3\nkind: NetworkSet\nmetadata: {name: partners, namespace: shop, labels: {feed: partners}}\nspec: {nets: [192.0.2.0/24]}\n`),
    ],
  ])("stays quiet %s", async (_, text) => {
    expect(await findings(text)).toEqual([]);
  });
});
