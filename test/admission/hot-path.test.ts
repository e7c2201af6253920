/**
 * The shortcuts the webhook's hot path takes must not change a single answer: a policy's
 * appliesTo pre-check skips only requests the policy has nothing to say about, the response
 * template is byte for byte JSON.stringify, cached image parses give the same denials, and
 * the clock is read only when an exception is looked up.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parsePodSecurityPolicies, parseWebhookConfig } from "../../src/admission/config.js";
import { ClusterState } from "../../src/admission/cluster-state.js";
import { mutateAdmission, validateAdmission } from "../../src/admission/pipeline.js";
import { imagesPolicy } from "../../src/admission/policies/images.js";
import { podSecurityPolicyPolicy } from "../../src/admission/policies/pod-security-policy.js";
import type { AdmissionContext, AdmissionPolicy } from "../../src/admission/policy.js";
import { admissionReviewJson, admissionReviewResponse, type AdmissionResponse } from "../../src/admission/review.js";
import type { K8sObject } from "../../src/k8s/types.js";
import { repoRoot } from "../support/conformance.js";
import { deployment, namespace, NON_ROOT_PSP, pod, review } from "./fixtures.js";

const CONFIG = resolve(repoRoot, "examples/admission-config.yaml");
const readFile = (path: string, relativeTo: string) => {
  const file = resolve(dirname(relativeTo), path);
  return { file, text: readFileSync(file, "utf8") };
};
const config = parseWebhookConfig(CONFIG, readFileSync(CONFIG, "utf8"), readFile);
const policies: AdmissionPolicy[] = [...config.policies, podSecurityPolicyPolicy(parsePodSecurityPolicies("psp.yaml", NON_ROOT_PSP), "enforce")];

const cluster = new ClusterState();
cluster.seed([
  namespace("blue-app", { "palisade.dev/tenant": "blue", "pod-security.kubernetes.io/enforce": "restricted" }),
  namespace("green-app", { "palisade.dev/tenant": "green" }),
  { apiVersion: "v1", kind: "Node", metadata: { name: "node-1", labels: { "node-restriction.kubernetes.io/tenant": "green" } } },
]);

const objects: Record<string, (ns: string) => K8sObject> = {
  Pod: (ns) => pod("web", ns, { nodeName: "node-1", tolerations: [{ key: "palisade.dev/tenant", operator: "Equal", value: "green", effect: "NoSchedule" }], containers: [{ name: "app", image: "nginx:latest", securityContext: { privileged: true } }] }),
  Deployment: (ns) => deployment("web", ns, { containers: [{ name: "app", image: "docker.io/library/nginx" }] }),
  Node: () => ({ apiVersion: "v1", kind: "Node", metadata: { name: "node-1", labels: { "node-restriction.kubernetes.io/tenant": "blue" } } }),
  Namespace: () => namespace("blue-app", { "pod-security.kubernetes.io/enforce": "nonsense" }),
  Secret: (ns) => ({ apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: ns } }),
};

const requests = fc
  .record({
    kind: fc.constantFrom(...Object.keys(objects)),
    operation: fc.constantFrom("CREATE" as const, "UPDATE" as const, "DELETE" as const, "CONNECT" as const),
    subResource: fc.constantFrom("", "status", "ephemeralcontainers", "exec", "binding"),
    user: fc.constantFrom({ username: "alice", groups: ["devs"] }, { username: "system:node:node-1", groups: ["system:nodes"] }, { username: "system:node:node-2", groups: ["system:nodes"] }),
    ns: fc.constantFrom("blue-app", "green-app", "unknown"),
  })
  .map(({ kind, operation, subResource, user, ns }) => {
    const object = objects[kind]!(ns);
    return review(object, { operation, subResource, username: user.username, groups: [...user.groups], oldObject: operation === "UPDATE" || operation === "DELETE" ? object : null, namespace: ns });
  });

function context(request: ReturnType<typeof review>): AdmissionContext {
  return { request, cluster, excepted: () => false };
}

describe("policy pre-checks (appliesTo)", () => {
  it("skip only requests on which the policy would say nothing, on /validate and /mutate", () => {
    const seen = { skipped: 0, judged: 0 };
    fc.assert(
      fc.property(requests, (request) => {
        for (const policy of policies) {
          if (!policy.appliesTo) continue;
          if (policy.appliesTo(request)) {
            seen.judged++;
            continue;
          }
          seen.skipped++;
          expect(policy.validate(context(request))).toEqual({ deny: [], warn: [], audit: {} });
          expect(policy.mutate?.(context(request)) ?? []).toEqual([]);
        }
      }),
      { numRuns: 400 },
    );
    // Both branches must have been exercised, or the property proved nothing.
    expect(seen.skipped).toBeGreaterThan(0);
    expect(seen.judged).toBeGreaterThan(0);
  });

  it("give the pipeline the same decisions as judging every policy", () => {
    const withoutPrecheck = policies.map((p) => {
      const copy: AdmissionPolicy = { name: p.name, mode: p.mode, validate: (c) => p.validate(c) };
      if (p.mutate) copy.mutate = (c) => p.mutate!(c);
      return copy;
    });
    fc.assert(
      fc.property(requests, (request) => {
        const input = { cluster, now: new Date("2026-06-01T00:00:00Z") };
        expect(validateAdmission(request, { ...input, policies })).toEqual(validateAdmission(request, { ...input, policies: withoutPrecheck }));
        expect(mutateAdmission(request, { ...input, policies })).toEqual(mutateAdmission(request, { ...input, policies: withoutPrecheck }));
      }),
      { numRuns: 200 },
    );
  });
});

describe("AdmissionReview response text", () => {
  const plainResponses: fc.Arbitrary<AdmissionResponse> = fc.record({ uid: fc.string(), allowed: fc.boolean() });
  const fullResponses: fc.Arbitrary<AdmissionResponse> = fc.record(
    {
      uid: fc.string(),
      allowed: fc.boolean(),
      status: fc.record({ status: fc.constant("Failure" as const), code: fc.constantFrom(400, 403, 422), reason: fc.string(), message: fc.string() }),
      patch: fc.base64String(),
      patchType: fc.constant("JSONPatch" as const),
      warnings: fc.array(fc.string()),
      auditAnnotations: fc.dictionary(fc.string(), fc.string()),
    },
    { requiredKeys: ["uid", "allowed"] },
  );
  const responses = fc.oneof(plainResponses, fullResponses);

  it("is exactly JSON.stringify of the AdmissionReview, plain answers and full ones alike", () => {
    let plain = 0;
    fc.assert(
      fc.property(responses, (response) => {
        if (Object.keys(response).length === 2) plain++;
        expect(admissionReviewJson(response)).toBe(JSON.stringify(admissionReviewResponse(response)));
      }),
      { numRuns: 500 },
    );
    expect(admissionReviewJson({ uid: 'quote " and \u2028', allowed: true })).toBe(JSON.stringify(admissionReviewResponse({ uid: 'quote " and \u2028', allowed: true })));
    expect(plain).toBeGreaterThan(0);
  });
});

describe("image policy", () => {
  it("answers the same for an image it has already parsed, valid or not", () => {
    const policy = imagesPolicy({ allowedRegistries: ["registry.example.com"], requireDigest: true, forbidLatest: true }, "enforce");
    for (const image of ["nginx:latest", "registry.example.com/app:1", "Not A//Reference", `registry.example.com/app@sha256:${"a".repeat(64)}`]) {
      const request = review(pod("web", "default", { containers: [{ name: "app", image }] }));
      const first = policy.validate(context(request));
      expect(policy.validate(context(request))).toEqual(first);
      expect(first.deny.length > 0).toBe(!image.includes("@sha256:"));
    }
  });
});

describe("clock", () => {
  const denied = review(pod("web", "blue-app", { containers: [{ name: "app", image: "nginx:latest" }] }));

  it("is not read when no exception is configured", () => {
    const now = () => {
      throw new Error("clock read");
    };
    expect(validateAdmission(denied, { policies, cluster, now }).response.allowed).toBe(false);
  });

  it("is read once per request when exceptions are looked up, and decides whether they apply", () => {
    let reads = 0;
    const exception = { id: "web-images", policy: "images", rule: "*", namespace: "blue-app", owner: "team", reason: "migration", expires: new Date("2026-07-01T00:00:00Z") };
    const imagesOnly = policies.filter((p) => p.name === "images");
    const at = (iso: string) => () => {
      reads++;
      return new Date(iso);
    };
    const live = validateAdmission(denied, { policies: imagesOnly, cluster, exceptions: [exception], now: at("2026-06-01T00:00:00Z") });
    expect(live.response.allowed).toBe(true);
    expect(live.exceptionsUsed).toEqual(["web-images"]);
    expect(reads).toBe(1);
    const expired = validateAdmission(denied, { policies: imagesOnly, cluster, exceptions: [exception], now: at("2026-08-01T00:00:00Z") });
    expect(expired.response.allowed).toBe(false);
    expect(reads).toBe(2);
  });
});
