/**
 * Updates are judged only on what they change: a scale, a label, a finalizer removed or a
 * DELETE of an object that predates a policy (or that a policy was tightened under) must go
 * through, or workloads cannot scale and terminating pods stay stuck. One test per policy,
 * then a property over all of them together.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ClusterState } from "../../src/admission/cluster-state.js";
import { parsePodSecurityPolicies } from "../../src/admission/config.js";
import { validateAdmission } from "../../src/admission/pipeline.js";
import type { AdmissionPolicy } from "../../src/admission/policy.js";
import { imagesPolicy } from "../../src/admission/policies/images.js";
import { nodeRestrictionPolicy } from "../../src/admission/policies/node-restriction.js";
import { podSecurityPolicyPolicy } from "../../src/admission/policies/pod-security-policy.js";
import { podSecurityPolicy } from "../../src/admission/policies/pod-security.js";
import { secretsPolicy } from "../../src/admission/policies/secrets.js";
import { tenancyPolicy } from "../../src/admission/policies/tenancy.js";
import type { K8sObject } from "../../src/k8s/types.js";
import { DEFAULT_POLICY } from "../../src/podsecurity/namespace-levels.js";
import type { TenancyModel } from "../../src/tenancy/tenants.js";
import { namespace, review, type ReviewOptions } from "./fixtures.js";

const NOW = new Date("2026-06-01T00:00:00Z");
const DIGEST = "@sha256:" + "a".repeat(64);

const images = imagesPolicy({ allowedRegistries: ["registry.example.com"], requireDigest: true, forbidLatest: true }, "enforce");
const MODEL: TenancyModel = {
  namespaceLabel: "palisade.dev/tenant",
  tenants: [
    { name: "blue", taint: { key: "palisade.dev/tenant", value: "blue", effect: "NoSchedule" }, nodeLabel: { key: "node-restriction.kubernetes.io/tenant", value: "blue" } },
    { name: "green", taint: { key: "palisade.dev/tenant", value: "green", effect: "NoSchedule" }, nodeLabel: { key: "node-restriction.kubernetes.io/tenant", value: "green" } },
  ],
};
const tenancy = tenancyPolicy(MODEL, "enforce");
const psp = podSecurityPolicyPolicy(
  parsePodSecurityPolicies("psp.yaml", "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: restricted}\nspec:\n  privileged: false\n  runAsUser: {rule: RunAsAny}\n  seLinux: {rule: RunAsAny}\n  supplementalGroups: {rule: RunAsAny}\n  fsGroup: {rule: RunAsAny}\n  volumes: ['*']\n"),
  "enforce",
);
const psa = podSecurityPolicy({ defaults: DEFAULT_POLICY, exemptions: { usernames: [], runtimeClasses: [], namespaces: [] } }, "enforce");
const ALL: AdmissionPolicy[] = [tenancy, psa, psp, nodeRestrictionPolicy("enforce"), images, secretsPolicy("enforce")];

function cluster(): ClusterState {
  const state = new ClusterState();
  state.seed([namespace("blue-app", { "palisade.dev/tenant": "blue", "pod-security.kubernetes.io/enforce": "restricted" }), namespace("default")]);
  return state;
}

function judge(policies: AdmissionPolicy[], object: K8sObject | null, options: ReviewOptions) {
  return validateAdmission(review(object, options), { policies, cluster: cluster(), now: NOW }).response;
}

/** A ReplicaSet from Docker Hub (outside allowedRegistries), as the deployment controller scales it. */
const replicaSet = (replicas: number, image = "docker.io/library/nginx:1.27"): K8sObject => ({
  apiVersion: "apps/v1",
  kind: "ReplicaSet",
  metadata: { name: "web-5d8f", namespace: "default" },
  spec: { replicas, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image }] } } },
});

/** A privileged pod on `latest` with a finalizer, in a tenant namespace, placed on green's nodes. */
function legacyPod(metadata: Record<string, unknown> = {}): K8sObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p1", namespace: "blue-app", finalizers: ["example.com/cleanup"], ...metadata },
    spec: {
      nodeSelector: { "node-restriction.kubernetes.io/tenant": "green" },
      tolerations: [{ key: "palisade.dev/tenant", operator: "Equal", value: "green", effect: "NoSchedule" }],
      containers: [{ name: "c", image: "nginx:latest", securityContext: { privileged: true }, env: [{ name: "DB_PASSWORD", value: "pa55word" }] }],
    },
  };
}
const RS = { kind: "ReplicaSet", username: "system:serviceaccount:kube-system:deployment-controller" };

describe("images: an update is judged only on the images it brings", () => {
  it("lets the deployment controller scale a ReplicaSet whose image predates allowedRegistries", () => {
    expect(judge([images], replicaSet(1), { ...RS, operation: "UPDATE", oldObject: replicaSet(3) })).toEqual({ uid: expect.any(String), allowed: true });
  });

  it("still refuses a changed image, and a new one in a CREATE, naming only that container", () => {
    const denied = judge([images], replicaSet(3, "docker.io/library/nginx:1.28"), { ...RS, operation: "UPDATE", oldObject: replicaSet(3) });
    expect(denied.allowed).toBe(false);
    expect(denied.status?.message).toBe(
      'container "web" image "docker.io/library/nginx:1.28" is from docker.io/library/nginx, not an allowed registry (registry.example.com); container "web" image "docker.io/library/nginx:1.28" is not pinned by digest (@sha256:...)',
    );
    expect(judge([images], replicaSet(3), { ...RS, operation: "CREATE" }).allowed).toBe(false);
  });

  it("judges a debug container added through pods/ephemeralcontainers, not the pod's old containers", () => {
    const before = legacyPod();
    const spec = before.spec as Record<string, unknown>;
    const debug = { ...before, spec: { ...spec, ephemeralContainers: [{ name: "debug", image: `registry.example.com/tools:1${DIGEST}` }] } };
    expect(judge([images], debug, { operation: "UPDATE", oldObject: before, subResource: "ephemeralcontainers" }).allowed).toBe(true);
    const busybox = { ...before, spec: { ...spec, ephemeralContainers: [{ name: "debug", image: "busybox" }] } };
    const denied = judge([images], busybox, { operation: "UPDATE", oldObject: before, subResource: "ephemeralcontainers" });
    expect(denied.status?.message).toMatch(/^container "debug" image "busybox" is from docker.io\/library\/busybox/);
  });
});

describe("tenancy: an update is refused only for placement it changes", () => {
  it("lets a pod placed on another tenant's nodes before the policy drop its finalizer", () => {
    const gone = legacyPod({ finalizers: [], deletionTimestamp: "2026-11-30T10:00:00Z" });
    expect(judge([tenancy], gone, { operation: "UPDATE", oldObject: legacyPod({ deletionTimestamp: "2026-11-30T10:00:00Z" }) }).allowed).toBe(true);
  });

  it("refuses a toleration the update adds, and only that one", () => {
    const before = legacyPod();
    const spec = before.spec as { tolerations: unknown[] };
    const more = { ...before, spec: { ...spec, tolerations: [{ key: "palisade.dev/tenant", operator: "Exists" }, ...spec.tolerations] } };
    const denied = judge([tenancy], more, { operation: "UPDATE", oldObject: before });
    expect(denied.allowed).toBe(false);
    expect(denied.status?.message).toBe('toleration 0 tolerates tenant "green"\'s taint palisade.dev/tenant=green:NoSchedule (tolerations[0])');
  });
});

describe("PodSecurityPolicy: an update that leaves spec and annotations alone is not judged again", () => {
  it("lets a privileged pod admitted before the policy change its labels and drop its finalizer", () => {
    const relabelled = legacyPod({ labels: { x: "y" }, finalizers: [] });
    expect(judge([psp], relabelled, { operation: "UPDATE", oldObject: legacyPod() }).allowed).toBe(true);
  });

  it("still judges an update that changes the spec, and every CREATE", () => {
    const before = legacyPod();
    const spec = before.spec as { containers: Record<string, unknown>[] };
    const newer = { ...before, spec: { ...spec, containers: [{ ...spec.containers[0], image: "nginx:1.28" }] } };
    expect(judge([psp], newer, { operation: "UPDATE", oldObject: before }).allowed).toBe(false);
    expect(judge([psp], legacyPod(), { operation: "CREATE" }).allowed).toBe(false);
  });
});

describe("the other policies already judged only what changed (kept that way)", () => {
  it("Pod Security, NodeRestriction and secrets admit a finalizer removal, a label update and a DELETE", () => {
    for (const policy of [psa, nodeRestrictionPolicy("enforce"), secretsPolicy("enforce")]) {
      expect(judge([policy], legacyPod({ labels: { x: "y" }, finalizers: [] }), { operation: "UPDATE", oldObject: legacyPod() }).allowed).toBe(true);
      expect(judge([policy], null, { operation: "DELETE", oldObject: legacyPod() }).allowed).toBe(true);
    }
    // The same pod as a CREATE is refused by each, so the admissions above mean something.
    expect(judge([psa], legacyPod(), { operation: "CREATE" }).allowed).toBe(false);
    expect(judge([secretsPolicy("enforce")], legacyPod(), { operation: "CREATE" }).allowed).toBe(false);
  });
});

describe("property: an UPDATE that changes nothing a policy governs is allowed by every policy", () => {
  const meta = fc.record({
    labels: fc.dictionary(fc.constantFrom("app", "x", "team"), fc.constantFrom("a", "b")),
    finalizers: fc.array(fc.constantFrom("example.com/cleanup", "kubernetes.io/pv-protection"), { maxLength: 2 }),
    deletionTimestamp: fc.option(fc.constant("2026-11-30T10:00:00Z"), { nil: undefined }),
    ownerReferences: fc.array(fc.record({ apiVersion: fc.constant("apps/v1"), kind: fc.constant("ReplicaSet"), name: fc.constantFrom("a", "b"), uid: fc.constantFrom("1", "2") }), { maxLength: 1 }),
  });
  // Anything a policy may refuse: registries, tags, privilege, host namespaces, foreign placement, inline credentials.
  const container = fc.record({
    name: fc.constantFrom("a", "b"),
    image: fc.constantFrom("nginx", "nginx:latest", "docker.io/x/y:1", `registry.example.com/app${DIGEST}`, "NOT A REF"),
    securityContext: fc.option(fc.record({ privileged: fc.boolean() }), { nil: undefined }),
    env: fc.option(fc.constant([{ name: "API_TOKEN", value: "t0ken-t0ken" }]), { nil: undefined }),
  });
  const spec = fc.record({
    containers: fc.uniqueArray(container, { minLength: 1, maxLength: 2, selector: (c) => c.name }),
    hostNetwork: fc.option(fc.boolean(), { nil: undefined }),
    nodeSelector: fc.option(fc.constant({ "node-restriction.kubernetes.io/tenant": "green" }), { nil: undefined }),
    tolerations: fc.option(fc.constant([{ key: "palisade.dev/tenant", operator: "Exists" }]), { nil: undefined }),
  });
  const strip = <T extends Record<string, unknown>>(o: T): T => JSON.parse(JSON.stringify(o)) as T;

  it("pods and ReplicaSets, in a tenant namespace or not, scaled, relabelled or finalized", () => {
    fc.assert(
      fc.property(spec, meta, meta, fc.constantFrom("blue-app", "default"), fc.boolean(), fc.nat(5), fc.nat(5), (podSpec, before, after, ns, asPod, r1, r2) => {
        const make = (m: Record<string, unknown>, replicas: number): K8sObject =>
          strip(
            asPod
              ? { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: ns, ...m }, spec: podSpec, status: { phase: replicas > 2 ? "Running" : "Pending" } }
              : { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "rs", namespace: ns, ...m }, spec: { replicas, template: { metadata: { labels: { app: "web" } }, spec: podSpec } } },
          );
        const kind = asPod ? "Pod" : "ReplicaSet";
        const update = judge(ALL, make(after, r2), { kind, operation: "UPDATE", oldObject: make(before, r1) });
        expect(update.allowed, JSON.stringify(update.status)).toBe(true);
        expect(judge(ALL, null, { kind, operation: "DELETE", oldObject: make(before, r1) }).allowed).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
