/**
 * Empty lists and nulls as the PodSecurityPolicy admission plugin (Kubernetes v1.24 and
 * earlier) read them: a policy's `ranges: []` is no range at all, whatever the rule; a Pod's
 * `supplementalGroups: []` is a set (empty) list, unlike an absent or null one.
 */
import { describe, expect, it } from "vitest";
import { loadSnapshot } from "../../src/k8s/load.js";
import { admitPod } from "../../src/psp/admit.js";
import { checkWorkloads, loadPolicies } from "../../src/psp/check.js";
import { formatFieldError } from "../../src/psp/field-errors.js";
import { migratePolicy } from "../../src/psp/migrate.js";
import { mutateManifestText } from "../../src/psp/mutate-text.js";
import type { PodJson } from "../../src/psp/pod.js";
import { readPodSecurityPolicy } from "../../src/psp/policy.js";
import { createProvider } from "../../src/psp/provider.js";
import { validatePolicy } from "../../src/psp/validate.js";
import { pod, policy } from "./helpers.js";

const RANGE = [{ min: 100, max: 200 }];
const mustRunAs = { rule: "MustRunAs", ranges: RANGE };

function admit(spec: Record<string, unknown>, p: PodJson) {
  return admitPod([policy(spec, "groups")], { pod: p });
}

function policyErrors(spec: Record<string, unknown>): string[] {
  const { policy: psp, errors } = readPodSecurityPolicy({
    apiVersion: "policy/v1beta1", kind: "PodSecurityPolicy", metadata: { name: "p" },
    spec: { seLinux: { rule: "RunAsAny" }, runAsUser: { rule: "RunAsAny" }, supplementalGroups: { rule: "RunAsAny" }, fsGroup: { rule: "RunAsAny" }, ...spec },
  });
  return [...errors, ...validatePolicy(psp)].map(formatFieldError);
}

describe("a pod's supplementalGroups: [] is set, not absent", () => {
  it("MustRunAs fills in an absent or null list, and refuses an empty one it cannot check", () => {
    for (const unset of [undefined, null]) {
      const r = admit({ supplementalGroups: mustRunAs }, pod({ securityContext: { supplementalGroups: unset } }));
      expect(r.allowed).toBe(true);
      expect(r.pod.spec.securityContext?.supplementalGroups).toEqual([100]);
    }
    const empty = admit({ supplementalGroups: mustRunAs }, pod({ securityContext: { supplementalGroups: [] } }));
    expect(empty.allowed).toBe(false);
    expect(empty.refusals[0]?.errors.map(formatFieldError)).toEqual([
      "spec.securityContext.supplementalGroups: Invalid value: []: unable to validate empty groups against required ranges",
    ]);
  });

  it("MayRunAs and RunAsAny admit the empty list unchanged", () => {
    for (const rule of ["MayRunAs", "RunAsAny"]) {
      const r = admit({ supplementalGroups: { rule, ranges: RANGE } }, pod({ securityContext: { supplementalGroups: [] } }));
      expect(r).toMatchObject({ allowed: true, mutated: false });
    }
  });

  it("a null fsGroup, runAsGroup or readOnlyRootFilesystem is unset: defaulted, never checked as a value", () => {
    const spec = { fsGroup: mustRunAs, runAsGroup: mustRunAs, readOnlyRootFilesystem: true };
    const r = admit(spec, pod({ securityContext: { fsGroup: null, runAsGroup: null }, containers: [{ name: "app", image: "x", securityContext: { readOnlyRootFilesystem: null } }] }));
    expect(r.refusals.flatMap((x) => x.errors.map(formatFieldError))).toEqual([]);
    expect(r.allowed).toBe(true);
    expect(r.pod.spec.securityContext?.fsGroup).toBe(100);
    expect(r.pod.spec.containers?.[0]?.securityContext).toMatchObject({ runAsGroup: 100, readOnlyRootFilesystem: true });
  });
});

describe("a policy's ranges: [] is no range, for every rule", () => {
  const groups = ["supplementalGroups", "fsGroup"] as const;

  it("supplementalGroups and fsGroup pass validation, and MustRunAs or MayRunAs then cannot make a provider", () => {
    for (const field of groups) {
      for (const rule of ["MustRunAs", "MayRunAs"]) {
        for (const strategy of [{ rule, ranges: [] }, { rule }]) {
          expect(policyErrors({ [field]: strategy })).toEqual([]);
          expect(createProvider(policy({ [field]: strategy }, "empty"))).toEqual({ error: `error creating provider for PSP empty: ranges must be supplied for ${rule}` });
        }
      }
      expect(policyErrors({ [field]: { rule: "RunAsAny", ranges: RANGE } })).toEqual([]);
    }
  });

  it("runAsUser MustRunAs with no range passes validation and cannot make a provider", () => {
    expect(policyErrors({ runAsUser: { rule: "MustRunAs", ranges: [] } })).toEqual([]);
    expect(createProvider(policy({ runAsUser: { rule: "MustRunAs", ranges: [] } }, "empty"))).toEqual({ error: "error creating provider for PSP empty: MustRunAs requires at least one range" });
  });

  it("runAsGroup is refused by the API server: MustRunAs and MayRunAs need a range, RunAsAny takes none", () => {
    for (const rule of ["MustRunAs", "MayRunAs"]) {
      expect(policyErrors({ runAsGroup: { rule, ranges: [] } })).toEqual(["spec.runAsGroup.ranges: Invalid value: []: must provide at least one range"]);
      expect(policyErrors({ runAsGroup: { rule } })).toEqual(["spec.runAsGroup.ranges: Invalid value: []: must provide at least one range"]);
    }
    expect(policyErrors({ runAsGroup: { rule: "RunAsAny", ranges: [] } })).toEqual([]);
    expect(policyErrors({ runAsGroup: { rule: "RunAsAny", ranges: RANGE } })).toEqual(['spec.runAsGroup.ranges: Invalid value: [{"min":100,"max":200}]: Ranges must be empty']);
    expect(policyErrors({ runAsGroup: { rule: "Sometimes" } })).toEqual(['spec.runAsGroup.rule: Unsupported value: "Sometimes": supported values: "MustRunAs", "RunAsAny", "MayRunAs"']);
  });

  it("migrate says such a policy admitted no pod, and never prints a default it did not have", () => {
    const m = migratePolicy(policy({ supplementalGroups: { rule: "MustRunAs", ranges: [] }, fsGroup: { rule: "MayRunAs" } }, "empty"));
    expect(m.notes[0]).toMatch(/^the policy admitted no pod \(error creating provider for PSP empty: ranges must be supplied for MayRunAs; ranges must be supplied for MustRunAs\)/);
    expect(m.defaultedByPsp.join("\n")).not.toMatch(/supplementalGroups|undefined/);
    expect(m.looser.join("\n")).not.toMatch(/required \)/);
    const sound = migratePolicy(policy({ supplementalGroups: mustRunAs }, "sound"));
    expect(sound.defaultedByPsp).toContain("supplementalGroups [100] (where the pod sets none)");
    expect(sound.notes.join("\n")).not.toMatch(/admitted no pod/);
  });
});

const POLICY = `apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata: {name: groups}
spec:
  seLinux: {rule: RunAsAny}
  runAsUser: {rule: RunAsAny}
  fsGroup: {rule: RunAsAny}
  supplementalGroups: {rule: MustRunAs, ranges: [{min: 100, max: 200}]}
  volumes: ['*']
`;

const withEmptyGroups = (kind: "Pod" | "Deployment") =>
  kind === "Pod"
    ? "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ns}\nspec:\n  securityContext:\n    supplementalGroups: []\n  containers:\n  - {name: c, image: x}\n"
    : "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: ns}\nspec:\n  template:\n    spec:\n      securityContext:\n        supplementalGroups: []\n      containers:\n      - {name: c, image: x}\n";

describe("psp check and mutate agree on supplementalGroups: []", () => {
  const objects = async (text: string) => (await loadSnapshot({ paths: ["-"], stdinText: text })).objects;

  it("a Pod (sent as JSON, the empty list kept) is refused by both", async () => {
    const { policies } = loadPolicies(await objects(POLICY));
    const findings = checkWorkloads(policies, await objects(withEmptyGroups("Pod")));
    expect(findings.map((f) => [f.ruleId, f.message])).toEqual([
      ["psp/not-admitted", 'not admitted by PodSecurityPolicy "groups": spec.securityContext.supplementalGroups: Invalid value: []: unable to validate empty groups against required ranges'],
    ]);
    const mutated = mutateManifestText(withEmptyGroups("Pod"), policies);
    expect(mutated.documents.map((d) => d.result.allowed)).toEqual([false]);
    expect(mutated.text).toBe(withEmptyGroups("Pod"));
  });

  it("a Deployment's pods (made through protobuf, which keeps no empty list) are defaulted by both", async () => {
    const { policies } = loadPolicies(await objects(POLICY));
    const findings = checkWorkloads(policies, await objects(withEmptyGroups("Deployment")));
    expect(findings.map((f) => [f.ruleId, f.message])).toEqual([
      ["psp/admitted-after-defaulting", 'admitted by PodSecurityPolicy "groups" after it sets spec.securityContext.supplementalGroups[0]'],
    ]);
    const mutated = mutateManifestText(withEmptyGroups("Deployment"), policies);
    expect(mutated.documents.map((d) => d.result.allowed)).toEqual([true]);
    expect(mutated.text).toContain("supplementalGroups: [100]");
    expect(checkWorkloads(policies, await objects(mutated.text))).toEqual([]);
  });
});
