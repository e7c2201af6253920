import { describe, expect, it } from "vitest";
import { ClusterState } from "../../src/admission/cluster-state.js";
import type { AdmissionException } from "../../src/admission/exceptions.js";
import { validateAdmission } from "../../src/admission/pipeline.js";
import type { PolicyMode } from "../../src/admission/policy.js";
import { podSecurityPolicy, type PodSecuritySettings } from "../../src/admission/policies/pod-security.js";
import { DEFAULT_POLICY } from "../../src/podsecurity/namespace-levels.js";
import { deployment, namespace, pod, restrictedPod, review } from "./fixtures.js";

const NOW = new Date("2026-06-01T00:00:00Z");
const settings: PodSecuritySettings = { defaults: DEFAULT_POLICY, exemptions: { usernames: ["system:serviceaccount:kube-system:replicaset-controller"], runtimeClasses: ["kata"], namespaces: ["kube-system"] } };

function cluster(): ClusterState {
  const state = new ClusterState();
  state.seed([
    namespace("prod", { "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/warn": "restricted", "pod-security.kubernetes.io/audit": "restricted" }),
    namespace("kube-system", { "pod-security.kubernetes.io/enforce": "restricted" }),
    namespace("open"),
  ]);
  return state;
}

function run(request: ReturnType<typeof review>, options: { mode?: PolicyMode; state?: ClusterState; exceptions?: AdmissionException[] } = {}) {
  return validateAdmission(request, { policies: [podSecurityPolicy(settings, options.mode ?? "enforce")], cluster: options.state ?? cluster(), exceptions: options.exceptions ?? [], now: NOW });
}

const privileged = () => pod("web", "prod", { containers: [{ name: "app", image: "nginx:1.27", securityContext: { privileged: true } }] });

describe("pod security policy (PSA flow)", () => {
  it("denies a violating pod with PSA's message, code 403 Forbidden", () => {
    const { response } = run(review(privileged()));
    expect(response.allowed).toBe(false);
    expect(response.status?.code).toBe(403);
    expect(response.status?.reason).toBe("Forbidden");
    expect(response.status?.message).toMatch(/^pods "web" is forbidden: violates PodSecurity "restricted:latest": /);
    expect(response.status?.message).toContain('privileged (container "app" must not set securityContext.privileged=true)');
    expect(response.warnings).toBeUndefined();
    expect(response.auditAnnotations?.["pod-security-audit-violations"]).toMatch(/^would violate PodSecurity "restricted:latest": /);
  });

  it("allows a restricted pod with no warnings, recording the enforced policy as PSA does", () => {
    const { response } = run(review(restrictedPod("ok", "prod")));
    expect(response).toEqual({ uid: expect.any(String), allowed: true, auditAnnotations: { "pod-security-enforce-policy": "restricted:latest" } });
  });

  it("only warns and audits workload templates, never denies them", () => {
    const d = deployment("web", "prod", privileged().spec as Record<string, unknown>);
    const { response } = run(review(d));
    expect(response.allowed).toBe(true);
    expect(response.warnings?.[0]).toMatch(/^would violate PodSecurity "restricted:latest": .*privileged/);
  });

  it("judges a workload's template without the hostPort a Pod on the host network is given (not defaulted in templates since 1.28), and the Pod with it", () => {
    const spec = { hostNetwork: true, containers: [{ name: "app", image: "nginx:1.27", ports: [{ containerPort: 8080 }] }] };
    const fromTemplate = run(review(deployment("web", "prod", spec)));
    expect(fromTemplate.response.warnings?.[0]).toMatch(/^would violate PodSecurity "restricted:latest": host namespaces \(hostNetwork=true\), /);
    expect(fromTemplate.response.warnings?.[0]).not.toContain("hostPort");
    const fromPod = run(review(pod("web", "prod", spec)));
    expect(fromPod.response.status?.message).toContain('hostPort (container "app" uses hostPort 8080)');
  });

  it("honours exempt namespaces, usernames and runtime classes", () => {
    expect(run(review(pod("x", "kube-system", { containers: [{ name: "a", image: "a", securityContext: { privileged: true } }] }))).response.allowed).toBe(true);
    expect(run(review(privileged(), { username: "system:serviceaccount:kube-system:replicaset-controller" })).response.allowed).toBe(true);
    const kata = privileged();
    (kata.spec as Record<string, unknown>).runtimeClassName = "kata";
    expect(run(review(kata)).response.allowed).toBe(true);
  });

  it("allows updates that change no significant field, judges image changes", () => {
    const before = privileged();
    const relabelled = structuredClone(before);
    relabelled.metadata!.labels = { tier: "web" };
    expect(run(review(relabelled, { operation: "UPDATE", oldObject: before })).response.allowed).toBe(true);
    const newImage = structuredClone(before);
    ((newImage.spec as { containers: { image: string }[] }).containers[0]!).image = "nginx:1.28";
    expect(run(review(newImage, { operation: "UPDATE", oldObject: before })).response.allowed).toBe(false);
  });

  it("ignores pod subresources except ephemeralcontainers", () => {
    expect(run(review(privileged(), { operation: "UPDATE", oldObject: privileged(), subResource: "status" })).response.allowed).toBe(true);
    const withDebug = privileged();
    const base = restrictedPod("web", "prod");
    const debug = structuredClone(base);
    (debug.spec as Record<string, unknown>).ephemeralContainers = [{ name: "debug", image: "busybox", securityContext: { privileged: true } }];
    void withDebug;
    const { response } = run(review(debug, { operation: "UPDATE", oldObject: base, subResource: "ephemeralcontainers" }));
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toContain('container "debug"');
  });

  it("refuses invalid namespace labels with 422 Invalid", () => {
    const { response } = run(review(namespace("bad", { "pod-security.kubernetes.io/enforce": "strict" })));
    expect(response.allowed).toBe(false);
    expect(response.status?.code).toBe(422);
    expect(response.status?.reason).toBe("Invalid");
  });

  it("warns about existing pods when a namespace's enforce level tightens (as far as the server knows)", () => {
    const state = cluster();
    state.seed([pod("b-pod", "open", { hostNetwork: true }), pod("a-pod", "open", { hostNetwork: true }), restrictedPod("good", "open")]);
    const next = namespace("open", { "pod-security.kubernetes.io/enforce": "baseline" });
    const { response } = run(review(next, { operation: "UPDATE", oldObject: namespace("open") }), { state });
    expect(response.allowed).toBe(true);
    expect(response.warnings).toEqual(['existing pods in namespace "open" violate the new PodSecurity enforce level "baseline:latest"', "a-pod (and 1 other pod): host namespaces"]);
  });

  it("downgrades a denial to a warning in warn mode, to an audit annotation in audit mode, to nothing in dry-run", () => {
    const warn = run(review(privileged()), { mode: "warn" }).response;
    expect(warn.allowed).toBe(true);
    expect(warn.warnings?.some((w) => w.startsWith('pods "web" is forbidden: violates PodSecurity "restricted:latest"'))).toBe(true);
    const audit = run(review(privileged()), { mode: "audit" }).response;
    expect(audit.allowed).toBe(true);
    expect(audit.auditAnnotations?.["pod-security-violations"]).toMatch(/^pods "web" is forbidden: violates PodSecurity/);
    const dry = run(review(privileged()), { mode: "dry-run" });
    expect(dry.response.allowed).toBe(true);
    expect(dry.response.warnings).toBeUndefined();
    // The namespace audits at restricted too: dry-run must not leak that annotation either.
    expect(dry.response.auditAnnotations).toBeUndefined();
    expect(dry.records.some((r) => r.outcome === "dry-run" && r.rule === "privileged")).toBe(true);
  });

  it("applies a live exception for one check and container, not an expired one", () => {
    const onlyPrivileged = pod("web", "prod", {
      securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
      containers: [{ name: "app", image: "a", securityContext: { privileged: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }],
    });
    const exception: AdmissionException = { id: "legacy", policy: "pod-security", rule: "privileged", namespace: "prod", container: "app", owner: "team", reason: "vendor", expires: new Date("2026-12-31") };
    const allowed = run(review(onlyPrivileged), { exceptions: [exception] });
    expect(allowed.response.allowed).toBe(true);
    expect(allowed.exceptionsUsed).toEqual(["legacy"]);
    const expired = run(review(onlyPrivileged), { exceptions: [{ ...exception, expires: new Date("2026-01-01") }] });
    expect(expired.response.allowed).toBe(false);
  });

  it("takes a pod's owner references as its workload only from the controllers that set them", () => {
    // A pod as the ReplicaSet of Deployment "web" makes it; anyone who may create pods could write the same references.
    const replica = pod(
      "web-5d8f-x2x2",
      "prod",
      { containers: [{ name: "app", image: "a", securityContext: { privileged: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } } }] },
      { labels: { "pod-template-hash": "5d8f" }, ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-5d8f", uid: "rs-1", controller: true }] },
    );
    const exception: AdmissionException = { id: "web-privileged", policy: "pod-security", rule: "privileged", namespace: "prod", workload: { kind: "Deployment", name: "web" }, owner: "team", reason: "vendor", expires: new Date("2026-12-31") };
    const by = (username: string) => run(review(replica, { username, groups: ["system:serviceaccounts", "system:authenticated"] }), { exceptions: [exception] });
    expect(by("system:serviceaccount:kube-system:replicaset-controller").response.allowed).toBe(true);
    expect(by("system:kube-controller-manager").response.allowed).toBe(true);
    const forged = by("mallory");
    expect(forged.response.allowed).toBe(false);
    expect(forged.exceptionsUsed).toEqual([]);
  });
});
