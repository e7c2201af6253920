import { join } from "node:path";
import fc from "fast-check";
import fastJsonPatch from "fast-json-patch";
import { describe, expect, it } from "vitest";
import { loadSnapshot } from "../../src/k8s/load.js";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { emptySnapshot } from "../../src/k8s/snapshot.js";
import { formatFieldPath, type K8sObject } from "../../src/k8s/types.js";
import { ROOT_TYPES } from "../../src/manifest/api-fields.generated.js";
import { apiTypes } from "../../src/manifest/api-schema.js";
import { manifestFamily } from "../../src/manifest/family.js";
import { checkFields } from "../../src/manifest/field-check.js";
import { conformancePath, repoRoot } from "../support/conformance.js";

function objectsOf(text: string) {
  return parseYamlFile("m.yaml", text).objects;
}

const unknownFields = (object: K8sObject) => checkFields(object).unknown;
const wrongTypes = (object: K8sObject) => checkFields(object).wrongTypes.map((w) => ({ path: formatFieldPath(w.path), expected: w.expected, value: w.value }));

const CRON_JOB = `apiVersion: batch/v1
kind: CronJob
metadata:
  name: report
  labels: {anything: goes, here-too: yes}
  annotations: {free.example.com/key: value}
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          nodeSelector: {any-key: x}
          restartPolicy: Never
          containers:
          - name: app
            image: registry.example.com/report:1
            runAsNonRoot: true
            resources: {limits: {memory: 64Mi}}
            securityContext:
              readOnlyRootFileSystem: true
              privilegd: false
              capabilities: {drop: [ALL]}
`;

describe("values of another type than the field's (manifest/wrong-type)", () => {
  const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, finalizers: example.com/x}
spec:
  replicas: "3"
  revisionHistoryLimit: 1.5
  selector: {matchLabels: {app: web}}
  strategy: {rollingUpdate: {maxSurge: "25%", maxUnavailable: 1}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 30.0
      hostNetwork: yes
      hostPID: "false"
      securityContext: {runAsUser: "1000", runAsNonRoot: ~}
      containers:
        name: app
      initContainers:
      - name: init
        image: busybox
        command: sh -c true
        ports: [{containerPort: "8080"}]
        resources: {limits: {cpu: 1, memory: 64Mi}}
        securityContext: [privileged]
`;

  it("finds quoted numbers and booleans, fractions for integers, scalars for lists and lists for mappings", () => {
    const [deployment] = objectsOf(DEPLOYMENT);
    const pod = "spec.template.spec";
    expect(wrongTypes(deployment!.object)).toEqual([
      { path: "metadata.finalizers", expected: "a list", value: "example.com/x" },
      { path: "spec.replicas", expected: "an integer", value: "3" },
      { path: "spec.revisionHistoryLimit", expected: "an integer", value: 1.5 },
      { path: `${pod}.hostPID`, expected: "a boolean (true or false)", value: "false" },
      { path: `${pod}.securityContext.runAsUser`, expected: "an integer", value: "1000" },
      { path: `${pod}.containers`, expected: "a list of Container", value: { name: "app" } },
      { path: `${pod}.initContainers[0].command`, expected: "a list", value: "sh -c true" },
      { path: `${pod}.initContainers[0].ports[0].containerPort`, expected: "an integer", value: "8080" },
      { path: `${pod}.initContainers[0].securityContext`, expected: "a mapping (SecurityContext)", value: ["privileged"] },
    ]);
    // 30.0 is the integer 30, yes is the boolean true (go-yaml v2), IntOrString and Quantity take both forms, null is accepted.
  });

  it("says what Kubernetes read and what it expects, but never the value, a Secret's or any other", () => {
    const objects = objectsOf(`${DEPLOYMENT}---
apiVersion: v1
kind: Secret
metadata: {name: s}
immutable: "yes"
data: [c2VjcmV0]
`);
    const snapshot = { ...emptySnapshot(), objects };
    const findings = manifestFamily.check(snapshot, {}).filter((f) => f.ruleId === "manifest/wrong-type");
    expect(findings.find((f) => f.fieldPath === "spec.replicas")!.message).toBe("spec.replicas is text where Kubernetes expects an integer (unquote it): the API server refuses this object");
    expect(findings.find((f) => f.fieldPath === "spec.revisionHistoryLimit")!.message).toBe("spec.revisionHistoryLimit is a number where Kubernetes expects an integer: the API server refuses this object");
    expect(findings.find((f) => f.fieldPath === `spec.template.spec.initContainers[0].command`)!.message).toBe("spec.template.spec.initContainers[0].command is text where Kubernetes expects a list: the API server refuses this object");
    expect(findings.map((f) => f.message).join("\n")).not.toMatch(/sh -c true|1\.5|example\.com\/x/);
    expect(findings.find((f) => f.fieldPath === "spec.replicas")!.position).toEqual({ file: "m.yaml", line: 5, column: 3 });
    const secret = findings.filter((f) => f.object?.kind === "Secret").map((f) => f.message);
    expect(secret).toEqual(["immutable is text where Kubernetes expects a boolean (true or false): the API server refuses this object", "data is a list where Kubernetes expects a mapping: the API server refuses this object"]);
    expect(JSON.stringify(findings)).not.toContain("c2VjcmV0");
  });
});

describe("fixes of manifest findings (JSON patches)", () => {
  it("move a misspelt or misplaced field where it was meant and unquote quoted integers and booleans; the fixed object checks clean", () => {
    const text = CRON_JOB.replace("          restartPolicy: Never\n", "          restartPolicy: Never\n          activeDeadlineSeconds: \"600\"\n          hostIPC: \"false\"\n");
    const [cronJob] = objectsOf(text);
    const snapshot = { ...emptySnapshot(), objects: [cronJob!] };
    const findings = manifestFamily.check(snapshot, {}).filter((f) => f.ruleId !== "manifest/string-expected");
    expect(findings.map((f) => [f.fieldPath!.replace("spec.jobTemplate.spec.template.spec.", "…"), f.fix])).toEqual([
      ["…containers[0].runAsNonRoot", [
        { op: "move", from: "/spec/jobTemplate/spec/template/spec/containers/0/runAsNonRoot", path: "/spec/jobTemplate/spec/template/spec/containers/0/securityContext/runAsNonRoot" },
      ]],
      ["…containers[0].securityContext.readOnlyRootFileSystem", [
        { op: "move", from: "/spec/jobTemplate/spec/template/spec/containers/0/securityContext/readOnlyRootFileSystem", path: "/spec/jobTemplate/spec/template/spec/containers/0/securityContext/readOnlyRootFilesystem" },
      ]],
      ["…containers[0].securityContext.privilegd", [
        { op: "move", from: "/spec/jobTemplate/spec/template/spec/containers/0/securityContext/privilegd", path: "/spec/jobTemplate/spec/template/spec/containers/0/securityContext/privileged" },
      ]],
      ["…activeDeadlineSeconds", [{ op: "replace", path: "/spec/jobTemplate/spec/template/spec/activeDeadlineSeconds", value: 600 }]],
      ["…hostIPC", [{ op: "replace", path: "/spec/jobTemplate/spec/template/spec/hostIPC", value: false }]],
    ]);
    const fixed = structuredClone(cronJob!.object);
    for (const f of findings) fastJsonPatch.applyPatch(fixed, f.fix!, true, true);
    expect(checkFields(fixed)).toMatchObject({ unknown: [], wrongTypes: [] });
    const container = (fixed as { spec: { jobTemplate: { spec: { template: { spec: { containers: Array<{ securityContext: Record<string, unknown> }> } } } } } }).spec.jobTemplate.spec.template.spec.containers[0]!;
    expect(container.securityContext).toEqual({ runAsNonRoot: true, readOnlyRootFilesystem: true, privileged: false, capabilities: { drop: ["ALL"] } });
  });

  it("gives no fix where the intent is not certain", () => {
    const [pod] = objectsOf(`apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: a
    image: x
    command: sh -c true
    runAsNonRoot: true
    securityContext: {runAsNonRoot: false, readOnlyRootFilesystem: false, readOnlyRootFileSystem: true}
  - name: b
    image: x
    runAsUser: 1000
    securityContext: [oops]
  terminationGracePeriodSeconds: "soon"
  hostPID: "yes"
`);
    const findings = manifestFamily.check({ ...emptySnapshot(), objects: [pod!] }, {}).filter((f) => f.ruleId !== "manifest/string-expected");
    expect(findings.length).toBe(7);
    // Both spellings set, the meant field set already, a holder that is not a mapping, a list from one string, text that is no number, "yes" as text.
    expect(findings.filter((f) => f.fix !== undefined)).toEqual([]);
  });
});

describe("fields a built-in object's type does not have (manifest/unknown-field)", () => {
  it("leaves SOPS's metadata beside the fields it encrypts alone, and only that", () => {
    const configMap = (sops: unknown): K8sObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { a: "ENC[AES256_GCM,data:x]" }, sops } as K8sObject);
    expect(unknownFields(configMap({ mac: "ENC[...]", version: "3.9.0", lastmodified: "2026-01-01T00:00:00Z" }))).toEqual([]);
    expect(unknownFields(configMap(true)).map((u) => u.path)).toEqual([["sops"]]);
    expect(unknownFields(configMap({ other: 1 })).map((u) => u.path)).toEqual([["sops"]]);
  });

  it("finds misspelt and misplaced fields at any depth, with the field most likely meant", () => {
    const [cronJob] = objectsOf(CRON_JOB);
    const found = unknownFields(cronJob!.object).map((u) => ({ path: formatFieldPath(u.path), type: u.type, meant: u.meant }));
    const container = "spec.jobTemplate.spec.template.spec.containers[0]";
    expect(found).toEqual([
      { path: `${container}.runAsNonRoot`, type: "Container", meant: "securityContext.runAsNonRoot" },
      { path: `${container}.securityContext.readOnlyRootFileSystem`, type: "SecurityContext", meant: "readOnlyRootFilesystem" },
      { path: `${container}.securityContext.privilegd`, type: "SecurityContext", meant: "privileged" },
    ]);
  });

  it("reports each at the key itself, with the API server's verdict and no value", () => {
    const snapshot = { ...emptySnapshot(), objects: objectsOf(CRON_JOB) };
    const findings = manifestFamily.check(snapshot, {}).filter((f) => f.ruleId === "manifest/unknown-field");
    expect(findings.map((f) => [f.position?.line, f.position?.column])).toEqual([
      [18, 13],
      [21, 15],
      [22, 15],
    ]);
    expect(findings[1]!.message).toBe(
      "spec.jobTemplate.spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem is not a field of SecurityContext: did you mean readOnlyRootFilesystem? kubectl apply refuses the object, and clients that do not validate drop the field silently",
    );
    expect(findings[1]!.properties).toEqual({ type: "SecurityContext", meant: "readOnlyRootFilesystem" });
    expect(findings.every((f) => f.severity === "medium" && f.object?.name === "report")).toBe(true);
  });

  it("says which API it knows when nothing close exists", () => {
    const [pod] = objectsOf("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: x}]\n  frobnicate: 1\n");
    const snapshot = { ...emptySnapshot(), objects: [pod!] };
    const [finding] = manifestFamily.check(snapshot, {}).filter((f) => f.ruleId === "manifest/unknown-field");
    expect(finding!.message).toMatch(/^spec\.frobnicate is not a field of PodSpec in the Kubernetes v1\.\d+ API: kubectl apply refuses/);
  });

  it("leaves free maps, values without declared fields, a status (the server's) and unknown kinds alone", () => {
    const objects = objectsOf(`apiVersion: v1
kind: ConfigMap
metadata: {name: c}
data: {whatever: x, "any.key": y}
---
apiVersion: v1
kind: Secret
metadata: {name: s}
stringData: {password: hunter2}
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: r}
spec: {strategy: {canary: {steps: []}}, anything: 1}
---
apiVersion: example.com/v1
kind: Pod
metadata: {name: not-core}
spec: {madeUp: true}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: d, annotations: {kubectl.kubernetes.io/last-applied-configuration: "{}"}}
spec:
  selector: {matchLabels: {app: d}}
  template:
    metadata: {labels: {app: d}}
    spec:
      containers: [{name: c, image: x, resources: {limits: {nvidia.com/gpu: 1}}}]
status: {replicas: 1, fieldOfANewerRelease: true, readyReplicas: "1"}
`);
    for (const loaded of objects) expect(unknownFields(loaded.object), loaded.object.kind).toEqual([]);
  });

  it("knows the API's other built-in kinds: a CustomResourceDefinition's schema with x-kubernetes extensions, policies, APIServices", () => {
    const objects = objectsOf(`apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget, shortNames: [wg]}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}, scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas}}
    additionalPrinterColumns: [{name: Age, type: date, jsonPath: .metadata.creationTimestamp}]
    schema:
      openAPIV3Schema:
        type: object
        required: [spec]
        properties:
          spec:
            type: object
            x-kubernetes-preserve-unknown-fields: true
            x-kubernetes-validations: [{rule: "self.replicas >= 0", message: must not be negative}]
            properties:
              replicas: {type: integer, minimum: 0, default: 1}
              mode: {type: string, enum: [fast, safe]}
              tags: {type: array, x-kubernetes-list-type: set, items: {type: string}}
              labels: {type: object, additionalProperties: {type: string}}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: replicas}
spec:
  failurePolicy: Fail
  matchConstraints: {resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments]}]}
  validations: [{expression: "object.spec.replicas <= 5"}]
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1beta1.metrics.k8s.io}
spec: {group: metrics.k8s.io, version: v1beta1, groupPriorityMinimum: 100, versionPriority: 100, insecureSkipTLSVerify: true, service: {name: metrics-server, namespace: kube-system, port: 443}}
`);
    for (const loaded of objects) expect(checkFields(loaded.object), loaded.object.kind).toEqual({ unknown: [], wrongTypes: [], notText: [] });
    const crd = structuredClone(objects[0]!.object) as K8sObject & { spec: { versions: Array<Record<string, unknown>> } };
    crd.spec.versions[0]!.servd = true;
    crd.spec.versions[0]!.served = "true";
    expect(checkFields(crd).unknown.map((u) => [formatFieldPath(u.path), u.type, u.meant])).toEqual([["spec.versions[0].servd", "CustomResourceDefinitionVersion", "served"]]);
    expect(checkFields(crd).wrongTypes.map((w) => formatFieldPath(w.path))).toEqual(["spec.versions[0].served"]);
  });

  it("finds exactly the key added where a type has no such field (property)", () => {
    const base = objectsOf(CRON_JOB.replace("            runAsNonRoot: true\n", "").replace("              readOnlyRootFileSystem: true\n              privilegd: false\n", ""))[0]!.object;
    expect(unknownFields(base)).toEqual([]);
    const podSpec = ["spec", "jobTemplate", "spec", "template", "spec"];
    // Typed places, with their type: a key that is not one of its fields is found there, and only there.
    const places: Array<[string[] | (string | number)[], string]> = [
      [[], "V1CronJob"],
      [["metadata"], "V1ObjectMeta"],
      [["spec"], "V1CronJobSpec"],
      [podSpec, "V1PodSpec"],
      [[...podSpec, "containers", 0], "V1Container"],
      [[...podSpec, "containers", 0, "securityContext"], "V1SecurityContext"],
      [[...podSpec, "containers", 0, "securityContext", "capabilities"], "V1Capabilities"],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...places), fc.string({ minLength: 1, maxLength: 12 }), ([at, model], key) => {
        if (key in (apiTypes()[model] ?? {}) || key === "__proto__") return;
        const object = structuredClone(base) as K8sObject;
        let node: Record<string | number, unknown> = object;
        for (const part of at) node = node[part] as Record<string | number, unknown>;
        node[key] = "x";
        const found = unknownFields(object);
        expect(found.map((u) => u.path)).toEqual([[...at, key]]);
      }),
    );
  });

  it("finds nothing in valid objects (Palisade's own deployment, every upstream Pod Security fixture), and the examples' one deliberate misspelling", async () => {
    const paths = [join(repoRoot, "examples"), join(repoRoot, "deploy")];
    const fixtures = conformancePath("pod-security");
    if (fixtures) paths.push(fixtures);
    const snapshot = await loadSnapshot({ paths });
    const judged = snapshot.objects.filter((o) => ROOT_TYPES[`${o.object.apiVersion} ${o.object.kind}`] !== undefined);
    expect(judged.length).toBeGreaterThan(fixtures ? 4000 : 50);
    const found = judged.flatMap((o) => unknownFields(o.object).map((u) => `${o.source.file.slice(repoRoot.length + 1)}: ${formatFieldPath(u.path)}`));
    expect(found).toEqual(["examples/cluster/20-payments.yaml: spec.jobTemplate.spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem"]);
    expect(judged.flatMap((o) => checkFields(o.object).wrongTypes)).toEqual([]);
    // Every text field is held to text: none of them may be a Quantity or an IntOrString (several-forms.ts).
    expect(judged.flatMap((o) => checkFields(o.object).notText.map((t) => `${o.source.file.slice(repoRoot.length + 1)}: ${formatFieldPath(t.path)}`))).toEqual([]);
  });
});
