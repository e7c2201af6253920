/**
 * The admission plugins that change a pod before ResourceQuota counts it: Priority (the
 * global-default PriorityClass) and RuntimeClass (overhead). Upstream:
 * plugin/pkg/admission/priority/admission.go, plugin/pkg/admission/runtimeclass/admission.go.
 */
import { describe, expect, it } from "vitest";
import { quotaFamily } from "../../../src/access/quota/family.js";
import { loadSnapshot } from "../../../src/k8s/load.js";
import { runScan } from "../../../src/scan/run.js";
import { scanStreaming } from "../../../src/scan/stream.js";
import { evaluateYaml } from "./evaluate-yaml.js";

const priorityClass = (name: string, value: number, globalDefault: boolean) =>
  `apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: ${name}}\nvalue: ${value}\nglobalDefault: ${globalDefault}`;
const priorityQuota = (name: string, operator: string, values: string) =>
  `apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: ${name}, namespace: t}\nspec:\n  hard: {pods: "1"}\n  scopeSelector:\n    matchExpressions:\n    - {scopeName: PriorityClass, operator: ${operator}${values ? `, values: [${values}]` : ""}}`;
const deployment = (replicas: number, podSpec = "") =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: t}\nspec:\n  replicas: ${replicas}\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec:\n${podSpec}      containers: [{name: c, image: x, resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {memory: 64Mi}}}]`;
const docs = (...d: string[]) => d.join("\n---\n");
const exceeded = (result: Awaited<ReturnType<typeof evaluateYaml>>) => result.findings.filter((f) => f.ruleId === "quota/exceeded").map((f) => f.message);

describe("the Priority plugin's global default", () => {
  it("names the default class on pods that name none, so PriorityClass-scoped quotas count them", async () => {
    const result = await evaluateYaml(docs(priorityClass("high", 1000, true), priorityQuota("high-q", "In", "high"), deployment(3)));
    expect(result.namespaces[0]!.quotas[0]!.used).toEqual({ pods: "1" });
    expect(result.namespaces[0]!.rejectedPods).toBe(2);
    expect(exceeded(result)).toEqual(["2 of 3 pod(s) would be rejected: exceeded quota: high-q, requested: pods=1, used: pods=1, limited: pods=1"]);
  });

  it("leaves a class the pod names alone, and makes DoesNotExist miss defaulted pods", async () => {
    const named = await evaluateYaml(docs(priorityClass("high", 1000, true), priorityQuota("high-q", "In", "high"), deployment(3, "      priorityClassName: low\n")));
    expect(named.namespaces[0]!.quotas[0]!.used).toEqual({ pods: "0" });
    const none = await evaluateYaml(docs(priorityClass("high", 1000, true), priorityQuota("none-q", "DoesNotExist", ""), deployment(3)));
    expect(none.namespaces[0]!.quotas[0]!.used).toEqual({ pods: "0" });
  });

  it("uses only a class marked globalDefault, the first one in the files (the API server refuses a second)", async () => {
    const notDefault = await evaluateYaml(docs(priorityClass("high", 1000, false), priorityQuota("high-q", "In", "high"), deployment(3)));
    expect(notDefault.namespaces[0]!.quotas[0]!.used).toEqual({ pods: "0" });
    const two = await evaluateYaml(docs(priorityClass("high", 1000, true), priorityClass("low", 10, true), priorityQuota("high-q", "In", "high"), deployment(3)));
    expect(two.namespaces[0]!.quotas[0]!.used).toEqual({ pods: "1" });
  });

  it("reports a second default in the files as refused, at its globalDefault, and not the same class given again", async () => {
    const refused = (result: Awaited<ReturnType<typeof evaluateYaml>>) =>
      result.findings.filter((f) => f.ruleId === "quota/second-default-priority-class").map((f) => [f.object?.name, f.fieldPath, f.position?.line, f.message]);
    const two = await evaluateYaml(docs(priorityClass("high", 1000, true), priorityClass("low", 10, true), priorityClass("mid", 100, false)));
    expect(refused(two)).toEqual([["low", "globalDefault", 11, "PriorityClass low is refused: PriorityClass high is already marked as default. Only one default can exist"]]);
    expect(refused(await evaluateYaml(docs(priorityClass("high", 1000, true), priorityClass("high", 1000, true))))).toEqual([]);
    expect(refused(await evaluateYaml(docs(priorityClass("high", 1000, true), priorityClass("low", 10, false))))).toEqual([]);
  });

  it("says the same in a streaming scan as over a snapshot", async () => {
    const load = { paths: ["-"], stdinText: docs(priorityClass("high", 1000, true), deployment(1), priorityClass("low", 10, true)) };
    const ids = (findings: readonly { ruleId: string; position?: { line: number } }[]) => findings.filter((f) => f.ruleId === "quota/second-default-priority-class").map((f) => f.position?.line);
    const batch = runScan(await loadSnapshot(load), {}, [quotaFamily]);
    const { result } = await scanStreaming(load, {}, [quotaFamily]);
    expect(ids(batch.findings)).toEqual([22]);
    expect(ids(result.findings)).toEqual(ids(batch.findings));
  });
});

const runtimeClass = (overhead: string) => `apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata: {name: kata}\nhandler: kata${overhead}`;
const computeQuota = `apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q, namespace: t}\nspec:\n  hard: {requests.cpu: "1", requests.memory: 1Gi, limits.memory: 1Gi}`;

describe("the RuntimeClass plugin's overhead", () => {
  it("adds the class's overhead.podFixed to each pod's usage", async () => {
    const result = await evaluateYaml(docs(runtimeClass("\noverhead:\n  podFixed: {cpu: 600m, memory: 120Mi}"), computeQuota, deployment(2, "      runtimeClassName: kata\n")));
    expect(result.namespaces[0]!.quotas[0]!.used).toEqual({ "limits.memory": "184Mi", "requests.cpu": "700m", "requests.memory": "184Mi" });
    expect(exceeded(result)).toEqual(["1 of 2 pod(s) would be rejected: exceeded quota: q, requested: requests.cpu=700m, used: requests.cpu=700m, limited: requests.cpu=1"]);
  });

  it("accepts a pod overhead equal to the class's however written, and refuses one that differs", async () => {
    const rc = runtimeClass("\noverhead:\n  podFixed: {cpu: 600m, memory: 120Mi}");
    const same = await evaluateYaml(docs(rc, computeQuota, deployment(1, "      runtimeClassName: kata\n      overhead: {cpu: '0.6', memory: 120Mi}\n")));
    expect(same.findings.filter((f) => f.ruleId === "quota/pod-overhead-refused")).toEqual([]);
    expect(same.namespaces[0]!.quotas[0]!.used["requests.cpu"]).toBe("700m");
    const differs = await evaluateYaml(docs(rc, computeQuota, deployment(1, "      runtimeClassName: kata\n      overhead: {cpu: 10m}\n")));
    const refused = differs.findings.filter((f) => f.ruleId === "quota/pod-overhead-refused");
    expect(refused.map((f) => [f.fieldPath, f.message])).toEqual([
      ["spec.template.spec.overhead", "pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead (RuntimeClass kata defines cpu=600m,memory=120Mi, the pod sets cpu=10m)"],
    ]);
    expect(differs.namespaces[0]!.quotas[0]!.used["requests.cpu"]).toBe("0");
    expect(differs.namespaces[0]!.rejectedPods).toBe(1);
  });

  it("refuses a pod overhead no RuntimeClass defines, and keeps it when the class is not in the input", async () => {
    const noClass = await evaluateYaml(docs(computeQuota, deployment(1, "      overhead: {cpu: 10m}\n")));
    expect(noClass.findings.filter((f) => f.ruleId === "quota/pod-overhead-refused").map((f) => f.message)).toEqual([
      "pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead (the pod names no runtimeClassName)",
    ]);
    const classWithout = await evaluateYaml(docs(runtimeClass(""), computeQuota, deployment(1, "      runtimeClassName: kata\n      overhead: {cpu: 10m}\n")));
    expect(classWithout.namespaces[0]!.rejectedPods).toBe(1);
    const unknownClass = await evaluateYaml(docs(computeQuota, deployment(1, "      runtimeClassName: gvisor\n      overhead: {cpu: 10m}\n")));
    expect(unknownClass.findings.filter((f) => f.ruleId === "quota/pod-overhead-refused")).toEqual([]);
    expect(unknownClass.namespaces[0]!.quotas[0]!.used["requests.cpu"]).toBe("110m");
  });
});

describe("the streaming scan", () => {
  it("reads PriorityClasses and RuntimeClasses ahead, so a class after the workload still applies", async () => {
    const load = { paths: ["-"], stdinText: docs(priorityQuota("high-q", "In", "high"), deployment(3, "      runtimeClassName: kata\n"), priorityClass("high", 1000, true), runtimeClass("\noverhead:\n  podFixed: {cpu: 600m}")) };
    const batch = runScan(await loadSnapshot(load), {}, [quotaFamily]);
    const { result } = await scanStreaming(load, {}, [quotaFamily]);
    expect(result.findings).toEqual(batch.findings);
    expect(result.findings.filter((f) => f.ruleId === "quota/exceeded").map((f) => f.message)).toEqual(["2 of 3 pod(s) would be rejected: exceeded quota: high-q, requested: pods=1, used: pods=1, limited: pods=1"]);
  });
});
