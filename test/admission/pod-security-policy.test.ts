import { describe, expect, it } from "vitest";
import { parsePodSecurityPolicies } from "../../src/admission/config.js";
import { applyPatch, mutateAdmission, validateAdmission } from "../../src/admission/pipeline.js";
import { podSecurityPolicyPolicy } from "../../src/admission/policies/pod-security-policy.js";
import { UserError } from "../../src/errors.js";
import type { JsonPatchOperation } from "../../src/findings/types.js";
import { pod, review } from "./fixtures.js";

const RESTRICTED = `apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata:
  name: restricted
spec:
  privileged: false
  allowPrivilegeEscalation: false
  defaultAllowPrivilegeEscalation: false
  requiredDropCapabilities: [ALL]
  volumes: [configMap, emptyDir, projected, secret, downwardAPI, persistentVolumeClaim]
  hostNetwork: false
  hostIPC: false
  hostPID: false
  runAsUser: { rule: MustRunAsNonRoot }
  seLinux: { rule: RunAsAny }
  supplementalGroups: { rule: MustRunAs, ranges: [{ min: 1, max: 65535 }] }
  fsGroup: { rule: MustRunAs, ranges: [{ min: 1, max: 65535 }] }
  readOnlyRootFilesystem: false
`;

const NOW = new Date("2026-06-01T00:00:00Z");
const policy = podSecurityPolicyPolicy(parsePodSecurityPolicies("psp.yaml", RESTRICTED), "enforce");
const input = { policies: [policy], now: NOW };

describe("PodSecurityPolicy policy", () => {
  it("defaults a pod on /mutate so that /validate admits it unchanged", () => {
    const p = pod("web", "default", { containers: [{ name: "app", image: "registry.example.com/app:1", securityContext: { runAsUser: 1000 } }] });
    const mutation = mutateAdmission(review(p), input);
    expect(mutation.response.patchType).toBe("JSONPatch");
    const ops = JSON.parse(Buffer.from(mutation.response.patch!, "base64").toString()) as JsonPatchOperation[];
    const mutated = applyPatch(p, ops);
    expect(mutated.metadata?.annotations?.["kubernetes.io/psp"]).toBe("restricted");
    expect(JSON.stringify(mutated)).toContain('"drop":["ALL"]');
    expect(validateAdmission(review(mutated), input).response.allowed).toBe(true);
    // The unmutated pod is not admissible as is: validation may not change it.
    expect(validateAdmission(review(p), input).response.allowed).toBe(false);
  });

  it("refuses a privileged pod with upstream's message", () => {
    const p = pod("bad", "default", { containers: [{ name: "app", image: "x", securityContext: { privileged: true } }] });
    expect(mutateAdmission(review(p), input).response.patch).toBeUndefined();
    const { response } = validateAdmission(review(p), input);
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toMatch(/^PodSecurityPolicy: unable to admit pod: \[.*privileged/);
  });

  it("ignores subresources and non-pod objects, as the plugin does", () => {
    const p = pod("bad", "default", { containers: [{ name: "app", image: "x", securityContext: { privileged: true } }] });
    expect(validateAdmission(review(p, { operation: "UPDATE", oldObject: p, subResource: "status" }), input).response.allowed).toBe(true);
  });

  it("rejects an invalid policy file with its position", () => {
    expect(() => parsePodSecurityPolicies("psp.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")).toThrow(UserError);
    try {
      parsePodSecurityPolicies("psp.yaml", `---\n${RESTRICTED}---\napiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: broken}\nspec: {runAsUser: {rule: Sometimes}}\n`);
      expect.unreachable();
    } catch (err) {
      expect((err as UserError).describe()).toMatch(/^psp\.yaml:2[0-9]:1: PodSecurityPolicy broken: /);
    }
  });
});
