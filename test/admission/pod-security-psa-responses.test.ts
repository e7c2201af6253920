/**
 * Palisade's Pod Security answers against upstream Pod Security Admission, request by
 * request (k8s.io/pod-security-admission admission.go, response.go and their tests): the
 * statuses' exact messages and details, the audit annotation keys, exemptions, a namespace
 * that does not exist, and the existing-pod warnings on a namespace label change.
 */
import { describe, expect, it } from "vitest";
import { ClusterState } from "../../src/admission/cluster-state.js";
import { validateAdmission } from "../../src/admission/pipeline.js";
import { podSecurityPolicy, type PodSecuritySettings } from "../../src/admission/policies/pod-security.js";
import { existingPodWarnings } from "../../src/admission/policies/pod-security-existing-pods.js";
import type { K8sObject } from "../../src/k8s/types.js";
import { LATEST } from "../../src/podsecurity/levels.js";
import { DEFAULT_POLICY } from "../../src/podsecurity/namespace-levels.js";
import { deployment, namespace, pod, restrictedPod, review } from "./fixtures.js";

const NOW = new Date("2026-06-01T00:00:00Z");
const CONTROLLER = "system:serviceaccount:kube-system:replicaset-controller";
const settings: PodSecuritySettings = { defaults: DEFAULT_POLICY, exemptions: { usernames: ["ci-bot"], runtimeClasses: ["kata"], namespaces: ["kube-system"] } };
const RESTRICTED = { "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/audit": "restricted", "pod-security.kubernetes.io/warn": "restricted" };

function cluster(listed = false): ClusterState {
  const state = new ClusterState();
  const namespaces = [
    namespace("prod", RESTRICTED),
    namespace("kube-system", RESTRICTED),
    namespace("pinned-privileged", { "pod-security.kubernetes.io/enforce": "privileged", "pod-security.kubernetes.io/enforce-version": "v1.25" }),
    namespace("broken", { "pod-security.kubernetes.io/enforce": "strict" }),
    namespace("old", { "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/enforce-version": "v1.24" }),
  ];
  if (listed) state.replaceAll("Namespace", namespaces);
  else state.seed(namespaces);
  return state;
}

function run(request: ReturnType<typeof review>, state = cluster()) {
  return validateAdmission(request, { policies: [podSecurityPolicy(settings, "enforce")], cluster: state, now: NOW }).response;
}

const privileged = (name = "web", ns = "prod") => pod(name, ns, { containers: [{ name: "app", image: "nginx:1.27", securityContext: { privileged: true } }] });

describe("PSA's statuses", () => {
  it("denies with apierrors.NewForbidden's message and details", () => {
    const response = run(review(privileged()));
    expect(response.status).toEqual({
      status: "Failure",
      code: 403,
      reason: "Forbidden",
      message: expect.stringMatching(/^pods "web" is forbidden: violates PodSecurity "restricted:latest": privileged \(container "app" must not set securityContext.privileged=true\), /),
      details: { name: "web", kind: "pods" },
    });
  });

  it("names no pod when the request has no name (generateName)", () => {
    const response = run(review(privileged(), { name: "" }));
    expect(response.status?.message).toMatch(/^pods is forbidden: violates PodSecurity /);
    expect(response.status?.details).toEqual({ kind: "pods" });
  });

  it("refuses bad namespace labels with apierrors.NewInvalid's message and one cause per label", () => {
    const one = run(review(namespace("bad", { "pod-security.kubernetes.io/enforce": "strict" })));
    expect(one.status).toEqual({
      status: "Failure",
      code: 422,
      reason: "Invalid",
      message: 'Namespace "bad" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted',
      details: { name: "bad", kind: "Namespace", causes: [{ reason: "FieldValueInvalid", message: 'Invalid value: "strict": must be one of privileged, baseline, restricted', field: "metadata.labels[pod-security.kubernetes.io/enforce]" }] },
    });
    const two = run(review(namespace("bad", { "pod-security.kubernetes.io/enforce": "strict", "pod-security.kubernetes.io/warn-version": "1.25" })));
    expect(two.status?.message).toBe(
      'Namespace "bad" is invalid: [metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted, metadata.labels[pod-security.kubernetes.io/warn-version]: Invalid value: "1.25": must be "latest" or "v1.x"]',
    );
  });

  it("keeps an update that leaves the same bad labels, refuses one that changes them", () => {
    const old = namespace("bad", { "pod-security.kubernetes.io/enforce": "strict" });
    expect(run(review(namespace("bad", { "pod-security.kubernetes.io/enforce": "strict", team: "a" }), { operation: "UPDATE", oldObject: old })).allowed).toBe(true);
    expect(run(review(namespace("bad", { "pod-security.kubernetes.io/enforce": "strictest" }), { operation: "UPDATE", oldObject: old })).status?.code).toBe(422);
  });

  it("judges a pod in a namespace with bad labels at restricted, recording the parse error", () => {
    const response = run(review(pod("web", "broken")));
    expect(response.allowed).toBe(false);
    expect(response.auditAnnotations).toEqual({
      "pod-security-enforce-policy": "restricted:latest",
      "pod-security-error": 'Failed to parse policy: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted',
    });
  });

  it("answers an undecodable pod with BadRequest and the error annotation", () => {
    const response = run(review(namespace("x"), { kind: "Pod", namespace: "prod" }));
    expect(response.status).toEqual({ status: "Failure", code: 400, reason: "BadRequest", message: "failed to decode pod" });
    expect(response.auditAnnotations).toEqual({ "pod-security-error": "failed to decode pod" });
  });
});

describe("PSA's audit annotations", () => {
  it("records the enforced policy, and privileged:latest for an all-privileged namespace whatever its pinned version", () => {
    expect(run(review(restrictedPod("ok", "prod"))).auditAnnotations).toEqual({ "pod-security-enforce-policy": "restricted:latest" });
    expect(run(review(privileged("web", "pinned-privileged"))).auditAnnotations).toEqual({ "pod-security-enforce-policy": "privileged:latest" });
    expect(run(review(privileged())).auditAnnotations).toEqual({
      "pod-security-enforce-policy": "restricted:latest",
      "pod-security-audit-violations": expect.stringMatching(/^would violate PodSecurity "restricted:latest": privileged /),
    });
  });

  it("says why a request was exempt: namespace, user or runtimeClass", () => {
    expect(run(review(privileged("web", "kube-system"))).auditAnnotations).toEqual({ "pod-security-exempt": "namespace" });
    expect(run(review(privileged(), { username: "ci-bot" })).auditAnnotations).toEqual({ "pod-security-exempt": "user" });
    const kata = privileged();
    (kata.spec as Record<string, unknown>).runtimeClassName = "kata";
    expect(run(review(kata)).auditAnnotations).toEqual({ "pod-security-exempt": "runtimeClass" });
    const template = deployment("web", "prod", privileged().spec as Record<string, unknown>);
    expect(run(review(template, { username: "ci-bot" })).auditAnnotations).toEqual({ "pod-security-exempt": "user" });
  });

  it("exempts by the user making each request: a Deployment from an exempt user still gets its pods judged", () => {
    const template = deployment("web", "prod", privileged().spec as Record<string, unknown>);
    expect(run(review(template, { username: "ci-bot" })).warnings).toBeUndefined();
    expect(run(review(privileged(), { username: CONTROLLER })).allowed).toBe(false);
  });

  it("judges a dry-run request exactly as a real one", () => {
    expect(run(review(privileged(), { dryRun: true }))).toEqual({ ...run(review(privileged())), uid: expect.any(String) });
  });
});

describe("a namespace that does not exist", () => {
  it("is an internal error for a pod once the namespaces are listed, an audit note for a workload", () => {
    const state = cluster(true);
    const response = run(review(pod("web", "gone")), state);
    expect(response.status).toEqual({ status: "Failure", code: 500, reason: "InternalError", message: 'Internal error occurred: failed to lookup namespace "gone"' });
    expect(response.auditAnnotations).toEqual({ "pod-security-error": 'Internal error occurred: failed to lookup namespace "gone": namespaces "gone" not found' });
    const template = run(review(deployment("web", "gone", privileged().spec as Record<string, unknown>)), state);
    expect(template).toEqual({ uid: expect.any(String), allowed: true, auditAnnotations: { "pod-security-error": 'failed to lookup namespace "gone": namespaces "gone" not found' } });
  });

  it("takes the defaults while this server only knows what requests taught it", () => {
    expect(run(review(privileged("web", "unheard-of"))).allowed).toBe(true);
  });
});

describe("Windows pods and version pinning at admission", () => {
  const windows = (ns: string) => pod("win", ns, { os: { name: "windows" }, securityContext: { runAsNonRoot: true }, containers: [{ name: "app", image: "app:1" }] });
  it("skips the Linux-only restricted checks for a Windows pod from v1.25, not at a namespace pinned to v1.24", () => {
    expect(run(review(windows("prod"))).allowed).toBe(true);
    const old = run(review(windows("old")));
    expect(old.status?.message).toMatch(/^pods "win" is forbidden: violates PodSecurity "restricted:v1.24": allowPrivilegeEscalation != false/);
  });
});

describe("existing pods when the enforce level tightens (PSA's prioritizePods)", () => {
  const bad = (name: string, extra: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}): K8sObject => pod(name, "test", { hostNetwork: true, ...extra }, metadata);
  const owned = (name: string, uid: string) =>
    pod(name, "test", { containers: [{ name: "app", image: "a", securityContext: { privileged: true } }] }, { ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: `rs-${uid}`, uid, controller: true }] });
  const exemptRuntimeClass = (spec: Record<string, unknown>) => spec.runtimeClassName === "kata";
  const baseline = { level: "baseline" as const, version: LATEST };

  it("leaves exempt runtime classes out of the count and judges one pod per controller first", () => {
    const pods = [
      ...[1, 2, 3, 4].map((i) => bad(`exempt${i}`, { runtimeClassName: "kata" })),
      ...[1, 2, 3, 4].map((i) => owned(`rs1pod${i}`, "1")),
      ...[1, 2, 3, 4].map((i) => owned(`rs2pod${i}`, "2")),
      ...[1, 2, 3, 4].map((i) => bad(`unique${i}`)),
    ];
    expect(existingPodWarnings(pods, "test", baseline, exemptRuntimeClass, { maxPods: 4 })).toEqual([
      "new PodSecurity enforce level only checked against the first 4 of 12 existing pods",
      'existing pods in namespace "test" violate the new PodSecurity enforce level "baseline:latest"',
      "rs1pod1 (and 1 other pod): privileged",
      "unique1 (and 1 other pod): host namespaces",
    ]);
  });
});
