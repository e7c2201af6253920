/**
 * manifest/fails-validation, workload selectors: what the API server's validation refuses
 * after defaulting (pkg/apis/apps/validation ValidateDeploymentSpec, ValidateReplicaSetSpec,
 * ValidateStatefulSetSpec, ValidateDaemonSetSpec; pkg/apis/core/validation
 * ValidateReplicationControllerSpec with SetDefaults_ReplicationController; pkg/apis/batch/validation
 * ValidateJobSpec).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadSnapshot } from "../../src/k8s/load.js";
import { manifestFamily } from "../../src/manifest/family.js";

async function refusals(yaml: string) {
  const snapshot = await loadSnapshot({ paths: ["-"], stdinText: yaml });
  expect(snapshot.problems).toEqual([]);
  return manifestFamily.check(snapshot, {}).filter((f) => f.ruleId === "manifest/fails-validation");
}

const brief = (found: Awaited<ReturnType<typeof refusals>>) => found.map((f) => [f.fieldPath, f.message.replace(/ \(the API server refuses the object: .*\)$/, ""), f.position?.line]);

const apps = (kind: string, selector: string, labels = "{app: web}") => `apiVersion: apps/v1
kind: ${kind}
metadata: {name: web}
spec:
${selector}
  template:
    metadata:
      labels: ${labels}
    spec:
      containers: [{name: app, image: nginx}]
`;

const MISMATCH = "`selector` does not match template `labels`";

describe("apps/v1 selectors against template labels", () => {
  it("a Deployment without a selector is refused twice: the selector is required, and nothing matches the labels", async () => {
    const found = await refusals(apps("Deployment", ""));
    expect(brief(found)).toEqual([
      ["spec.selector", "spec.selector: Required value", 4],
      ["spec.template.metadata.labels", `spec.template.metadata.labels: Invalid value: {"app":"web"}: ${MISMATCH}`, 8],
    ]);
    expect(found[0]?.severity).toBe("medium");
    expect(found[0]?.message).toMatch(/\(the API server refuses the object: add spec\.selector\.matchLabels/);
  });

  it("a selector the template's labels do not satisfy is refused at the labels; one they satisfy is not", async () => {
    expect(brief(await refusals(apps("Deployment", "  selector: {matchLabels: {app: api}}", "{app: web, tier: front}")))).toEqual([
      ["spec.template.metadata.labels", `spec.template.metadata.labels: Invalid value: {"app":"web","tier":"front"}: ${MISMATCH}`, 8],
    ]);
    expect(await refusals(apps("Deployment", "  selector: {matchLabels: {app: web}}", "{app: web, tier: front}"))).toEqual([]);
    expect(await refusals(apps("StatefulSet", "  selector: {matchExpressions: [{key: tier, operator: NotIn, values: [back]}]}", "{app: web}"))).toEqual([]);
    expect(brief(await refusals(apps("ReplicaSet", "  selector: {matchExpressions: [{key: tier, operator: Exists}]}", "{app: web}")))).toHaveLength(1);
  });

  it("an empty selector is refused for Deployments, ReplicaSets (in a Deployment's words), StatefulSets and DaemonSets", async () => {
    for (const [kind, word] of [["Deployment", "deployment"], ["ReplicaSet", "deployment"], ["StatefulSet", "statefulset"], ["DaemonSet", "daemonset"]]) {
      expect(brief(await refusals(apps(kind as string, "  selector: {}"))), kind).toEqual([["spec.selector", `spec.selector: Invalid value: {}: empty selector is invalid for ${word}`, 5]]);
    }
  });

  it("a DaemonSet needs no selector by name, but its labels must match one, so a missing one is refused once", async () => {
    expect(brief(await refusals(apps("DaemonSet", "")))).toEqual([["spec.template.metadata.labels", `spec.template.metadata.labels: Invalid value: {"app":"web"}: ${MISMATCH}`, 8]]);
  });

  it("a template without labels prints them as Go's JSON prints a nil map", async () => {
    const found = await refusals(apps("Deployment", "  selector: {matchLabels: {app: web}}", "null"));
    expect(found.map((f) => f.message)).toEqual([expect.stringMatching(/^spec\.template\.metadata\.labels: Invalid value: null: `selector` does not match/)]);
  });

  it("a selector the API server cannot read (an unknown operator) is not matched: its own validation refuses it", async () => {
    expect(await refusals(apps("Deployment", "  selector: {matchExpressions: [{key: app, operator: Equals, values: [web]}]}"))).toEqual([]);
  });

  it("other API versions of the same kinds default their selector (extensions/v1beta1) and are not judged here", async () => {
    expect(await refusals(apps("Deployment", "").replace("apps/v1", "extensions/v1beta1"))).toEqual([]);
  });

  it("finds a mismatch exactly when a matchLabels entry is missing from the labels or differs (property)", async () => {
    const key = fc.constantFrom("app", "tier", "app.kubernetes.io/name");
    const value = fc.constantFrom("web", "api", "");
    await fc.assert(
      fc.asyncProperty(fc.dictionary(key, value, { minKeys: 1 }), fc.dictionary(key, value), async (selector, labels) => {
        const found = await refusals(apps("Deployment", `  selector: {matchLabels: ${JSON.stringify(selector)}}`, JSON.stringify(labels)));
        const matches = Object.entries(selector).every(([k, v]) => Object.hasOwn(labels, k) && labels[k] === v);
        expect(found.length).toBe(matches ? 0 : 1);
      }),
      { numRuns: 40 },
    );
  });
});

const rc = (spec: string) => `apiVersion: v1
kind: ReplicationController
metadata: {name: web}
spec:
${spec}
`;

describe("ReplicationControllers, whose selector defaults to the template's labels", () => {
  it("one with neither a selector nor template labels is refused", async () => {
    expect(brief(await refusals(rc("  template:\n    spec:\n      containers: [{name: app, image: nginx}]")))).toEqual([["spec.selector", "spec.selector: Required value", 4]]);
  });

  it("one with template labels and no selector is fine (defaulting copies them)", async () => {
    expect(await refusals(rc("  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: app, image: nginx}]"))).toEqual([]);
  });

  it("one whose selector the labels do not satisfy is refused at the labels", async () => {
    expect(brief(await refusals(rc("  selector: {app: api}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: app, image: nginx}]")))).toEqual([
      ["spec.template.metadata.labels", `spec.template.metadata.labels: Invalid value: {"app":"web"}: ${MISMATCH}`, 7],
    ]);
  });

  it("one without a template is refused for it", async () => {
    expect(brief(await refusals(rc("  selector: {app: web}")))).toEqual([["spec.template", "spec.template: Required value", 4]]);
  });
});

const job = (spec: string) => `apiVersion: batch/v1
kind: Job
metadata: {name: once}
spec:
${spec}
  template:
    metadata: {labels: {app: once}}
    spec:
      restartPolicy: Never
      containers: [{name: app, image: busybox}]
`;

describe("Jobs: a selector is generated unless manualSelector is true", () => {
  it("with manualSelector: true, a selector the labels do not satisfy is refused", async () => {
    expect(brief(await refusals(job("  manualSelector: true\n  selector: {matchLabels: {app: other}}")))).toEqual([
      ["spec.template.metadata.labels", `spec.template.metadata.labels: Invalid value: {"app":"once"}: ${MISMATCH}`, 8],
    ]);
    expect(await refusals(job("  manualSelector: true\n  selector: {matchLabels: {app: once}}"))).toEqual([]);
  });

  it("with manualSelector: true and no selector, the selector is required and nothing matches", async () => {
    expect(brief(await refusals(job("  manualSelector: true"))).map(([path]) => path)).toEqual(["spec.selector", "spec.template.metadata.labels"]);
  });

  it("without manualSelector, the written selector is not judged here (the strategy generates its own)", async () => {
    expect(await refusals(job("  selector: {matchLabels: {app: other}}"))).toEqual([]);
  });
});
