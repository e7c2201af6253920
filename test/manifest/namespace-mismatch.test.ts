import { describe, expect, it } from "vitest";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { emptySnapshot } from "../../src/k8s/snapshot.js";
import { manifestFamily } from "../../src/manifest/family.js";
import { NAMESPACE_MISMATCH } from "../../src/manifest/rules.js";

const TEXT = [
  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: staging\n",
  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n  namespace: prod\n",
  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
  // Cluster-scoped: kubectl ignores -n for it, whatever it says.
  "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: r\n  namespace: staging\n",
  // Cluster-scoped too: a newer built-in kind, and kinds other projects serve.
  "apiVersion: networking.k8s.io/v1\nkind: ServiceCIDR\nmetadata:\n  name: s\n  namespace: staging\n",
  "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata:\n  name: g\n  namespace: staging\n",
  "apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata:\n  name: p\n  namespace: staging\n",
  "apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: i\n  namespace: staging\n",
  // Namespaced, though another group serves a cluster-scoped kind of a similar name.
  "apiVersion: projectcalico.org/v3\nkind: NetworkSet\nmetadata:\n  name: netset\n  namespace: staging\n",
].join("---\n");

const mismatches = (defaultNamespace?: string) =>
  manifestFamily
    .check({ ...emptySnapshot(), objects: parseYamlFile("m.yaml", TEXT).objects }, defaultNamespace ? { defaultNamespace } : {})
    .filter((f) => f.ruleId === NAMESPACE_MISMATCH.id);

describe("manifest/namespace-mismatch", () => {
  it("reports a namespaced object that names another namespace than -n, at its namespace field, as kubectl apply -n refuses it", () => {
    expect(mismatches("prod").map((f) => [f.object?.name, f.position?.line, f.position?.column, f.message])).toEqual([
      ["a", 5, 3, 'metadata.namespace is "staging" where -n names "prod": kubectl apply -n prod refuses this object, so it is judged in staging'],
      ["netset", 52, 3, 'metadata.namespace is "staging" where -n names "prod": kubectl apply -n prod refuses this object, so it is judged in staging'],
    ]);
  });

  it("says nothing without -n", () => {
    expect(mismatches()).toEqual([]);
  });
});
