/** `netpol lint` rules: each fires on the manifest made to trigger it, and stays quiet otherwise. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { conformancePath, repoRoot } from "../support/conformance.js";
import { loadSnapshot } from "../../src/k8s/load.js";
import { lintContext, lintNetworkPolicies } from "../../src/network/lint.js";
import { deploymentYaml, lintYaml, policyYaml, yamlDocs } from "./support.js";

const lint = lintYaml;
const deployment = (ns: string, app: string, ports?: string) => deploymentYaml(ns, app, ports === undefined ? {} : { ports });
const policy = (ns: string, name: string, spec: string) => policyYaml(ns, name, spec);
const doc = yamlDocs;

describe("netpol lint", () => {
  it("flags a policy selecting nothing, a peer matching nothing and a named port nobody declares", async () => {
    const findings = await lint(
      doc(deployment("shop", "web"), policy("shop", "typo", "{ podSelector: { matchLabels: { app: wbe } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: nobody } } }], ports: [{ port: grpc }] }] }")),
    );
    const ids = findings.map((f) => f.ruleId);
    expect(ids).toContain("netpol/selects-nothing");
    expect(ids).toContain("netpol/peer-matches-nothing");
    expect(ids).toContain("netpol/unknown-named-port");
    const selects = findings.find((f) => f.ruleId === "netpol/selects-nothing")!;
    expect(selects.fieldPath).toBe("spec.podSelector");
    expect(selects.position?.line).toBeGreaterThan(1);
  });

  it("flags egress isolation without DNS, and is quiet once DNS is allowed", async () => {
    const deny = policy("shop", "deny", "{ podSelector: {}, policyTypes: [Ingress, Egress] }");
    const dnsSeverities = async (...parts: string[]) => (await lint(doc(...parts))).filter((f) => f.ruleId === "netpol/egress-blocks-dns").map((f) => f.severity);
    expect(await dnsSeverities(deployment("shop", "web"), deny)).toEqual(["medium"]);
    // An ipBlock to every address reaches kube-dns's pods only on some plugins: still reported, at low.
    const anyAddress = policy("shop", "any", "{ podSelector: {}, policyTypes: [Egress], egress: [{ to: [{ ipBlock: { cidr: 0.0.0.0/0 } }], ports: [{ port: 53, protocol: UDP }] }] }");
    expect(await dnsSeverities(deployment("shop", "web"), deny, anyAddress)).toEqual(["low"]);
    const dns = policy("shop", "dns", "{ podSelector: {}, policyTypes: [Egress], egress: [{ to: [{ namespaceSelector: {}, podSelector: { matchLabels: { k8s-app: kube-dns } } }], ports: [{ port: 53, protocol: UDP }] }] }");
    expect((await lint(doc(deployment("shop", "web"), deny, dns))).map((f) => f.ruleId)).not.toContain("netpol/egress-blocks-dns");
    expect(await dnsSeverities(deployment("shop", "web"), deny, anyAddress, dns)).toEqual([]);
  });

  it("flags rules that allow everyone", async () => {
    const findings = await lint(doc(deployment("shop", "web"), policy("shop", "open", "{ podSelector: {}, ingress: [{}], egress: [{ to: [{ ipBlock: { cidr: 0.0.0.0/0 } }] }] }")));
    const broad = findings.filter((f) => f.ruleId === "netpol/overly-broad-allow");
    expect(broad).toHaveLength(2);
  });

  it("flags namespaces nothing isolates and workloads left out of their namespace's policies", async () => {
    const findings = await lint(doc(deployment("open", "a"), deployment("shop", "web"), deployment("shop", "db"), policy("shop", "db", "{ podSelector: { matchLabels: { app: db } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: web } } }] }] }")));
    expect(findings.filter((f) => f.ruleId === "netpol/namespace-not-isolated").map((f) => f.object?.name)).toEqual(["open"]);
    expect(findings.filter((f) => f.ruleId === "netpol/workload-not-isolated").map((f) => f.message)).toEqual(["shop/web: no policy isolates it for ingress"]);
  });

  it("places a namespace's finding at its Namespace object, else at its first workload's namespace field", async () => {
    const namespaceNotIsolated = async (yaml: string) => (await lint(yaml)).find((f) => f.ruleId === "netpol/namespace-not-isolated" && f.object?.name === "open")!;
    // An object starts (apiVersion) two lines above its metadata line.
    const lineOf = (yaml: string, metadata: string) => {
      const index = yaml.split("\n").indexOf(metadata);
      expect(yaml.split("\n")[index - 2]).toMatch(/^apiVersion/);
      return index - 1;
    };
    const workloadsOnly = doc(deployment("shop", "web"), deployment("open", "a"), deployment("open", "b"));
    const metadataLine = "metadata: { name: a, namespace: open }";
    expect((await namespaceNotIsolated(workloadsOnly)).position).toEqual({ file: "<stdin>", line: lineOf(workloadsOnly, metadataLine) + 2, column: metadataLine.indexOf("namespace:") + 1 });
    const namespace = "\napiVersion: v1\nkind: Namespace\nmetadata: { name: open }\n";
    const withNamespace = doc(deployment("open", "a"), namespace, deployment("open", "b"));
    expect((await namespaceNotIsolated(withNamespace)).position).toEqual({ file: "<stdin>", line: lineOf(withNamespace, "metadata: { name: open }"), column: 1 });
  });

  it("reports refused policies with their position, and except outside cidr by its own rule", async () => {
    const findings = await lint(doc(deployment("shop", "web"), policy("shop", "bad", "{ podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: 10.0.0.0/16, except: [10.1.0.0/24] } }, {}] }] }")));
    const except = findings.find((f) => f.ruleId === "netpol/except-outside-cidr")!;
    expect(except.fieldPath).toBe("spec.ingress[0].from[0].ipBlock.except[0]");
    expect(except.position?.file).toBe("<stdin>");
    expect(findings.find((f) => f.ruleId === "netpol/invalid-policy")?.message).toMatch(/must specify a peer/);
  });

  it("is quiet on a clean, DNS-aware least-privilege namespace", async () => {
    const findings = await lint(
      doc(
        deployment("shop", "web"),
        deployment("shop", "db", "[{ name: pg, containerPort: 5432 }]"),
        policy("shop", "deny", "{ podSelector: {}, policyTypes: [Ingress, Egress], egress: [{ to: [{ namespaceSelector: {}, podSelector: { matchLabels: { k8s-app: kube-dns } } }], ports: [{ port: 53, protocol: UDP }] }] }"),
        policy("shop", "db", "{ podSelector: { matchLabels: { app: db } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: web } } }], ports: [{ port: pg }] }] }"),
        policy("shop", "web", "{ podSelector: { matchLabels: { app: web } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: db } } }] }], egress: [{ to: [{ podSelector: { matchLabels: { app: db } } }], ports: [{ port: 5432 }] }] }"),
      ),
    );
    // The DNS peer targets kube-dns, which the lint assumes exists even when no manifest holds it.
    expect(findings.map((f) => `${f.ruleId}: ${f.message}`)).toEqual([]);
  });

  const invalid = conformancePath("netpol/np-guard-invalid");
  it.skipIf(!invalid)("np-guard's named port towards an ipBlock is accepted but reported", async () => {
    const snapshot = await loadSnapshot({ paths: [join(invalid!, "bad_netpols__subdir6")] });
    const findings = lintNetworkPolicies(lintContext(snapshot));
    expect(findings.find((f) => f.ruleId === "netpol/unknown-named-port")?.message).toMatch(/ipBlocks, which have no named ports/);
  });

  it("finds DNS gaps and the namespace only an AdminNetworkPolicy selects in the shop example", async () => {
    const snapshot = await loadSnapshot({ paths: [join(repoRoot, "examples/network-shop.yaml")] });
    const findings = lintNetworkPolicies(lintContext(snapshot));
    expect([...new Set(findings.map((f) => f.ruleId))]).toEqual(["netpol/egress-blocks-dns", "netpol/namespace-not-isolated"]);
    // allow-monitoring's subject is every namespace, but an ANP isolates nothing: monitoring stays open.
    expect(findings.filter((f) => f.ruleId === "netpol/namespace-not-isolated").map((f) => f.message)).toEqual(["namespace monitoring: no policy isolates any of its 1 workload(s)"]);
  });
});
