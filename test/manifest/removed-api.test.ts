import { describe, expect, it } from "vitest";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { emptySnapshot } from "../../src/k8s/snapshot.js";
import type { LoadedObject } from "../../src/k8s/types.js";
import { manifestFamily } from "../../src/manifest/family.js";
import { REMOVED_API } from "../../src/manifest/rules.js";
import { FAMILIES } from "../../src/scan/families.js";
import { palisade } from "../support/cli-in-process.js";
import { loadedObject } from "../support/snapshot.js";

const removedApis = (objects: LoadedObject[]) => manifestFamily.check({ ...emptySnapshot(), objects }, {}).filter((f) => f.ruleId === REMOVED_API.id);
const objectOf = (apiVersion: string, kind: string) => loadedObject({ apiVersion, kind, metadata: { name: "x" } });

// The Deprecated API Migration Guide, restated: removed apiVersion, kinds, release, what to write instead.
const GUIDE: Array<[string, string[], string, string | undefined]> = [
  ["extensions/v1beta1", ["NetworkPolicy"], "v1.16", "networking.k8s.io/v1"],
  ["extensions/v1beta1", ["DaemonSet", "Deployment", "ReplicaSet"], "v1.16", "apps/v1"],
  ["extensions/v1beta1", ["PodSecurityPolicy"], "v1.16", undefined],
  ["apps/v1beta1", ["Deployment", "ReplicaSet", "StatefulSet"], "v1.16", "apps/v1"],
  ["apps/v1beta2", ["DaemonSet", "Deployment", "ReplicaSet", "StatefulSet"], "v1.16", "apps/v1"],
  ["admissionregistration.k8s.io/v1beta1", ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"], "v1.22", "admissionregistration.k8s.io/v1"],
  ["apiextensions.k8s.io/v1beta1", ["CustomResourceDefinition"], "v1.22", "apiextensions.k8s.io/v1"],
  ["apiregistration.k8s.io/v1beta1", ["APIService"], "v1.22", "apiregistration.k8s.io/v1"],
  ["authentication.k8s.io/v1beta1", ["TokenReview"], "v1.22", "authentication.k8s.io/v1"],
  ["authorization.k8s.io/v1beta1", ["LocalSubjectAccessReview", "SelfSubjectAccessReview", "SubjectAccessReview"], "v1.22", "authorization.k8s.io/v1"],
  ["certificates.k8s.io/v1beta1", ["CertificateSigningRequest"], "v1.22", "certificates.k8s.io/v1"],
  ["coordination.k8s.io/v1beta1", ["Lease"], "v1.22", "coordination.k8s.io/v1"],
  ["extensions/v1beta1", ["Ingress"], "v1.22", "networking.k8s.io/v1"],
  ["networking.k8s.io/v1beta1", ["Ingress", "IngressClass"], "v1.22", "networking.k8s.io/v1"],
  ["rbac.authorization.k8s.io/v1beta1", ["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"], "v1.22", "rbac.authorization.k8s.io/v1"],
  ["scheduling.k8s.io/v1beta1", ["PriorityClass"], "v1.22", "scheduling.k8s.io/v1"],
  ["storage.k8s.io/v1beta1", ["CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"], "v1.22", "storage.k8s.io/v1"],
  ["batch/v1beta1", ["CronJob"], "v1.25", "batch/v1"],
  ["discovery.k8s.io/v1beta1", ["EndpointSlice"], "v1.25", "discovery.k8s.io/v1"],
  ["events.k8s.io/v1beta1", ["Event"], "v1.25", "events.k8s.io/v1"],
  ["autoscaling/v2beta1", ["HorizontalPodAutoscaler"], "v1.25", "autoscaling/v2"],
  ["policy/v1beta1", ["PodDisruptionBudget"], "v1.25", "policy/v1"],
  ["policy/v1beta1", ["PodSecurityPolicy"], "v1.25", undefined],
  ["node.k8s.io/v1beta1", ["RuntimeClass"], "v1.25", "node.k8s.io/v1"],
  ["flowcontrol.apiserver.k8s.io/v1beta1", ["FlowSchema", "PriorityLevelConfiguration"], "v1.26", "flowcontrol.apiserver.k8s.io/v1"],
  ["autoscaling/v2beta2", ["HorizontalPodAutoscaler"], "v1.26", "autoscaling/v2"],
  ["storage.k8s.io/v1beta1", ["CSIStorageCapacity"], "v1.27", "storage.k8s.io/v1"],
  ["flowcontrol.apiserver.k8s.io/v1beta2", ["FlowSchema", "PriorityLevelConfiguration"], "v1.29", "flowcontrol.apiserver.k8s.io/v1"],
  ["flowcontrol.apiserver.k8s.io/v1beta3", ["FlowSchema", "PriorityLevelConfiguration"], "v1.32", "flowcontrol.apiserver.k8s.io/v1"],
];

describe("API versions Kubernetes no longer serves (manifest/removed-api)", () => {
  it("names the release that removed each one of the migration guide and the apiVersion to write instead", () => {
    for (const [apiVersion, kinds, removedIn, replacement] of GUIDE) {
      for (const kind of kinds) {
        const [finding] = removedApis([objectOf(apiVersion, kind)]);
        expect(finding?.properties, `${apiVersion} ${kind}`).toEqual({ removedIn, ...(replacement ? { replacement } : {}) });
        expect(finding!.message).toContain(`${apiVersion} ${kind} is no longer served: Kubernetes ${removedIn} removed it`);
        if (replacement) expect(finding!.message).toContain(`write apiVersion: ${replacement} (served since v1.`);
        else expect(finding!.message).toContain("Pod Security Admission's namespace labels take its place");
      }
    }
  });

  it("says nothing of the versions served today, of kinds a removed version did not hold, or of custom resources", () => {
    const served = [
      ["apps/v1", "Deployment"],
      ["batch/v1", "CronJob"],
      ["policy/v1", "PodDisruptionBudget"],
      ["autoscaling/v2", "HorizontalPodAutoscaler"],
      ["autoscaling/v1", "HorizontalPodAutoscaler"],
      ["networking.k8s.io/v1", "Ingress"],
      ["flowcontrol.apiserver.k8s.io/v1", "FlowSchema"],
      ["storage.k8s.io/v1", "CSIStorageCapacity"],
      ["policy/v1beta1", "Eviction"],
      ["example.com/v1beta1", "Deployment"],
      ["gateway.networking.k8s.io/v1beta1", "HTTPRoute"],
    ];
    expect(removedApis(served.map(([apiVersion, kind]) => objectOf(apiVersion!, kind!)))).toEqual([]);
  });

  it("points at the apiVersion line, and the workload's pod is still judged by Pod Security as written", () => {
    const text = "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: nightly}\nspec:\n  schedule: '@daily'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers: [{name: c, image: x, securityContext: {privileged: true}}]\n";
    const objects = parseYamlFile("cron.yaml", text).objects;
    expect(removedApis(objects)).toMatchObject([{ severity: "medium", pillar: "platform", fieldPath: "apiVersion", position: { file: "cron.yaml", line: 1, column: 1 }, object: { kind: "CronJob", name: "nightly" } }]);
    const snapshot = { ...emptySnapshot(), objects };
    const podSecurity = FAMILIES.find((f) => f.id === "pod-security")!.check(snapshot, {});
    expect(podSecurity.map((f) => f.ruleId)).toContain("pss/privileged");
  });

  it("is listed with its documentation by palisade rules", async () => {
    const { stdout, code } = await palisade(["rules", "manifest/removed-api"]);
    expect(code).toBe(0);
    expect(stdout).toContain("manifest/removed-api  [medium, platform]");
    expect(stdout).toContain("https://kubernetes.io/docs/reference/using-api/deprecation-guide/");
  });
});
