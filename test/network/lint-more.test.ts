/**
 * `netpol lint` on what QA found it wrong about: policies no API server enforces, rule
 * breadth (cluster pods, DNS only), directions policyTypes leaves out, node-local DNS,
 * hostNetwork workloads, AdminNetworkPolicy ties, and what isolates a namespace.
 */
import { describe, expect, it } from "vitest";
import { deploymentYaml, lintYaml, policyYaml, yamlDocs } from "./support.js";

const lint = lintYaml;
const messages = (findings: Awaited<ReturnType<typeof lint>>, ruleId: string) => findings.filter((f) => f.ruleId === ruleId).map((f) => f.message);

const deployment = (ns: string, app: string, extra = "") => deploymentYaml(ns, app, { extra, ports: "[{ name: metrics, containerPort: 9100 }]" });
const policy = policyYaml;
const anp = (name: string, priority: number, action: string) => `
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: { name: ${name} }
spec:
  priority: ${priority}
  subject: { namespaces: {} }
  ingress: [{ name: r, action: ${action}, from: [{ namespaces: { matchLabels: { kubernetes.io/metadata.name: mon } } }] }]
`;
const cnp = (name: string, tier: "Admin" | "Baseline", priority: number, action: string) => `
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: { name: ${name} }
spec:
  tier: ${tier}
  priority: ${priority}
  subject: { namespaces: {} }
  ingress: [{ name: r, action: ${action}, from: [{ namespaces: { matchLabels: { kubernetes.io/metadata.name: mon } } }] }]
`;
const doc = yamlDocs;
const denyAll = "{ podSelector: {}, policyTypes: [Ingress] }";

describe("netpol lint: policies nothing enforces", () => {
  it("refuses a NetworkPolicy version the API server never served, at its apiVersion", async () => {
    for (const version of ["networking.k8s.io/v2", "networking.k8s.io/v1beta1"]) {
      const findings = await lint(doc(deployment("app", "api"), policy("app", "deny", denyAll, version)));
      const invalid = findings.filter((f) => f.ruleId === "netpol/invalid-policy");
      expect(invalid.map((f) => f.message)).toEqual([`apiVersion: Invalid value: "${version}": the API server serves NetworkPolicy only as networking.k8s.io/v1, so it refuses this object and enforces nothing of it`]);
      expect(invalid[0]!.fieldPath).toBe("apiVersion");
      // Not enforced: the namespace is as open as without it.
      expect(messages(findings, "netpol/namespace-not-isolated")).toEqual(["namespace app: no policy isolates any of its 1 workload(s)"]);
    }
  });

  it("refuses an AdminNetworkPolicy of an unserved version", async () => {
    const findings = await lint(doc(deployment("app", "api"), anp("a", 1, "Deny").replace("v1alpha1", "v1beta1")));
    expect(findings.filter((f) => f.ruleId === "netpol/invalid-policy").map((f) => f.fieldPath)).toEqual(["apiVersion"]);
  });

  it("warns that an extensions/v1beta1 NetworkPolicy and a kind with the wrong case are not enforced", async () => {
    const findings = await lint(doc(deployment("app", "api"), policy("app", "old", denyAll, "extensions/v1beta1"), policy("app", "typo", denyAll, "networking.k8s.io/v1", "Networkpolicy"), policy("app", "cal", "{ selector: all() }", "projectcalico.org/v3", "globalNetworkPolicy")));
    const notEnforced = findings.filter((f) => f.ruleId === "netpol/not-enforced");
    expect(notEnforced.map((f) => [f.object?.name, f.fieldPath, f.severity])).toEqual([
      ["old", "apiVersion", "medium"],
      ["typo", "kind", "medium"],
      ["cal", "kind", "medium"],
    ]);
    expect(notEnforced[0]!.message).toBe("extensions/v1beta1 NetworkPolicy was removed in Kubernetes 1.16: API servers refuse it, so nothing enforces it; migrate to networking.k8s.io/v1 (the fields are the same)");
    expect(notEnforced[1]!.message).toBe('kind "Networkpolicy" is a typo of NetworkPolicy (kinds are case-sensitive): no API server serves it, so nothing enforces it');
    expect(notEnforced[2]!.message).toMatch(/^kind "globalNetworkPolicy" is a typo of GlobalNetworkPolicy/);
    expect(messages(findings, "netpol/namespace-not-isolated")).toEqual(["namespace app: no policy isolates any of its 1 workload(s)"]);
  });
});

describe("netpol lint: rule breadth", () => {
  it("reports namespaceSelector {} as every pod of the cluster (low), not any destination", async () => {
    const findings = await lint(doc(deployment("shop", "api"), policy("shop", "p", "{ podSelector: {}, policyTypes: [Ingress, Egress], ingress: [{ from: [{ podSelector: {} }] }], egress: [{ to: [{ namespaceSelector: {} }] }] }")));
    const broad = findings.filter((f) => f.ruleId === "netpol/overly-broad-allow");
    expect(broad.map((f) => [f.severity, f.message])).toEqual([["low", "NetworkPolicy/shop/p egress rule 0 allows any pod in the cluster (namespaceSelector {}; no address outside it) on every port"]]);
  });

  it("still reports an empty peer list or 0.0.0.0/0 as any destination", async () => {
    const findings = await lint(doc(deployment("shop", "api"), policy("shop", "p", "{ podSelector: {}, policyTypes: [Egress], egress: [{ to: [{ ipBlock: { cidr: 0.0.0.0/0 } }] }, { ports: [{ port: 443 }] }] }")));
    expect(findings.filter((f) => f.ruleId === "netpol/overly-broad-allow").map((f) => [f.severity, f.message])).toEqual([
      ["medium", "NetworkPolicy/shop/p egress rule 0 allows any destination on every port"],
      ["low", "NetworkPolicy/shop/p egress rule 1 allows any destination"],
    ]);
  });

  it("only notes (info) egress limited to DNS ports to any destination", async () => {
    const findings = await lint(doc(deployment("shop", "api"), policy("shop", "p", "{ podSelector: {}, policyTypes: [Egress], egress: [{ ports: [{ port: 53, protocol: UDP }, { port: 53, protocol: TCP }] }] }")));
    expect(findings.filter((f) => f.ruleId === "netpol/overly-broad-allow").map((f) => [f.severity, f.message])).toEqual([["info", "NetworkPolicy/shop/p egress rule 0 allows only DNS (port 53) to any destination"]]);
    expect(findings.filter((f) => f.severity !== "info" && f.ruleId !== "netpol/workload-not-isolated")).toEqual([]);
  });
});

describe("netpol lint: policyTypes", () => {
  it("reports egress rules policyTypes [Ingress] makes ignored, and the symmetric ingress case", async () => {
    const findings = await lint(
      doc(
        deployment("shop", "api"),
        policy("shop", "i", "{ podSelector: {}, policyTypes: [Ingress], ingress: [{}], egress: [{ to: [{ ipBlock: { cidr: 10.0.0.0/8 } }] }] }"),
        policy("shop", "e", "{ podSelector: {}, policyTypes: [Egress], ingress: [{ from: [{ podSelector: {} }] }, {}], egress: [{ ports: [{ port: 53, protocol: UDP }] }] }"),
        policy("shop", "both", "{ podSelector: {}, egress: [{ to: [{ podSelector: {} }] }] }"),
      ),
    );
    const ignored = findings.filter((f) => f.ruleId === "netpol/rules-ignored-by-policy-types");
    expect(ignored.map((f) => [f.object?.name, f.fieldPath, f.message])).toEqual([
      ["i", "spec.egress", "NetworkPolicy/shop/i has 1 egress rule but policyTypes [Ingress] lacks Egress: they are ignored, and egress is neither isolated nor allowed by this policy"],
      ["e", "spec.ingress", "NetworkPolicy/shop/e has 2 ingress rules but policyTypes [Egress] lacks Ingress: they are ignored, and ingress is neither isolated nor allowed by this policy"],
    ]);
  });
});

describe("netpol lint: DNS", () => {
  const nodeLocal = (cidr: string) => policy("shop", "p", `{ podSelector: {}, policyTypes: [Egress], egress: [{ to: [{ ipBlock: { cidr: "${cidr}" } }], ports: [{ port: 53, protocol: UDP }, { port: 53, protocol: TCP }] }] }`);
  it("takes port-53 egress to a link-local resolver (NodeLocal DNSCache) as DNS", async () => {
    for (const cidr of ["169.254.20.10/32", "169.254.0.0/16", "fe80::a/128"]) {
      expect(messages(await lint(doc(deployment("shop", "api"), nodeLocal(cidr))), "netpol/egress-blocks-dns"), cidr).toEqual([]);
    }
  });
  const dnsFindings = async (...policies: string[]) =>
    (await lint(doc(deployment("shop", "api"), ...policies))).filter((f) => f.ruleId === "netpol/egress-blocks-dns").map((f) => [f.severity, f.message]);
  const blocked = "shop/api: egress is restricted by NetworkPolicy/shop/p and no rule allows UDP 53 to cluster DNS (the kube-dns pods or a link-local resolver)";
  const pluginDependent = (addresses: string) =>
    `shop/api: egress is restricted by NetworkPolicy/shop/p, and only an ipBlock rule broad enough to hold a node-local resolver's address (${addresses}) allows UDP 53, no rule to the kube-dns pods: ` +
    "DNS then works only through NodeLocal DNSCache or where the network plugin applies ipBlock to pod addresses (e.g. Calico, not Cilium); " +
    "add an egress rule to kube-system's kube-dns pods (k8s-app=kube-dns) on 53/UDP and 53/TCP";
  it("reports (medium) port-53 egress only to an address that is neither cluster DNS nor link-local, and egress isolation with no rule at all", async () => {
    // The Service IP alone is no way to the pods: it is translated to a pod's address before policy applies.
    for (const cidr of ["8.8.8.8/32", "192.168.0.0/16", "2001:4860::/32", "10.96.0.10/32", "10.0.0.0/8"]) expect(await dnsFindings(nodeLocal(cidr)), cidr).toEqual([["medium", blocked]]);
    expect(await dnsFindings(policy("shop", "p", "{ podSelector: {}, policyTypes: [Egress] }"))).toEqual([["medium", blocked]]);
    // An except that carves cluster DNS's addresses out leaves nothing that could reach it.
    expect(await dnsFindings(policy("shop", "p", '{ podSelector: {}, policyTypes: [Egress], egress: [{ to: [{ ipBlock: { cidr: 0.0.0.0/0, except: [10.0.0.0/8, 169.254.0.0/16] } }], ports: [{ port: 53, protocol: UDP }] }] }'))).toEqual([["medium", blocked]]);
    // Port 53 over TCP only is not DNS's usual transport: still blocked.
    expect(await dnsFindings(policy("shop", "p", '{ podSelector: {}, policyTypes: [Egress], egress: [{ to: [{ ipBlock: { cidr: 0.0.0.0/0 } }], ports: [{ port: 53, protocol: TCP }] }] }'))).toEqual([["medium", blocked]]);
  });
  it("reports (low) port-53 egress allowed only by an ipBlock as broad as every address: it reaches kube-dns's pods only through NodeLocal DNSCache or on some plugins", async () => {
    expect(await dnsFindings(nodeLocal("0.0.0.0/0"))).toEqual([["low", pluginDependent("169.254.20.10")]]);
    expect(await dnsFindings(nodeLocal("::/0"))).toEqual([["low", pluginDependent("fe80::a")]]);
    expect(await dnsFindings(nodeLocal("0.0.0.0/0"), nodeLocal("::/0").replace("name: p", "name: p6"))).toEqual([
      ["low", pluginDependent("169.254.20.10, fe80::a").replace("NetworkPolicy/shop/p,", "NetworkPolicy/shop/p, NetworkPolicy/shop/p6,")],
    ]);
  });
  it("grades 0.0.0.0/0, 169.254.0.0/16, 10.96.0.10/32 and no rule against each other", async () => {
    const graded: Record<string, unknown> = {};
    for (const cidr of ["0.0.0.0/0", "169.254.0.0/16", "10.96.0.10/32"]) graded[cidr] = (await dnsFindings(nodeLocal(cidr))).map(([severity]) => severity);
    graded.nothing = (await dnsFindings(policy("shop", "p", "{ podSelector: {}, policyTypes: [Egress] }"))).map(([severity]) => severity);
    expect(graded).toEqual({ "0.0.0.0/0": ["low"], "169.254.0.0/16": [], "10.96.0.10/32": ["medium"], nothing: ["medium"] });
  });
  it("is quiet once a rule reaches the kube-dns pods, whatever ipBlock rule sits beside it", async () => {
    const kubeDns = policy("shop", "dns", "{ podSelector: {}, policyTypes: [Egress], egress: [{ to: [{ namespaceSelector: {}, podSelector: { matchLabels: { k8s-app: kube-dns } } }], ports: [{ port: 53, protocol: UDP }, { port: 53, protocol: TCP }] }] }");
    expect(await dnsFindings(nodeLocal("0.0.0.0/0"), kubeDns)).toEqual([]);
    // A rule with no peer allows every destination, pods included.
    expect(await dnsFindings(policy("shop", "p", "{ podSelector: {}, policyTypes: [Egress], egress: [{ ports: [{ port: 53, protocol: UDP }] }] }"))).toEqual([]);
  });
});

describe("netpol lint: hostNetwork", () => {
  const hostNetwork = doc(
    deployment("mon", "agent", "hostNetwork: true, "),
    deployment("mon", "web"),
    policy("mon", "agent", "{ podSelector: { matchLabels: { app: agent } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: web } } }], ports: [{ port: metrics }] }] }"),
    policy("mon", "web", "{ podSelector: { matchLabels: { app: web } }, policyTypes: [Egress], egress: [{ to: [{ podSelector: { matchLabels: { app: agent } } }] }, { ports: [{ port: 53, protocol: UDP }] }] }"),
  );
  it("says that hostNetwork is why a policy, a peer or a named port matches nothing", async () => {
    const findings = await lint(hostNetwork);
    expect(messages(findings, "netpol/selects-nothing")).toEqual([]);
    expect(messages(findings, "netpol/selects-host-network")).toEqual([
      "NetworkPolicy/mon/agent's selector matches mon/agent, which uses hostNetwork: NetworkPolicy does not govern host-network pods (their traffic is the node's), so the policy does not govern it",
    ]);
    expect(messages(findings, "netpol/peer-matches-nothing")).toEqual([
      "NetworkPolicy/mon/web egress rule 0 peer 0 matches only mon/agent, which uses hostNetwork: NetworkPolicy does not govern host-network pods (their traffic is the node's), and selectors never match host-network pods (an ipBlock of the nodes' addresses does)",
    ]);
    expect(messages(findings, "netpol/unknown-named-port")).toEqual([
      'NetworkPolicy/mon/agent ingress rule 0 names port "metrics" but only mon/agent declares it, and it uses hostNetwork: NetworkPolicy does not govern host-network pods (their traffic is the node\'s)',
    ]);
  });
  it("flags a hostNetwork workload a selector matches beside pod-network ones", async () => {
    const findings = await lint(doc(deployment("mon", "agent", "hostNetwork: true, "), deployment("mon", "web"), policy("mon", "all", denyAll)));
    expect(findings.filter((f) => f.ruleId === "netpol/selects-host-network").map((f) => [f.fieldPath, f.severity])).toEqual([["spec.podSelector", "medium"]]);
  });
});

describe("netpol lint: AdminNetworkPolicy", () => {
  it("reports AdminNetworkPolicies that share a priority, naming each other", async () => {
    const findings = await lint(doc(deployment("app", "api"), anp("zz-allow", 10, "Allow"), anp("aa-deny", 10, "Deny"), anp("other", 11, "Deny")));
    expect(findings.filter((f) => f.ruleId === "netpol/anp-priority-tie").map((f) => [f.object?.name, f.fieldPath, f.message])).toEqual([
      ["zz-allow", "spec.priority", "AdminNetworkPolicy/zz-allow has priority 10, as AdminNetworkPolicy/aa-deny has: where both match a connection, which decides is undefined"],
      ["aa-deny", "spec.priority", "AdminNetworkPolicy/aa-deny has priority 10, as AdminNetworkPolicy/zz-allow has: where both match a connection, which decides is undefined"],
    ]);
  });

  it("reports ClusterNetworkPolicies of one tier that share a priority, and an Admin one tied with an AdminNetworkPolicy; not across tiers", async () => {
    const findings = await lint(doc(deployment("app", "api"), cnp("admin-a", "Admin", 20, "Accept"), anp("anp-20", 20, "Deny"), cnp("base-a", "Baseline", 20, "Deny"), cnp("base-b", "Baseline", 30, "Deny"), cnp("base-c", "Baseline", 30, "Accept")));
    expect(findings.filter((f) => f.ruleId === "netpol/anp-priority-tie").map((f) => f.object?.name)).toEqual(["admin-a", "anp-20", "base-b", "base-c"]);
  });

  it("reports a tie low when no workload of the input is selected by both (the network-policy-api applies such policies both), and at its weight once one is", async () => {
    const scoped = (name: string, ns: string) => anp(name, 15, "Deny").replace("subject: { namespaces: {} }", `subject: { namespaces: { matchLabels: { kubernetes.io/metadata.name: ${ns} } } }`);
    const apart = await lint(doc(deployment("a", "api"), deployment("b", "api"), scoped("only-a", "a"), scoped("only-b", "b")));
    const ties = (findings: typeof apart) => findings.filter((f) => f.ruleId === "netpol/anp-priority-tie").map((f) => [f.object?.name, f.severity]);
    expect(ties(apart)).toEqual([
      ["only-a", "low"],
      ["only-b", "low"],
    ]);
    expect(apart.find((f) => f.object?.name === "only-a" && f.ruleId === "netpol/anp-priority-tie")?.message).toBe(
      "AdminNetworkPolicy/only-a has priority 15, as AdminNetworkPolicy/only-b has: no workload of the input is selected by both for one direction, but a namespace or pod both select would make which decides undefined",
    );
    const shared = await lint(doc(deployment("a", "api"), scoped("only-a", "a"), anp("every-namespace", 15, "Allow")));
    expect(ties(shared)).toEqual([
      ["only-a", "medium"],
      ["every-namespace", "medium"],
    ]);
  });

  it("does not count an AdminNetworkPolicy as isolating a namespace; a NetworkPolicy or a Calico deny-at-end policy does", async () => {
    const open = await lint(doc(deployment("app", "api"), anp("allow-mon", 10, "Allow")));
    expect(messages(open, "netpol/namespace-not-isolated")).toEqual(["namespace app: no policy isolates any of its 1 workload(s)"]);
    const byNetworkPolicy = await lint(doc(deployment("app", "api"), anp("allow-mon", 10, "Allow"), policy("app", "deny", denyAll)));
    expect(messages(byNetworkPolicy, "netpol/namespace-not-isolated")).toEqual([]);
    const byCalico = await lint(doc(deployment("app", "api"), policy("app", "deny", "{ selector: all(), types: [Ingress] }", "projectcalico.org/v3")));
    expect(messages(byCalico, "netpol/namespace-not-isolated")).toEqual([]);
    // A Calico policy in a tier that passes at its end isolates nothing on its own.
    const tier = "\napiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: { name: platform }\nspec: { order: 100, defaultAction: Pass }\n";
    const passing = await lint(doc(deployment("app", "api"), tier, policy("app", "platform.watch", "{ tier: platform, selector: all(), types: [Ingress] }", "projectcalico.org/v3")));
    expect(messages(passing, "netpol/namespace-not-isolated")).toEqual(["namespace app: no policy isolates any of its 1 workload(s)"]);
  });
});
