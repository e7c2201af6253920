/**
 * An exported snapshot (kubectl get deploy,rs,pods -o yaml) holds a Deployment, its
 * ReplicaSet and their pods: counted through the Deployment only, as the live read does.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { quotaFamily } from "../../../src/access/quota/family.js";
import { registerQuotaCommand } from "../../../src/cli/quota.js";
import { loadSnapshot } from "../../../src/k8s/load.js";
import { runScan } from "../../../src/scan/run.js";
import { scanStreaming } from "../../../src/scan/stream.js";
import { runCli } from "../authn/run-cli.js";
import { evaluateYaml } from "./evaluate-yaml.js";

const template = "  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec: {containers: [{name: c, image: x}]}";
const EXPORT = [
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-abc-1\n  namespace: t\n  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-abc, uid: r1, controller: true}]\nspec: {containers: [{name: c, image: x}]}`,
  `apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q, namespace: t}\nspec:\n  hard: {pods: "4"}`,
  `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: t, uid: d1}\nspec:\n  replicas: 2\n${template}`,
  `apiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: web-abc\n  namespace: t\n  uid: r1\n  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: d1, controller: true}]\nspec:\n  replicas: 2\n${template}`,
  // Its controller is not in the input: it stands for itself.
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: orphan\n  namespace: t\n  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: gone, uid: r9, controller: true}]\nspec: {containers: [{name: c, image: x}]}`,
].join("\n---\n");

describe("objects a controller in the input made", () => {
  it("are counted through the controller only, whatever their order, and named as left out", async () => {
    const result = await evaluateYaml(EXPORT);
    expect(result.namespaces[0]!.pods).toBe(3);
    expect(result.namespaces[0]!.quotas[0]!.used).toEqual({ pods: "3" });
    expect(result.findings.filter((f) => f.ruleId === "quota/exceeded")).toEqual([]);
    expect(result.controlled.map((o) => `${o.kind}/${o.name}`)).toEqual(["Pod/web-abc-1", "ReplicaSet/web-abc"]);
    // One finding per template, not one per copy of it.
    expect(result.findings.filter((f) => f.ruleId === "quota/container-without-resources").map((f) => f.object?.name)).toEqual(["web", "orphan"]);
  });

  it("are said to be left out by palisade quota", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "palisade-quota-own-")), "own.yaml");
    writeFileSync(file, EXPORT);
    const result = await runCli(registerQuotaCommand, ["quota", file]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("2 object(s) counted through the controller in the input that made them, not again (a Deployment's ReplicaSets and pods...): Pod/t/web-abc-1, ReplicaSet/t/web-abc");
  });

  it("are left out alike by the streaming scan, which reads the whole input before judging it", async () => {
    const load = { paths: ["-"], stdinText: EXPORT };
    const batch = runScan(await loadSnapshot(load), {}, [quotaFamily]);
    const { result } = await scanStreaming(load, {}, [quotaFamily]);
    expect(result.findings).toEqual(batch.findings);
    expect(result.findings.filter((f) => f.ruleId === "quota/container-without-resources").map((f) => f.object?.name)).toEqual(["web", "orphan"]);
  });
});
