import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { registerQuotaCommand } from "../../../src/cli/quota.js";
import { repoRoot } from "../../support/conformance.js";
import { runCli } from "../authn/run-cli.js";

const example = `${repoRoot}/examples/access-quota-tenants.yaml`;

describe("palisade quota", () => {
  it("shows usage per quota and the rejected workloads of the example, exit 1", async () => {
    const result = await runCli(registerQuotaCommand, ["quota", example]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^NAMESPACE +QUOTA +RESOURCE +USED +HARD +PODS +REJECTED\n/);
    // web: 2 x 400m admitted; worker: 50m default + 10m sidecar; report refused by the LimitRange.
    expect(result.stdout).toMatch(/tenant-a +compute +requests\.cpu +860m +1 +5 +2\n/);
    expect(result.stdout).toMatch(/tenant-a +compute +requests\.memory +672Mi +2Gi/);
    expect(result.stdout).toContain("Namespaces without a ResourceQuota: tenant-b");
    expect(result.stdout).toMatch(/quota\/exceeded +1 of 3 pod\(s\) would be rejected: exceeded quota: compute, requested: requests\.cpu=400m, used: requests\.cpu=800m, limited: requests\.cpu=1/);
    expect(result.stdout).toMatch(/quota\/limitrange-violation +LimitRange container-defaults: container nightly-report: maximum memory usage per Container is 1Gi, but limit is 2Gi/);
  });

  it("renders JSON and filters by -n", async () => {
    const result = await runCli(registerQuotaCommand, ["quota", example, "-o", "json", "-n", "tenant-b"]);
    const report = JSON.parse(result.stdout) as { namespaces: Array<{ namespace: string }>; findings: Array<{ ruleId: string }> };
    expect(report.namespaces.map((n) => n.namespace)).toEqual(["tenant-b"]);
    expect(report.findings.map((f) => f.ruleId).sort()).toEqual(["quota/container-without-resources", "quota/namespace-without-limitrange", "quota/namespace-without-resourcequota"]);
    expect(result.code).toBe(0);
  });

  it("shows what the quota controller recorded (status.used) beside what the workloads need, when a quota carries it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-quota-"));
    const file = join(dir, "exported.yaml");
    writeFileSync(
      file,
      readFileSync(example, "utf8").replace(
        "    count/deployments.apps: \"5\"\n",
        "    count/deployments.apps: \"5\"\nstatus:\n  used: {requests.cpu: 450m, requests.memory: 1Gi, pods: \"3\", count/deployments.apps: \"2\", bogus: twelve}\n",
      ),
    );
    const result = await runCli(registerQuotaCommand, ["quota", file]);
    expect(result.stdout).toMatch(/^NAMESPACE +QUOTA +RESOURCE +USED +REPORTED +HARD +PODS +REJECTED\n/);
    expect(result.stdout).toMatch(/tenant-a +compute +requests\.cpu +860m +450m +1 +5 +2\n/);
    // A resource the controller recorded nothing for.
    expect(result.stdout).toMatch(/tenant-a +compute +limits\.memory +\S+ +- +4Gi/);
    const report = JSON.parse((await runCli(registerQuotaCommand, ["quota", file, "-o", "json"])).stdout) as { namespaces: Array<{ quotas: Array<{ reported?: Record<string, string> }> }> };
    // What the controller wrote that is no quantity is left out, not charged to the user.
    expect(report.namespaces.flatMap((n) => n.quotas.map((q) => q.reported)).filter(Boolean)).toEqual([{ "count/deployments.apps": "2", pods: "3", "requests.cpu": "450m", "requests.memory": "1Gi" }]);
    // Without status, no column.
    expect((await runCli(registerQuotaCommand, ["quota", example])).stdout).not.toContain("REPORTED");
  });

  it("reports objects the API server would refuse as input problems at file:line, leaves them out of the table, and exits 2", async () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-quota-types-"));
    const file = join(dir, "q4.yaml");
    writeFileSync(
      file,
      [
        "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q, namespace: t}\nspec:\n  hard:\n    pods: \"2\"",
        "apiVersion: v1\nkind: LimitRange\nmetadata: {name: lr, namespace: t}\nspec:\n  limits: {type: Container, max: {memory: 1Mi}}",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: t}\nspec:\n  replicas: \"3\"\n  template:\n    spec:\n      containers:\n      - name: web\n        image: nginx\n        resources: {limits: {memory: 1Gi}}",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: t}\nspec:\n  containers: \"oops\"",
      ].join("\n---\n") + "\n",
    );
    const result = await runCli(registerQuotaCommand, ["quota", file]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/^NAMESPACE +QUOTA +RESOURCE +USED +HARD +PODS +REJECTED\nt +q +pods +0 +2 +0 +0\n/);
    expect(result.stderr).toContain(`${file}:12:3: LimitRange t/lr: spec.limits is a mapping where Kubernetes expects a list of LimitRangeItem: the API server refuses the object, so it is left out of the quota totals`);
    expect(result.stderr).toContain(`${file}:18:3: Deployment t/web: spec.replicas is text where Kubernetes expects an integer`);
    expect(result.stderr).toContain(`${file}:30:3: Pod t/p: spec.containers is text where Kubernetes expects a list of Container`);
    expect(result.stderr).toMatch(/hint: write the value in the declared type/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    // A value may be a credential: it is named by its type only.
    writeFileSync(file, "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: t}\nspec:\n  containers:\n  - name: c\n    image: x\n    env: [{name: API_KEY, value: 987654321987}]\n");
    const leaked = await runCli(registerQuotaCommand, ["quota", file]);
    expect(leaked.stderr).toContain("spec.containers[0].env[0].value is a number where Kubernetes expects text");
    expect(leaked.stdout + leaked.stderr).not.toContain("987654321987");
  });

  it("says which ResourceQuotas limit nothing instead of claiming there are none", async () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-quota-empty-"));
    const file = join(dir, "q3.yaml");
    writeFileSync(file, "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q, namespace: t}\nspec:\n  hard: {}\n");
    const result = await runCli(registerQuotaCommand, ["quota", file, "--fail-on", "none"]);
    expect(result.stdout).not.toContain("No ResourceQuota in the input.");
    expect(result.stdout.split("\n")[0]).toBe("ResourceQuotas with no hard limit that can be read (they limit nothing): t/q");
    // A quantity that does not parse refuses the whole object, as a negative one does: an input problem, exit 2.
    const unreadable = join(dir, "q4.yaml");
    writeFileSync(unreadable, "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q, namespace: t}\nspec:\n  hard:\n    requests.cpu: 1 core\n    pods: [3]\n");
    const bad = await runCli(registerQuotaCommand, ["quota", unreadable, "--fail-on", "critical"]);
    expect(bad.code).toBe(2);
    expect(bad.stdout.split("\n")[0]).toBe("No ResourceQuota the API server would accept in the input (1 refused: see the input problems).");
    expect(bad.stderr).toContain(`${unreadable}:6:5: ResourceQuota t/q: spec.hard["requests.cpu"]: "1 core" is not a quantity: quantities must match`);
    expect(bad.stdout).not.toContain("quota/invalid-quantity");
    const refused = join(dir, "refused.yaml");
    writeFileSync(refused, "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q, namespace: t}\nspec:\n  hard: [pods]\n  scopes: BestEffort\n");
    const none = await runCli(registerQuotaCommand, ["quota", refused]);
    expect(none.code).toBe(2);
    expect(none.stdout.split("\n")[0]).toBe("No ResourceQuota the API server would accept in the input (1 refused: see the input problems).");
  });

  it("leaves a claim a LimitRange refuses out of the quota's usage", async () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-quota-pvc-"));
    const file = join(dir, "q2.yaml");
    writeFileSync(
      file,
      [
        "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: storage, namespace: t}\nspec:\n  hard: {requests.storage: 10Gi, persistentvolumeclaims: \"1\"}",
        "apiVersion: v1\nkind: LimitRange\nmetadata: {name: lr, namespace: t}\nspec:\n  limits:\n  - type: PersistentVolumeClaim\n    max: {storage: 5Gi}",
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: p2, namespace: t}\nspec:\n  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 6Gi}}",
      ].join("\n---\n") + "\n",
    );
    const result = await runCli(registerQuotaCommand, ["quota", file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/t +storage +persistentvolumeclaims +0 +1 /);
    expect(result.stdout).toMatch(/t +storage +requests\.storage +0 +10Gi /);
    expect(result.stdout).toMatch(/20:15 +high +quota\/limitrange-violation +LimitRange lr: maximum storage usage per PersistentVolumeClaim is 5Gi, but request is 6Gi/);
  });

  it("leaves out the pods of a StatefulSet whose claim template a LimitRange refuses, with a finding that says why (exit 1)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-quota-sts-"));
    const file = join(dir, "sts.yaml");
    writeFileSync(
      file,
      [
        "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q, namespace: t}\nspec:\n  hard: {pods: \"10\", persistentvolumeclaims: \"10\", requests.storage: 100Gi}",
        "apiVersion: v1\nkind: LimitRange\nmetadata: {name: lr, namespace: t}\nspec:\n  limits:\n  - type: PersistentVolumeClaim\n    min: {storage: 1Gi}\n    max: {storage: 5Gi}",
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db, namespace: t}\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers: [{name: db, image: db, resources: {requests: {cpu: 100m, memory: 1Mi}, limits: {memory: 1Mi}}}]\n  volumeClaimTemplates:\n  - metadata: {name: data}\n    spec: {resources: {requests: {storage: 8Gi}}}\n  - metadata: {name: logs}\n    spec: {resources: {requests: {storage: 1Gi}}}",
      ].join("\n---\n") + "\n",
    );
    const result = await runCli(registerQuotaCommand, ["quota", file]);
    expect(result.code).toBe(1);
    // No pods; only db-0's logs claim, which the controller creates before it fails on data-db-0.
    expect(result.stdout).toBe(
      [
        "NAMESPACE  QUOTA  RESOURCE                USED  HARD   PODS  REJECTED",
        "t          q      persistentvolumeclaims  1     10     0     0",
        "t          q      pods                    0     10     0     0",
        "t          q      requests.storage        1Gi   100Gi  0     0",
        "",
        file,
        "  StatefulSet/t/db",
        "    26:24    high     quota/limitrange-violation  LimitRange lr: claim template data: maximum storage usage per PersistentVolumeClaim is 5Gi, but request is 8Gi; the StatefulSet controller creates a pod's claims before the pod, so none of its 3 pods would be created (left out of the quota totals with their claims, except the first pod's claim from template logs)",
        "",
        "1 finding (1 high) in 1 of 3 objects, across 1 file.",
        "",
      ].join("\n"),
    );
    expect(result.stderr).toBe("");
    const json = await runCli(registerQuotaCommand, ["quota", file, "-o", "json"]);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as { namespaces: Array<{ pods: number }>; problems: unknown[] };
    expect(report.namespaces[0]!.pods).toBe(0);
    expect(report.problems).toEqual([]);
  });

  it("asks for input when given neither paths nor --cluster", async () => {
    const result = await runCli(registerQuotaCommand, ["quota"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/nothing to read/);
  });

  it("refuses input with no Kubernetes object (exit 2), as scan does, instead of a clean report of nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-quota-none-"));
    const comments = join(dir, "comments.yaml");
    writeFileSync(comments, "# only a comment\n");
    const notKubernetes = join(dir, "list.yaml");
    writeFileSync(notKubernetes, "- a\n- b\n");
    for (const input of [comments, notKubernetes, dir]) {
      const result = await runCli(registerQuotaCommand, ["quota", input]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`${input}:1:1: no Kubernetes objects to scan`);
    }
  });

  it("exits 2 on unreadable input", async () => {
    const result = await runCli(registerQuotaCommand, ["quota", `${repoRoot}/examples/does-not-exist.yaml`]);
    expect(result.code).toBe(2);
  });
});
