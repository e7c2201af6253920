/**
 * `palisade scan FILES -n NS` reads the files as `kubectl apply -n NS -f FILES` would apply
 * them: a namespaced object that names no namespace lives in NS for every rule family
 * (network policies, Gateway routes, RBAC, quotas, Pod Security alike), cluster-scoped
 * objects stay cluster-scoped, and one that names another namespace is judged there, with
 * manifest/namespace-mismatch saying kubectl would refuse it.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Finding } from "../../src/findings/types.js";
import { palisade } from "../support/cli-in-process.js";

/** Flow-style metadata, so that adding `namespace: shop` moves no line. */
const manifests = (namespace: string) => `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {pod-security.kubernetes.io/enforce: restricted}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny${namespace}}
spec:
  podSelector: {}
  policyTypes: [Ingress]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web${namespace}}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: c
        image: nginx:1.27
        securityContext: {privileged: true}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: edit${namespace}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: default, namespace: shop}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
`;

const OTHER = `---
apiVersion: v1
kind: Pod
metadata: {name: elsewhere, namespace: other}
spec:
  containers: [{name: c, image: nginx:1.27}]
`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "palisade-scan-n-"));
  writeFileSync(join(dir, "bare.yaml"), manifests(""));
  writeFileSync(join(dir, "explicit.yaml"), manifests(", namespace: shop"));
  writeFileSync(join(dir, "mixed.yaml"), manifests("") + OTHER);
});

/** A finding as it reads, wherever its file is. */
const seen = (f: Finding) => JSON.stringify([f.ruleId, f.severity, f.object, f.fieldPath, f.message, f.position?.line]);

async function findings(args: string[]): Promise<Finding[]> {
  const r = await palisade(["scan", ...args, "-o", "json", "--fail-on", "none"]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return (JSON.parse(r.stdout) as { findings: Finding[] }).findings;
}

describe("palisade scan FILES -n NS (as kubectl apply -n)", () => {
  it("judges objects that name no namespace as if they named NS, in every family", async () => {
    const withFlag = await findings([join(dir, "bare.yaml"), "-n", "shop"]);
    const explicit = await findings([join(dir, "explicit.yaml")]);
    expect(withFlag.map(seen).sort()).toEqual(explicit.map(seen).sort());
    // Nothing is judged in `default`, where no object of the input lives.
    expect(withFlag.filter((f) => f.object?.namespace === "default" || (f.object?.kind === "Namespace" && f.object.name === "default"))).toEqual([]);
    expect(withFlag.filter((f) => f.ruleId === "netpol/selects-nothing")).toEqual([]);
    // Cluster-scoped objects stay cluster-scoped.
    expect(withFlag.filter((f) => f.object?.kind === "ClusterRole").every((f) => f.object?.namespace === undefined)).toBe(true);
  });

  it("leaves an object that names another namespace there, and says kubectl apply -n would refuse it", async () => {
    const mixed = await findings([join(dir, "mixed.yaml"), "-n", "shop"]);
    const elsewhere = mixed.filter((f) => f.object?.name === "elsewhere");
    expect(elsewhere.length).toBeGreaterThan(1);
    expect(elsewhere.every((f) => f.object?.namespace === "other")).toBe(true);
    expect(elsewhere.map((f) => f.ruleId)).toContain("manifest/namespace-mismatch");
    expect(mixed.filter((f) => f.ruleId === "manifest/namespace-mismatch")).toHaveLength(1);
  });
});
