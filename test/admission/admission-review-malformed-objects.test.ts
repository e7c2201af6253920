/**
 * Objects the API server never sends (ObjectMeta of the wrong types, nesting past any
 * Kubernetes object) are refused when the AdmissionReview is read, with a 400 saying what is
 * wrong, instead of reaching a policy that trusts the types and answering 500 from a
 * TypeError or a stack overflow.
 */
import { describe, expect, it } from "vitest";
import { validateAdmission } from "../../src/admission/pipeline.js";
import { podSecurityPolicyPolicy } from "../../src/admission/policies/pod-security-policy.js";
import { nodeRestrictionPolicy } from "../../src/admission/policies/node-restriction.js";
import { parsePodSecurityPolicies } from "../../src/admission/config.js";
import { MAX_OBJECT_DEPTH, parseAdmissionReview, ReviewError } from "../../src/admission/review.js";
import type { K8sObject } from "../../src/k8s/types.js";
import { NON_ROOT_PSP, pod, reviewBody } from "./fixtures.js";

const policies = [podSecurityPolicyPolicy(parsePodSecurityPolicies("psp.yaml", NON_ROOT_PSP), "enforce"), nodeRestrictionPolicy("enforce")];

/** What the handler does with a body: read it, then judge it. */
function judge(body: Record<string, unknown>) {
  return validateAdmission(parseAdmissionReview(body), { policies, now: new Date(0) }).response;
}

function refusal(body: Record<string, unknown>): ReviewError {
  try {
    judge(body);
  } catch (err) {
    if (err instanceof ReviewError) return err;
    throw err;
  }
  throw new Error("the request was judged");
}

function nested(depth: number): unknown {
  let value: unknown = "leaf";
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

describe("AdmissionReview objects of impossible shapes", () => {
  it("refuses metadata fields of the wrong type with a 400 naming the field", () => {
    const named = pod("web", "prod", { containers: [{ name: "app", image: "nginx" }] });
    const annotations = refusal(reviewBody({ ...named, metadata: { ...named.metadata, annotations: "x" } as unknown as K8sObject["metadata"] }));
    expect([annotations.code, annotations.message]).toEqual([400, "request.object.metadata.annotations must be a map of strings"]);
    const labels = refusal(reviewBody({ ...named, metadata: { ...named.metadata, labels: { app: 5 } } as unknown as K8sObject["metadata"] }));
    expect(labels.message).toBe("request.object.metadata.labels must be a map of strings");
    const old = refusal(reviewBody(named, { operation: "UPDATE", oldObject: { ...named, metadata: "x" } as unknown as K8sObject }));
    expect(old.message).toBe("request.oldObject.metadata must be an object");
  });

  it("refuses objects nested deeper than any Kubernetes object, before a policy overflows the stack", () => {
    const taints = (spec: unknown): K8sObject => ({ apiVersion: "v1", kind: "Node", metadata: { name: "n1" }, spec });
    const body = reviewBody(taints({ taints: nested(20_000) }), { operation: "UPDATE", oldObject: taints({}), username: "system:node:n1", groups: ["system:nodes"] });
    const error = refusal(body);
    expect([error.code, error.message]).toEqual([400, `request.object is nested deeper than ${MAX_OBJECT_DEPTH} levels`]);
  });

  it("says which field a policy met of a type the API server never decodes, as a 400, when the policy fails on it", () => {
    // The PSP provider reads sysctls as a list: a string there fails it, which the API server's decoder would have refused first.
    const body = reviewBody(pod("web", "prod", { containers: [{ name: "app", image: "nginx", securityContext: { runAsNonRoot: true } }], securityContext: { sysctls: "kernel.shm_rmid_forced=1" } }));
    const error = refusal(body);
    expect([error.code, error.message]).toEqual([400, "request.object: spec.securityContext.sysctls is a string where Kubernetes expects a list of Sysctl: the API server refuses this object when decoding it, before any admission"]);
    // The value itself is never echoed.
    expect(error.message).not.toContain("shm_rmid");
  });

  it("still judges ordinary objects and ones nested well past any real kind", () => {
    expect(judge(reviewBody(pod("web", "prod", { containers: [{ name: "app", image: "nginx" }] }))).allowed).toBe(false);
    const deep = pod("web", "prod", { containers: [{ name: "app", image: "nginx", securityContext: { runAsNonRoot: true } }], x: nested(MAX_OBJECT_DEPTH - 5) });
    expect(judge(reviewBody(deep)).allowed).toBe(true);
  });
});
