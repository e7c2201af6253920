import { describe, expect, it } from "vitest";
import { evaluateQuotas } from "../../../src/access/quota/evaluate.js";
import { quotaFamily } from "../../../src/access/quota/family.js";
import { loadSnapshot } from "../../../src/k8s/load.js";

async function snapshotOf(yaml: string) {
  const snapshot = await loadSnapshot({ paths: ["-"], stdinText: yaml });
  expect(snapshot.problems).toEqual([]);
  return snapshot;
}

const docs = (...parts: string[]) => parts.join("\n---\n");

const QUOTA = "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q, namespace: shop}\nspec:\n  hard: {pods: '10', persistentvolumeclaims: '10', requests.storage: 100Gi, requests.cpu: '1'}";
const LIMITS = "apiVersion: v1\nkind: LimitRange\nmetadata: {name: lr, namespace: shop}\nspec:\n  limits:\n  - type: PersistentVolumeClaim\n    min: {storage: 1Gi}\n    max: {storage: 5Gi}";

/** A StatefulSet with one claim template per `storage` (named data, logs, ...), each on its own line. */
const statefulSet = (replicas: number, ...storage: string[]) =>
  [
    "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db, namespace: shop}\nspec:",
    `  replicas: ${replicas}`,
    "  template:\n    spec:\n      containers: [{name: db, image: db, resources: {requests: {cpu: 100m, memory: 1Mi}, limits: {memory: 1Mi}}}]",
    "  volumeClaimTemplates:",
    ...storage.map((s, i) => `  - metadata: {name: ${["data", "logs", "wal"][i]}}\n    spec: {resources: {requests: {storage: ${s}}}}`),
  ].join("\n");

const WEB = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers: [{name: web, image: web, resources: {requests: {cpu: 100m, memory: 1Mi}, limits: {memory: 1Mi}}}]";

const messages = (findings: ReadonlyArray<{ ruleId: string; fieldPath?: string; message: string }>) => findings.map((f) => `${f.ruleId} ${f.fieldPath}: ${f.message}`);

describe("a StatefulSet whose claim template a LimitRange refuses", () => {
  it("counts none of its pods or claims, and its finding says which LimitRange, why, and that no pod would be created", async () => {
    const result = evaluateQuotas(await snapshotOf(docs(QUOTA, LIMITS, statefulSet(3, "8Gi"), WEB)));
    // The API server accepts the StatefulSet itself: a finding, not an input problem.
    expect(result.refused).toEqual([]);
    // Only web's two pods run; db's three pods and three claims are never created.
    expect(result.namespaces[0]).toMatchObject({ pods: 2, rejectedPods: 0 });
    expect(result.namespaces[0]!.quotas[0]!.used).toEqual({ persistentvolumeclaims: "0", pods: "2", "requests.cpu": "200m", "requests.storage": "0" });
    expect(messages(result.findings)).toEqual([
      "quota/limitrange-violation spec.volumeClaimTemplates[0].spec.resources.requests: LimitRange lr: claim template data: maximum storage usage per PersistentVolumeClaim is 5Gi, but request is 8Gi; " +
        "the StatefulSet controller creates a pod's claims before the pod, so none of its 3 pods would be created (left out of the quota totals with their claims)",
    ]);
    expect(result.findings.map((f) => [f.position?.line, f.position?.column])).toEqual([[26, 24]]);
  });

  it("still counts the first pod's claims from the templates the LimitRange accepts, as the controller creates them", async () => {
    const result = evaluateQuotas(await snapshotOf(docs(QUOTA, LIMITS, statefulSet(4, "2Gi", "512Mi", "3Gi"))));
    expect(result.findings.map((f) => f.message)).toEqual([
      "LimitRange lr: claim template logs: minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 512Mi; " +
        "the StatefulSet controller creates a pod's claims before the pod, so none of its 4 pods would be created (left out of the quota totals with their claims, except the first pod's claims from template data, template wal)",
    ]);
    expect(result.namespaces[0]!.pods).toBe(0);
    // data-db-0 (2Gi) and wal-db-0 (3Gi): one claim per accepted template, not one per replica.
    expect(result.namespaces[0]!.quotas[0]!.used).toMatchObject({ persistentvolumeclaims: "2", pods: "0", "requests.storage": "5Gi" });
  });

  it("reports each refused template and every LimitRange's reason, and a single pod in the singular", async () => {
    const second = LIMITS.replace("name: lr", "name: strict").replace("max: {storage: 5Gi}", "max: {storage: 2Gi}");
    const result = evaluateQuotas(await snapshotOf(docs(QUOTA, LIMITS, second, statefulSet(1, "3Gi", "6Gi"))));
    const blocked = "; the StatefulSet controller creates a pod's claims before the pod, so its one pod would not be created (left out of the quota totals with their claims)";
    expect(result.findings.map((f) => [f.position?.line, f.message])).toEqual([
      [35, `LimitRange strict: claim template data: maximum storage usage per PersistentVolumeClaim is 2Gi, but request is 3Gi${blocked}`],
      [37, `LimitRange lr: claim template logs: maximum storage usage per PersistentVolumeClaim is 5Gi, but request is 6Gi${blocked}`],
      [37, `LimitRange strict: claim template logs: maximum storage usage per PersistentVolumeClaim is 2Gi, but request is 6Gi${blocked}`],
    ]);
    expect(result.namespaces[0]!.quotas[0]!.used).toMatchObject({ persistentvolumeclaims: "0", pods: "0" });
  });

  it("says nothing of pods at zero replicas, where nothing would be created anyway", async () => {
    const result = evaluateQuotas(await snapshotOf(docs(QUOTA, LIMITS, statefulSet(0, "8Gi"))));
    expect(result.findings.map((f) => f.message)).toEqual(["LimitRange lr: claim template data: maximum storage usage per PersistentVolumeClaim is 5Gi, but request is 8Gi"]);
  });

  it("counts every pod and claim when the LimitRange accepts every template", async () => {
    const result = evaluateQuotas(await snapshotOf(docs(QUOTA, LIMITS, statefulSet(3, "2Gi", "1Gi"))));
    expect(result.findings).toEqual([]);
    expect(result.namespaces[0]).toMatchObject({ pods: 3, rejectedPods: 0 });
    expect(result.namespaces[0]!.quotas[0]!.used).toEqual({ persistentvolumeclaims: "6", pods: "3", "requests.cpu": "300m", "requests.storage": "9Gi" });
  });

  it("keeps the claim template's finding in a scan", async () => {
    const snapshot = await snapshotOf(docs(QUOTA, LIMITS, statefulSet(3, "8Gi")));
    const findings = await quotaFamily.check(snapshot, {});
    expect(findings.map((f) => f.ruleId)).toEqual(["quota/limitrange-violation"]);
  });
});
