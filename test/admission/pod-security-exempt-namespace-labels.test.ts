/**
 * A Namespace that is itself exempt (PodSecurityConfiguration exemptions.namespaces) and is
 * created or tightened with pod-security labels: upstream PSA (admission.go ValidateNamespace,
 * exemptNamespaceWarning) allows it with one warning that the labels will be ignored, and
 * records no `exempt` audit annotation (that one is for pods and workloads only).
 */
import { describe, expect, it } from "vitest";
import { validateAdmission } from "../../src/admission/pipeline.js";
import { podSecurityPolicy, type PodSecuritySettings } from "../../src/admission/policies/pod-security.js";
import { DEFAULT_POLICY } from "../../src/podsecurity/namespace-levels.js";
import { LATEST } from "../../src/podsecurity/levels.js";
import { namespace, review } from "./fixtures.js";

const NOW = new Date("2026-06-01T00:00:00Z");
const exemptions = { usernames: [], runtimeClasses: [], namespaces: ["kube-system"] };
const settings: PodSecuritySettings = { defaults: DEFAULT_POLICY, exemptions };

function run(request: ReturnType<typeof review>, config = settings) {
  return validateAdmission(request, { policies: [podSecurityPolicy(config, "enforce")], now: NOW }).response;
}

const RESTRICTED = { "pod-security.kubernetes.io/enforce": "restricted" };

describe("pod-security on an exempt namespace's own labels", () => {
  it("warns on a tightened enforce level, with no exemption audit annotation", () => {
    const response = run(review(namespace("kube-system", RESTRICTED), { operation: "UPDATE", oldObject: namespace("kube-system") }));
    expect(response.allowed).toBe(true);
    expect(response.auditAnnotations).toBeUndefined();
    expect(response.warnings).toEqual(['namespace "kube-system" is exempt from Pod Security, and the policy (enforce=restricted:latest) will be ignored']);
  });

  it("warns on create, naming only the non-privileged modes set by a label, enforce, audit, warn in order", () => {
    const labels = { "pod-security.kubernetes.io/warn": "baseline", "pod-security.kubernetes.io/audit-version": "v1.25", "pod-security.kubernetes.io/enforce": "restricted" };
    const config: PodSecuritySettings = { defaults: { ...DEFAULT_POLICY, audit: { level: "baseline", version: LATEST } }, exemptions };
    expect(run(review(namespace("kube-system", labels)), config).warnings).toEqual([
      'namespace "kube-system" is exempt from Pod Security, and the policy (enforce=restricted:latest, audit=baseline:v1.25, warn=baseline:latest) will be ignored',
    ]);
  });

  it("says nothing when the labels ask for no more than privileged or than the defaults", () => {
    expect(run(review(namespace("kube-system", { "pod-security.kubernetes.io/enforce": "privileged" }))).warnings).toBeUndefined();
    const config: PodSecuritySettings = { defaults: { ...DEFAULT_POLICY, enforce: { level: "restricted", version: LATEST } }, exemptions };
    expect(run(review(namespace("kube-system", RESTRICTED)), config).warnings).toBeUndefined();
    // Not exempt: a new namespace gets no warning at all.
    expect(run(review(namespace("team-a", RESTRICTED))).warnings).toBeUndefined();
  });
});
