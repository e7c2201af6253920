import { describe, expect, it } from "vitest";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { emptySnapshot, type Snapshot } from "../../src/k8s/snapshot.js";
import { podTemplate } from "../../src/k8s/workloads.js";
import { checkPodSecurity } from "../../src/podsecurity/family.js";
import { parseVersion } from "../../src/podsecurity/levels.js";

/** Every workload kind with its API version and where it keeps its pod template. */
export const WORKLOADS: ReadonlyArray<readonly [string, string, string[]]> = [
  ["Deployment", "apps/v1", ["spec", "template"]],
  ["Deployment", "extensions/v1beta1", ["spec", "template"]],
  ["ReplicaSet", "apps/v1", ["spec", "template"]],
  ["StatefulSet", "apps/v1", ["spec", "template"]],
  ["DaemonSet", "apps/v1", ["spec", "template"]],
  ["Job", "batch/v1", ["spec", "template"]],
  ["CronJob", "batch/v1", ["spec", "jobTemplate", "spec", "template"]],
  ["CronJob", "batch/v1beta1", ["spec", "jobTemplate", "spec", "template"]],
  ["ReplicationController", "v1", ["spec", "template"]],
  ["PodTemplate", "v1", ["template"]],
  // Controllers outside the core that copy their template into pods as written.
  ["Rollout", "argoproj.io/v1alpha1", ["spec", "template"]],
  ["CloneSet", "apps.kruise.io/v1alpha1", ["spec", "template"]],
  ["StatefulSet", "apps.kruise.io/v1beta1", ["spec", "template"]],
  ["DaemonSet", "apps.kruise.io/v1alpha1", ["spec", "template"]],
];

function snapshotOf(text: string): Snapshot {
  const parsed = parseYamlFile("m.yaml", text);
  return { ...emptySnapshot(), objects: parsed.objects };
}

const NS = (name: string, labels: Record<string, string>) =>
  `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n  labels:\n${Object.entries(labels).map(([k, v]) => `    ${k}: "${v}"`).join("\n")}\n---\n`;

const HOST_PID_POD = (ns: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: ${ns}\nspec:\n  hostPID: true\n  containers:\n  - name: c\n    image: x\n`;

describe("workloads to pods", () => {
  it("finds the pod template of every workload kind, with its path", () => {
    for (const [kind, apiVersion, path] of WORKLOADS) {
      const object = { apiVersion, kind, metadata: { name: "w" }, spec: {} as Record<string, unknown>, template: undefined as unknown };
      const template = { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "c" }] } };
      let node: Record<string, unknown> = object as unknown as Record<string, unknown>;
      path.forEach((key, i) => {
        if (i === path.length - 1) node[key] = template;
        else node = (node[key] ??= {}) as Record<string, unknown>;
      });
      const found = podTemplate(object);
      expect(found?.path, kind).toEqual(path);
      expect(found?.pod.spec).toBe(template.spec);
    }
    expect(podTemplate({ apiVersion: "v1", kind: "Service", metadata: { name: "s" } })).toBeUndefined();
    expect(podTemplate({ apiVersion: "example.com/v1", kind: "Deployment", metadata: { name: "crd" }, spec: { template: { spec: {} } } })).toBeUndefined();
    expect(podTemplate({ apiVersion: "apps.kruise.io/v1alpha1", kind: "Deployment", metadata: { name: "not-kruise" }, spec: { template: { spec: {} } } })).toBeUndefined();
    // A Rollout that runs a Deployment's template (workloadRef) has none of its own: that Deployment is judged.
    expect(podTemplate({ apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", metadata: { name: "r" }, spec: { workloadRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" } } })).toBeUndefined();
  });
});

describe("Pod Security findings on controllers outside the core", () => {
  it("judges an Argo Rollout's template as the pods it creates, at the offending field", () => {
    const rollout = "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  replicas: 3\n  strategy: {canary: {steps: [{setWeight: 20}]}}\n  template:\n    spec:\n      containers:\n      - name: app\n        image: web:1\n        securityContext: {privileged: true}\n";
    const findings = checkPodSecurity(snapshotOf(rollout), { podSecurity: { level: "baseline" } });
    expect(findings.map((f) => [f.ruleId, f.fieldPath, f.position?.line, f.note])).toEqual([["pss/privileged", "spec.template.spec.containers[0].securityContext.privileged", 14, "judged at baseline:latest (--level)"]]);
  });
});

describe("namespace-aware Pod Security findings", () => {
  it("judges pods at their namespace's enforce level and says PSA would reject them", () => {
    const findings = checkPodSecurity(snapshotOf(NS("a", { "pod-security.kubernetes.io/enforce": "baseline" }) + HOST_PID_POD("a")), {});
    expect(findings.map((f) => f.ruleId)).toEqual(["pss/hostNamespaces"]);
    expect(findings[0]?.note).toBe("PSA enforce baseline:latest would reject this pod");
    expect(findings[0]?.position).toEqual({ file: "m.yaml", line: 14, column: 3 });
  });

  it("reports a check once, at the strictest mode, and uses each mode's version", () => {
    const labels = {
      "pod-security.kubernetes.io/enforce": "baseline",
      "pod-security.kubernetes.io/warn": "restricted",
      "pod-security.kubernetes.io/warn-version": "v1.22",
    };
    const findings = checkPodSecurity(snapshotOf(NS("b", labels) + HOST_PID_POD("b")), {});
    const byRule = Object.fromEntries(findings.map((f) => [f.ruleId, f]));
    expect(byRule["pss/hostNamespaces"]?.properties?.mode).toBe("enforce");
    expect(byRule["pss/runAsNonRoot"]?.properties?.podSecurity).toBe("restricted:v1.22");
    // runAsUser only exists from v1.23: the warn version decides.
    expect(byRule["pss/runAsUser"]).toBeUndefined();
  });

  it("says nothing for privileged namespaces, and uses the default level for unlabelled ones", () => {
    expect(checkPodSecurity(snapshotOf(NS("c", { "pod-security.kubernetes.io/enforce": "privileged" }) + HOST_PID_POD("c")), {})).toEqual([]);
    const unlabelled = checkPodSecurity(snapshotOf(HOST_PID_POD("elsewhere")), { defaultLevel: "baseline" });
    expect(unlabelled.map((f) => f.ruleId)).toEqual(["pss/hostNamespaces"]);
    expect(unlabelled[0]?.note).toBe("judged at baseline:latest (namespace elsewhere is not in the input, so its pod-security labels are unknown)");
    // A Namespace object without labels: it has none.
    const bare = checkPodSecurity(snapshotOf(NS("bare", {}) + HOST_PID_POD("bare")), { defaultLevel: "baseline" });
    expect(bare[0]?.note).toBe("judged at baseline:latest (namespace has no pod-security labels)");
  });

  it("lets --level and --pss-version override the namespace", () => {
    const text = NS("d", { "pod-security.kubernetes.io/enforce": "privileged" }) + HOST_PID_POD("d");
    const overridden = checkPodSecurity(snapshotOf(text), { podSecurity: { level: "restricted", version: parseVersion("v1.0") } });
    expect(overridden.map((f) => f.ruleId).sort()).toEqual(["pss/hostNamespaces", "pss/runAsNonRoot"]);
    expect(overridden[0]?.properties?.podSecurity).toBe("restricted:v1.0");
  });

  it("places objects without a namespace in -n's namespace", () => {
    const text = NS("team", { "pod-security.kubernetes.io/enforce": "privileged" }) + HOST_PID_POD("x").replace("  namespace: x\n", "");
    expect(checkPodSecurity(snapshotOf(text), { defaultNamespace: "team" })).toEqual([]);
    expect(checkPodSecurity(snapshotOf(text), {}).length).toBeGreaterThan(0);
  });
});
