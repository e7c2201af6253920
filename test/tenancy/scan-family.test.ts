/**
 * The tenancy scan family: with the webhook's tenancy model, the findings are the tenancy
 * policy's denials, at their fields; without one, the placement facts that need no model.
 */
import { describe, expect, it } from "vitest";
import { ClusterState } from "../../src/admission/cluster-state.js";
import { tenancyPolicy } from "../../src/admission/policies/tenancy.js";
import type { AdmissionContext } from "../../src/admission/policy.js";
import { createRequestFor } from "../../src/admission/scan-bridge.js";
import type { Finding } from "../../src/findings/types.js";
import { loadSnapshot } from "../../src/k8s/load.js";
import { namespaceLabels, type Snapshot } from "../../src/k8s/snapshot.js";
import type { K8sObject } from "../../src/k8s/types.js";
import type { ScanOptions } from "../../src/scan/family.js";
import { tenancyFamily } from "../../src/tenancy/scan/family.js";
import type { TenancyModel } from "../../src/tenancy/tenants.js";
import { snapshotOf } from "../support/snapshot.js";

const model: TenancyModel = {
  namespaceLabel: "palisade.dev/tenant",
  tenants: [
    { name: "blue", taint: { key: "palisade.dev/tenant", value: "blue", effect: "NoSchedule" }, nodeLabel: { key: "node-restriction.kubernetes.io/tenant", value: "blue" } },
    { name: "green", taint: { key: "palisade.dev/tenant", value: "green", effect: "NoExecute" }, nodeLabel: { key: "node-restriction.kubernetes.io/tenant", value: "green" } },
  ],
};
const withModel = (mode = "enforce"): ScanOptions => ({ tenancy: { model, mode, file: "webhook.yaml" } });

const IMAGE = "registry.example.com/app@sha256:0000000000000000000000000000000000000000000000000000000000000000";
const namespace = (name: string, tenant?: string): K8sObject => ({ apiVersion: "v1", kind: "Namespace", metadata: { name, ...(tenant ? { labels: { "palisade.dev/tenant": tenant } } : {}) } });
const node = (name: string, labels: Record<string, string>, taints: unknown[] = []): K8sObject => ({ apiVersion: "v1", kind: "Node", metadata: { name, labels }, spec: { taints } });
const deployment = (name: string, ns: string, spec: Record<string, unknown>): K8sObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace: ns },
  spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "app", image: IMAGE }], ...spec } } },
});
const daemonSet = (name: string, ns: string, spec: Record<string, unknown>): K8sObject => ({ ...deployment(name, ns, spec), kind: "DaemonSet" });
const pod = (name: string, ns: string, spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): K8sObject => ({ apiVersion: "v1", kind: "Pod", metadata: { name, namespace: ns, ...metadata }, spec: { containers: [{ name: "app", image: IMAGE }], ...spec } });

const scan = (snapshot: Snapshot, options: ScanOptions = {}) => tenancyFamily.check(snapshot, options);
const brief = (findings: Finding[]) => findings.map((f) => ({ rule: f.ruleId, field: f.fieldPath, severity: f.severity }));
const affinityOn = (operator: string, values: string[]) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "node-restriction.kubernetes.io/tenant", operator, values }] }] } } });

/** What the webhook's tenancy policy denies for a CREATE of each object, with the namespaces and nodes among them known. */
function policyDenials(objects: K8sObject[]): { rule: string; message: string }[] {
  const cluster = new ClusterState();
  cluster.seed(objects);
  const policy = tenancyPolicy(model, "enforce");
  return objects.flatMap((object) => {
    const context: AdmissionContext = { request: createRequestFor(object), cluster, excepted: () => false };
    return policy.validate(context).deny.map((v) => ({ rule: `tenancy/${v.rule}`, message: v.message }));
  });
}

/** The same findings as the policy's denials: its message carries the field path from the pod spec, in parentheses. */
function asDenials(findings: Finding[], templatePrefix: string): { rule: string; message: string }[] {
  return findings.map((f) => {
    const field = (f.fieldPath ?? "").slice(templatePrefix.length);
    return { rule: f.ruleId, message: field === "" ? f.message : `${f.message} (${field})` };
  });
}

describe("tenancy family with the webhook's tenancy model", () => {
  const admissionCases: [string, K8sObject][] = [
    ["a wildcard toleration", deployment("wild", "blue-apps", { tolerations: [{ operator: "Exists" }] })],
    ["another tenant's toleration", deployment("tolerates-green", "blue-apps", { tolerations: [{ key: "palisade.dev/tenant", operator: "Equal", value: "green", effect: "NoExecute" }] })],
    ["another tenant's node selector", deployment("selects-green", "shared", { nodeSelector: { "node-restriction.kubernetes.io/tenant": "green" } })],
    ["affinity on both tenants", deployment("affine", "shared", { affinity: affinityOn("In", ["green", "blue"]) })],
    ["a node name of another tenant", deployment("named", "shared", { nodeName: "green-1" })],
    ["no placement in a tenant namespace", deployment("bare", "blue-apps", {})],
    ["an unknown tenant", deployment("lost", "red-apps", {})],
    ["nothing wrong", deployment("fine", "shared", { tolerations: [{ key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule" }] })],
  ];
  const context = [namespace("blue-apps", "blue"), namespace("red-apps", "red"), namespace("shared"), node("green-1", { "node-restriction.kubernetes.io/tenant": "green" })];

  it.each(admissionCases)("%s: the findings are the policy's denials, rule for rule and message for message", (_name, object) => {
    const findings = scan(snapshotOf(...context, object), withModel()).filter((f) => f.properties?.policy === "tenancy");
    expect(asDenials(findings, "spec.template.spec.")).toEqual(policyDenials([...context, object]));
  });

  it("places each finding at its field: the toleration, the selector key, the affinity requirement, the node name", () => {
    const findings = scan(snapshotOf(...context, ...admissionCases.slice(0, 5).map(([, o]) => o)), withModel()).filter((f) => f.properties?.policy === "tenancy");
    expect(brief(findings)).toEqual([
      { rule: "tenancy/foreign-toleration", field: "spec.template.spec.tolerations[0]", severity: "high" },
      { rule: "tenancy/missing-tenant-placement", field: "spec.template.spec", severity: "high" },
      { rule: "tenancy/foreign-toleration", field: "spec.template.spec.tolerations[0]", severity: "high" },
      { rule: "tenancy/missing-tenant-placement", field: "spec.template.spec", severity: "high" },
      { rule: "tenancy/foreign-node-selection", field: 'spec.template.spec.nodeSelector["node-restriction.kubernetes.io/tenant"]', severity: "high" },
      { rule: "tenancy/foreign-node-selection", field: "spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0]", severity: "high" },
      { rule: "tenancy/foreign-node-selection", field: "spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0]", severity: "high" },
      { rule: "tenancy/foreign-node-name", field: "spec.template.spec.nodeName", severity: "high" },
    ]);
  });

  it("rates each finding by what the policy's mode does: refused is high, a warning medium, an audit annotation or a log line low", () => {
    const object = deployment("wild", "shared", { tolerations: [{ operator: "Exists" }] });
    const severities = (mode: string) => [...new Set(scan(snapshotOf(namespace("shared"), object), withModel(mode)).filter((f) => f.properties?.policy === "tenancy").map((f) => `${f.severity} ${f.note}`))];
    expect(severities("enforce")).toEqual(["high the admission webhook (webhook.yaml) would refuse it"]);
    expect(severities("warn")).toEqual(["medium the admission webhook (webhook.yaml, tenancy policy in warn mode) would warn"]);
    expect(severities("audit")).toEqual(["low the admission webhook (webhook.yaml, tenancy policy in audit mode) would annotate the audit event"]);
    expect(severities("dry-run")).toEqual(["low the admission webhook (webhook.yaml, tenancy policy in dry-run mode) would only log it"]);
  });

  it("says when the namespace is not in the input, so that its tenant, if it has one, is unknown", () => {
    const object = deployment("wild", "elsewhere", { tolerations: [{ operator: "Exists" }] });
    const notes = new Set(scan(snapshotOf(object), withModel()).filter((f) => f.properties?.policy === "tenancy").map((f) => f.note));
    expect([...notes]).toEqual(["the admission webhook (webhook.yaml) would refuse it, if namespace elsewhere (not in the input) belongs to no tenant"]);
  });

  it("knows a named node from a Node that comes after the workload, streaming or not", () => {
    const objects = [deployment("named", "shared", { nodeName: "green-1" }), node("green-1", { "node-restriction.kubernetes.io/tenant": "green" })];
    const checked = scan(snapshotOf(...objects), withModel());
    expect(checked.map((f) => f.ruleId)).toContain("tenancy/foreign-node-name");
    const snapshot = snapshotOf(...objects);
    const stream = tenancyFamily.stream!(withModel(), { namespaces: namespaceLabels(snapshot), objectsAhead: () => [], mentions: () => true });
    for (const loaded of snapshot.objects) stream.observe(loaded);
    expect(stream.finish()).toEqual(checked);
  });

  it("judges nothing in kube-system, which the installed webhook never sees", () => {
    const proxy = daemonSet("kube-proxy", "kube-system", { tolerations: [{ operator: "Exists" }] });
    expect(scan(snapshotOf(proxy), withModel())).toEqual([]);
    expect(scan(snapshotOf({ ...proxy, metadata: { name: "kube-proxy", namespace: "ops" } }), withModel()).map((f) => f.ruleId)).toContain("tenancy/foreign-toleration");
  });
});

describe("tenancy family without a model", () => {
  it("reports a workload that tolerates every taint, by effect, and never a PreferNoSchedule wildcard", () => {
    const findings = scan(
      snapshotOf(
        deployment("all", "shop", { tolerations: [{ operator: "Exists" }] }),
        deployment("no-schedule", "shop", { tolerations: [{ operator: "Exists", effect: "NoSchedule" }] }),
        deployment("no-execute", "shop", { tolerations: [{ operator: "Exists", effect: "NoExecute", tolerationSeconds: 60 }] }),
        deployment("prefer", "shop", { tolerations: [{ operator: "Exists", effect: "PreferNoSchedule" }] }),
        deployment("one-key", "shop", { tolerations: [{ key: "dedicated", operator: "Exists" }] }),
      ),
    );
    expect(findings.map((f) => [f.object?.name, f.ruleId, f.severity, f.fieldPath])).toEqual([
      ["all", "tenancy/tolerates-all-taints", "low", "spec.template.spec.tolerations[0]"],
      ["no-schedule", "tenancy/tolerates-all-taints", "low", "spec.template.spec.tolerations[0]"],
      ["no-execute", "tenancy/tolerates-all-taints", "low", "spec.template.spec.tolerations[0]"],
    ]);
    expect(findings[0]!.message).toMatch(/never evicted from a node that is not ready or unreachable/);
    expect(findings[1]!.message).toMatch(/control-plane nodes/);
    expect(findings[2]!.message).toMatch(/only after 60s/);
  });

  it("reports tolerating the control-plane taint (and kubeadm's older master taint) outside kube-system", () => {
    const findings = scan(
      snapshotOf(
        deployment("cp-exists", "shop", { tolerations: [{ key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" }] }),
        deployment("cp-equal", "shop", { tolerations: [{ key: "node-role.kubernetes.io/control-plane", operator: "Equal", value: "" }] }),
        deployment("master", "shop", { tolerations: [{ key: "node-role.kubernetes.io/master", operator: "Exists" }] }),
        deployment("cp-other-effect", "shop", { tolerations: [{ key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoExecute" }] }),
        deployment("system", "kube-system", { tolerations: [{ key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" }] }),
      ),
    );
    expect(findings.map((f) => [f.object?.name, f.ruleId, f.fieldPath])).toEqual([
      ["cp-exists", "tenancy/tolerates-control-plane-taint", "spec.template.spec.tolerations[0]"],
      ["cp-equal", "tenancy/tolerates-control-plane-taint", "spec.template.spec.tolerations[0]"],
      ["master", "tenancy/tolerates-control-plane-taint", "spec.template.spec.tolerations[0]"],
    ]);
  });

  it("a node agent's toleration of the control plane is information, and kube-system's own DaemonSets say nothing", () => {
    const findings = scan(
      snapshotOf(
        daemonSet("log-shipper", "logging", { tolerations: [{ operator: "Exists" }] }),
        daemonSet("exporter", "monitoring", { tolerations: [{ key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" }] }),
        daemonSet("evict-only", "monitoring", { tolerations: [{ operator: "Exists", effect: "NoExecute" }] }),
        daemonSet("kube-proxy", "kube-system", { tolerations: [{ operator: "Exists" }] }),
        pod("log-shipper-x1", "logging", { tolerations: [{ operator: "Exists" }] }, { ownerReferences: [{ apiVersion: "apps/v1", kind: "DaemonSet", name: "log-shipper", controller: true, uid: "u" }] }),
      ),
    );
    expect(findings.map((f) => [f.object?.name, f.ruleId, f.severity])).toEqual([
      ["log-shipper", "tenancy/daemonset-on-control-plane", "info"],
      ["exporter", "tenancy/daemonset-on-control-plane", "info"],
      ["log-shipper-x1", "tenancy/daemonset-on-control-plane", "info"],
    ]);
  });

  it("a node agent's wildcard limited to NoSchedule is not said to tolerate every taint: NoExecute taints still keep it off", () => {
    const findings = scan(snapshotOf(daemonSet("agent", "logging", { tolerations: [{ operator: "Exists", effect: "NoSchedule" }] })));
    expect(findings.map((f) => [f.ruleId, f.message])).toEqual([
      [
        "tenancy/daemonset-on-control-plane",
        "toleration 0 tolerates every NoSchedule taint: a pod of this DaemonSet runs on every node no NoExecute taint keeps clear, control-plane nodes beside the API server and etcd and nodes dedicated to other teams or tenants included (expected of a node agent; check that this one needs to)",
      ],
    ]);
  });

  it("reports a nodeName written in a manifest, not one the scheduler set on a pod read from a cluster", () => {
    const findings = scan(
      snapshotOf(
        deployment("pinned", "shop", { nodeName: "worker-1" }),
        pod("bare", "shop", { nodeName: "worker-1" }),
        pod("scheduled", "shop", { nodeName: "worker-1" }, { uid: "0b6c", creationTimestamp: "2024-01-01T00:00:00Z" }),
        pod("static", "kube-system", { nodeName: "cp-1" }),
      ),
    );
    expect(findings.map((f) => [f.object?.name, f.ruleId, f.fieldPath])).toEqual([
      ["pinned", "tenancy/node-name", "spec.template.spec.nodeName"],
      ["bare", "tenancy/node-name", "spec.nodeName"],
    ]);
    expect(findings[0]!.message).toMatch(/\(the kubelet still checks the nodeSelector, required node affinity and NoExecute taints\)$/);
  });

  it("names the tainted nodes of the input a toleration opens, and the taints a nodeName skips", () => {
    const nodes = [
      node("cp-1", {}, [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }]),
      node("gpu-1", {}, [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }, { key: "soft", effect: "PreferNoSchedule" }]),
      node("plain", {}),
    ];
    const findings = scan(
      snapshotOf(
        deployment("all", "shop", { tolerations: [{ operator: "Exists" }] }),
        deployment("cp", "shop", { tolerations: [{ key: "node-role.kubernetes.io/control-plane", operator: "Exists" }] }),
        deployment("pinned", "shop", { nodeName: "gpu-1" }),
        deployment("pinned-tolerated", "shop", { nodeName: "gpu-1", tolerations: [{ key: "dedicated", operator: "Equal", value: "gpu" }] }),
        ...nodes,
      ),
    );
    expect(findings.map((f) => f.message.split("; ")[1])).toEqual([
      "tainted nodes in the input it opens: cp-1 (node-role.kubernetes.io/control-plane:NoSchedule), gpu-1 (dedicated=gpu:NoSchedule)",
      "tainted nodes in the input it opens: cp-1 (node-role.kubernetes.io/control-plane:NoSchedule)",
      "node gpu-1's taints it does not tolerate, dedicated=gpu:NoSchedule, are not applied",
      undefined,
    ]);
  });

  it("locates findings at file:line:column of the field as written", async () => {
    const text = [
      "apiVersion: apps/v1",
      "kind: Deployment",
      "metadata: {name: api, namespace: shop}",
      "spec:",
      "  template:",
      "    spec:",
      "      containers: [{name: app, image: x}]",
      "      tolerations:",
      "        - key: dedicated",
      "          operator: Exists",
      "        - operator: Exists",
      "      nodeName: worker-1",
      "",
    ].join("\n");
    const snapshot = await loadSnapshot({ paths: ["-"], stdinText: text });
    expect(scan(snapshot).map((f) => [f.ruleId, f.position?.line, f.position?.column])).toEqual([
      ["tenancy/tolerates-all-taints", 11, 11],
      ["tenancy/node-name", 12, 7],
    ]);
  });
});
