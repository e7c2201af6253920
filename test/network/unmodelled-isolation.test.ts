/**
 * Policies Palisade does not evaluate (Cilium's, Calico policies it
 * refuses as unsupported or whose tier is not in the input) may isolate pods: the isolation
 * findings name them and drop their severity, instead of saying "no policy isolates".
 */
import { describe, expect, it } from "vitest";
import { loadSnapshot } from "../../src/k8s/load.js";
import { netpolFamily } from "../../src/network/family.js";
import { lintYaml } from "./support.js";

const namespaceAndPod = `apiVersion: v1
kind: Namespace
metadata: {name: default}
---
apiVersion: v1
kind: Pod
metadata: {name: deathstar, namespace: default, labels: {org: empire}}
spec: {containers: [{name: c, image: "nginx:1.25"}]}
`;

const isolation = (findings: Awaited<ReturnType<typeof lintYaml>>) =>
  findings.filter((f) => f.ruleId === "netpol/namespace-not-isolated" || f.ruleId === "netpol/workload-not-isolated").map((f) => [f.ruleId, f.severity, f.message]);

describe("namespace-not-isolated names the policies Palisade does not evaluate", () => {
  it("without any such policy, nothing changes", async () => {
    expect(isolation(await lintYaml(namespaceAndPod))).toEqual([["netpol/namespace-not-isolated", "medium", "namespace default: no policy isolates any of its 1 workload(s)"]]);
  });

  it.each([
    ["a CiliumNetworkPolicy of the namespace", "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: rule1, namespace: default}\nspec: {endpointSelector: {matchLabels: {org: empire}}}", "CiliumNetworkPolicy default/rule1"],
    ["a CiliumClusterwideNetworkPolicy", "apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: all}\nspec: {endpointSelector: {}}", "CiliumClusterwideNetworkPolicy all"],
    ["a Calico policy with an Enterprise field", "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: dns}\nspec: {selector: all(), egress: [{action: Allow, destination: {domains: [example.com]}}]}", "GlobalNetworkPolicy dns"],
    ["a Calico policy whose tier is not in the input", "apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: appsec.p, namespace: default}\nspec: {tier: appsec, selector: all()}", "NetworkPolicy default/appsec.p"],
  ])("%s may isolate: named, and the finding is low", async (_name, policy, ref) => {
    const found = isolation(await lintYaml(`${namespaceAndPod}---\n${policy}\n`));
    expect(found).toEqual([["netpol/namespace-not-isolated", "low", `namespace default: no policy Palisade evaluates isolates any of its 1 workload(s); not evaluated, and may isolate: ${ref}`]]);
  });

  it("a ClusterNetworkPolicy (v1alpha2) is evaluated now: not named, and (like a BANP, which passes what it leaves) it does not isolate", async () => {
    const cnp = "apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: deny-all}\nspec: {tier: Baseline, priority: 1, subject: {namespaces: {}}, ingress: [{name: deny-all, action: Deny, from: [{namespaces: {}}]}]}";
    const found = isolation(await lintYaml(`${namespaceAndPod}---\n${cnp}\n`));
    expect(found).toEqual([["netpol/namespace-not-isolated", "medium", "namespace default: no policy isolates any of its 1 workload(s)"]]);
  });

  it("a namespaced one of another namespace is not named", async () => {
    const other = "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: rule1, namespace: other}\nspec: {endpointSelector: {}}";
    expect(isolation(await lintYaml(`${namespaceAndPod}---\n${other}\n`))).toEqual([["netpol/namespace-not-isolated", "medium", "namespace default: no policy isolates any of its 1 workload(s)"]]);
  });

  it("an invalid Calico policy is not named: the API server refuses it, so it isolates nothing", async () => {
    const invalid = "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: bad}\nspec: {selector: all(), ingress: [{action: Accept}]}";
    expect(isolation(await lintYaml(`${namespaceAndPod}---\n${invalid}\n`))[0]?.[1]).toBe("medium");
  });

  it("workload-not-isolated drops to info when such a policy may isolate the workload", async () => {
    const yaml = `${namespaceAndPod}---
apiVersion: v1
kind: Pod
metadata: {name: other, namespace: default, labels: {app: other}}
spec: {containers: [{name: c, image: "nginx:1.25"}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: other-only, namespace: default}
spec: {podSelector: {matchLabels: {app: other}}, policyTypes: [Ingress]}
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: rule1, namespace: default}
spec: {endpointSelector: {matchLabels: {org: empire}}}
`;
    expect(isolation(await lintYaml(yaml))).toEqual([
      ["netpol/workload-not-isolated", "info", "default/deathstar: no policy Palisade evaluates isolates it for ingress; not evaluated, and may isolate: CiliumNetworkPolicy default/rule1"],
    ]);
  });

  it("the scan family finds the same", async () => {
    const yaml = `${namespaceAndPod}---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: rule1, namespace: default}\nspec: {endpointSelector: {}}\n`;
    const snapshot = await loadSnapshot({ paths: ["-"], stdinText: yaml });
    const checked = netpolFamily.check(snapshot, {});
    expect(checked.find((f) => f.ruleId === "netpol/namespace-not-isolated")?.severity).toBe("low");
  });
});
