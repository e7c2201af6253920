/**
 * `palisade netpol generate` end to end: policies the API server accepts under any valid
 * workload name, addresses in canonical form, DNS allowed (and lint quiet about it),
 * hostNetwork workloads handled honestly, and output a GitOps diff can compare.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parse as parseYaml, parseAllDocuments } from "yaml";
import type { K8sObject } from "../../src/k8s/types.js";
import { buildPolicySet } from "../../src/network/policy-set.js";
import { runNetpol as run } from "./cli-run.js";

afterEach(() => vi.restoreAllMocks());

function flowsFile(content: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), "netpol-gen-")), "flows.json");
  writeFileSync(file, JSON.stringify(content));
  return file;
}

async function generate(content: unknown, ...flags: string[]): Promise<{ policies: K8sObject[]; out: string; err: string; code: number }> {
  const r = await run("generate", "--flows", flowsFile(content), ...flags);
  const policies = r.code === 0 ? parseAllDocuments(r.out).map((d) => d.toJS() as K8sObject) : [];
  return { ...r, policies };
}

const web = { namespace: "shop", name: "web", labels: { app: "web" } };
const db = { namespace: "shop", name: "db", labels: { app: "db" } };

describe("palisade netpol generate", () => {
  it("names policies validly and distinctly, however long the workload names", async () => {
    const long = "a".repeat(240);
    const r = await generate({ workloads: [{ ...web, name: `${long}.x1` }, { ...db, name: `${long}.x2` }], flows: [] });
    expect(r.code).toBe(0);
    const names = r.policies.map((p) => p.metadata!.name!);
    expect(new Set(names).size).toBe(2);
    for (const name of names) expect(name.length).toBeLessThanOrEqual(253);
    expect(buildPolicySet(r.policies.map((object) => ({ object }))).refused).toEqual([]);
  });

  it("refuses a workload name no object can have, and a workload listed twice, naming the entry", async () => {
    const bad = await generate({ workloads: [{ ...web, name: "Web_1" }], flows: [] });
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('workloads[0] (shop/Web_1): name "Web_1" is not a valid object name');
    const twice = await generate({ workloads: [web, { ...web, labels: { app: "other" } }], flows: [] });
    expect(twice.code).toBe(2);
    expect(twice.err).toContain("workloads[1]: shop/web is listed already (workloads[0])");
  });

  it("writes addresses canonically, one peer per address however it is spelt", async () => {
    const r = await generate({
      workloads: [web],
      flows: [
        { from: "shop/web", to: "2001:DB8:0::1", port: 443 },
        { from: "shop/web", to: "2001:db8::1", port: 444 },
        { from: "::ffff:203.0.113.7", to: "shop/web", port: 80 },
      ],
    });
    expect(r.code).toBe(0);
    const spec = r.policies[0]!.spec as { ingress: { from: unknown[] }[]; egress: { to: unknown[]; ports: unknown[] }[] };
    expect(spec.egress[0]).toEqual({ to: [{ ipBlock: { cidr: "2001:db8::1/128" } }], ports: [{ protocol: "TCP", port: 443, endPort: 444 }] });
    expect(spec.ingress[0]!.from).toEqual([{ ipBlock: { cidr: "203.0.113.7/32" } }]);
    const zoned = await generate({ workloads: [web], flows: [{ from: "shop/web", to: "fe80::1%eth0", port: 443 }] });
    expect(zoned.code).toBe(2);
    expect(zoned.err).toContain('"fe80::1%eth0" is neither a listed workload nor an IP address');
  });

  it("allows DNS to kube-dns by default, so lint finds nothing about the generated policies; --no-dns leaves it out", async () => {
    const content = { workloads: [web, db], flows: [{ from: "shop/web", to: "shop/db", port: 5432 }] };
    const r = await generate(content);
    const dnsRule = { to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }], ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }] };
    for (const p of r.policies) expect((p.spec as { egress: unknown[] }).egress).toContainEqual(dnsRule);
    const dir = mkdtempSync(join(tmpdir(), "netpol-gen-lint-"));
    const pods = [web, db].map((w) => `apiVersion: v1\nkind: Pod\nmetadata: { name: ${w.name}, namespace: shop, labels: { app: ${w.labels.app} } }\nspec: { containers: [{ name: c, image: i }] }\n`);
    const namespace = "apiVersion: v1\nkind: Namespace\nmetadata: { name: shop }\n";
    writeFileSync(join(dir, "all.yaml"), [namespace, ...pods, r.out].join("---\n"));
    const lint = await run("lint", join(dir, "all.yaml"), "-o", "json");
    expect(JSON.parse(lint.out).findings).toEqual([]);
    expect(lint.code).toBe(0);
    const without = await generate(content, "--no-dns");
    for (const p of without.policies) expect((p.spec as { egress: unknown[] }).egress).not.toContainEqual(dnsRule);
  });

  it("gives a hostNetwork workload no policy and refuses a flow that would need to select it", async () => {
    const agent = { namespace: "shop", name: "agent", labels: { app: "agent" }, hostNetwork: true };
    const r = await generate({ workloads: [web, agent], flows: [] });
    expect(r.code).toBe(0);
    expect(r.policies.map((p) => p.metadata!.name)).toEqual(["web-least-privilege"]);
    const flow = await generate({ workloads: [web, agent], flows: [{ from: "shop/agent", to: "shop/web", port: 8080 }] });
    expect(flow.code).toBe(2);
    expect(flow.err).toContain("flows[0]: shop/agent uses hostNetwork");
  });

  it("writes plain YAML: no anchors or aliases where one selector is used twice", async () => {
    const r = await generate({ workloads: [web, db], flows: [{ from: "shop/web", to: "shop/db", port: 5432 }, { from: "shop/db", to: "shop/web", port: 8080 }, { from: "shop/web", to: "shop/web", port: 7000 }] });
    expect(r.code).toBe(0);
    expect(r.out).not.toMatch(/[&*]a\d/);
    const json = await run("generate", "--flows", flowsFile({ workloads: [web], flows: [] }), "-o", "json");
    expect(parseYaml(json.out)).toMatchObject({ apiVersion: "v1", kind: "List" });
  });
});
