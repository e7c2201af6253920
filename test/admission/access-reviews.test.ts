/**
 * TokenReview and SubjectAccessReview answers judged as kube-apiserver's webhook clients read
 * them (k8s.io/apiserver plugin/pkg/authenticator/token/webhook and plugin/pkg/authorizer/webhook).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crossTenantSecretsGuardrail, productionExecGuardrail } from "../../src/admission/access/guardrails.js";
import { decideAccess, parseSubjectAccessReview, subjectAccessReviewResponse, type SubjectAccessRequest } from "../../src/admission/access/subject-access-review.js";
import { parseTokenReview, tokenReviewResponse } from "../../src/admission/access/token-review.js";
import type { Labels } from "../../src/k8s/labels.js";

/**
 * What the API server's token webhook client does with an answer when it asked for `wanted`
 * audiences and serves `own` (its --api-audiences): an answer without status.audiences counts
 * as valid for its own audiences only, and the two must intersect.
 */
function apiServerAccepts(wanted: string[], own: string[], status: { authenticated: boolean; audiences?: string[] }): boolean {
  const got = status.audiences && status.audiences.length > 0 ? status.audiences : own;
  if (wanted.length > 0 && !wanted.some((a) => got.includes(a))) return false;
  return status.authenticated;
}

const API_AUDIENCES = ["https://kubernetes.default.svc.cluster.local"];
const alice = { username: "alice", uid: "1001", groups: ["devs"], extra: { "scopes.example.com": ["read", "write"] } };

describe("TokenReview answers", () => {
  const review = (apiVersion: string, audiences?: string[]) => parseTokenReview({ apiVersion, kind: "TokenReview", spec: { token: "t0k", ...(audiences ? { audiences } : {}) } });

  it("leave status.audiences out: a token of an audience-agnostic authenticator is good for the API server's own audiences only", () => {
    for (const apiVersion of ["authentication.k8s.io/v1", "authentication.k8s.io/v1beta1"]) {
      // A TokenReview sent to kube-apiserver for another audience (say, Vault's) reaches the webhook with that audience.
      const forVault = tokenReviewResponse(review(apiVersion, ["vault"]), { authenticated: true, user: alice }) as { status: { authenticated: boolean; audiences?: string[] } };
      expect(forVault.status.audiences).toBeUndefined();
      expect(apiServerAccepts(["vault"], API_AUDIENCES, forVault.status)).toBe(false);
      const forApi = tokenReviewResponse(review(apiVersion, API_AUDIENCES), { authenticated: true, user: alice }) as { status: { authenticated: boolean; audiences?: string[] } };
      expect(apiServerAccepts(API_AUDIENCES, API_AUDIENCES, forApi.status)).toBe(true);
    }
  });

  it("answers in the request's version with the user as given (uid, extra values as lists) and no token", () => {
    const answer = tokenReviewResponse(review("authentication.k8s.io/v1beta1"), { authenticated: true, user: alice });
    expect(answer).toEqual({ apiVersion: "authentication.k8s.io/v1beta1", kind: "TokenReview", status: { authenticated: true, user: alice } });
    expect(JSON.stringify(tokenReviewResponse(review("authentication.k8s.io/v1"), { authenticated: false, reason: "token not found" }))).not.toContain("t0k");
  });
});

const namespaceLabels: Record<string, Labels> = {
  "blue-app": { tenant: "blue" },
  "green-app": { tenant: "green", env: "production" },
  sandbox: {},
};
const labelsOf = (name: string) => namespaceLabels[name];
const names = () => Object.keys(namespaceLabels);
const guardrails = [
  crossTenantSecretsGuardrail({ tenantLabel: "tenant", tenantGroupPrefix: "tenant:", namespaceLabels: labelsOf, namespaces: names }),
  productionExecGuardrail({ key: "env", value: "production" }, labelsOf, names),
];

function sar(resourceAttributes: Record<string, string>, groups: readonly string[] = ["tenant:blue"], apiVersion = "authorization.k8s.io/v1"): SubjectAccessRequest {
  return parseSubjectAccessReview({ apiVersion, kind: "SubjectAccessReview", spec: { user: "bob", [apiVersion.endsWith("v1beta1") ? "group" : "groups"]: groups, resourceAttributes } });
}
const decide = (request: SubjectAccessRequest) => decideAccess(request, guardrails, undefined);

describe("guardrails in SubjectAccessReview answers", () => {
  it('read "*" (all verbs, groups or resources) as covering what a guardrail forbids, as the SubjectAccessReview types define it', () => {
    for (const attributes of [
      { namespace: "green-app", verb: "*", group: "", resource: "secrets" },
      { namespace: "green-app", verb: "get", group: "*", resource: "secrets" },
      { namespace: "green-app", verb: "list", group: "", resource: "*" },
      { namespace: "green-app", verb: "*", group: "*", resource: "*" },
    ]) {
      const decision = decide(sar(attributes));
      expect(decision, JSON.stringify(attributes)).toMatchObject({ allowed: false, denied: true, rule: "no-cross-tenant-secret-read" });
    }
    for (const attributes of [
      { namespace: "green-app", verb: "*", group: "", resource: "pods", subresource: "exec" },
      { namespace: "green-app", verb: "create", group: "*", resource: "pods", subresource: "attach" },
      { namespace: "green-app", verb: "get", group: "", resource: "*", subresource: "exec" },
    ]) {
      expect(decide(sar(attributes, ["devs"])), JSON.stringify(attributes)).toMatchObject({ allowed: false, denied: true, rule: "no-exec-in-production" });
    }
  });

  it('reads namespace "" of pods/exec as every namespace, as it does for secrets', () => {
    const everywhere = decide(sar({ namespace: "", verb: "create", group: "", resource: "pods", subresource: "exec" }, ["devs"]));
    expect(everywhere).toMatchObject({ allowed: false, denied: true, rule: "no-exec-in-production" });
    expect(everywhere.reason).toContain("green-app");
  });

  it("gives no opinion (allowed and denied false) wherever no guardrail applies", () => {
    for (const [attributes, groups] of [
      [{ namespace: "blue-app", verb: "*", group: "", resource: "secrets" }, ["tenant:blue"]],
      [{ namespace: "green-app", verb: "delete", group: "", resource: "secrets" }, ["tenant:blue"]],
      [{ namespace: "green-app", verb: "get", group: "apps", resource: "secrets" }, ["tenant:blue"]],
      [{ namespace: "green-app", verb: "get", group: "", resource: "secrets" }, ["devs"]],
      [{ namespace: "blue-app", verb: "create", group: "", resource: "pods", subresource: "exec" }, ["devs"]],
      [{ namespace: "green-app", verb: "create", group: "", resource: "pods", subresource: "log" }, ["devs"]],
      [{ namespace: "green-app", verb: "create", group: "", resource: "pods" }, ["devs"]],
      [{ namespace: "", verb: "list", group: "", resource: "pods" }, ["devs"]],
    ] as const) {
      const decision = decide(sar(attributes, [...groups]));
      expect(decision, JSON.stringify(attributes)).toMatchObject({ allowed: false, denied: false });
      const answer = subjectAccessReviewResponse(sar(attributes, [...groups]), decision) as { status: Record<string, unknown> };
      expect(answer.status.denied).toBeUndefined();
    }
  });

  it("judge a review with field or label selectors (1.31+) as the unlimited request: selectors only narrow it", () => {
    const attributes = { namespace: "", verb: "list", group: "", resource: "secrets" };
    const selectors = {
      fieldSelector: { requirements: [{ key: "metadata.namespace", operator: "In", values: ["blue-app"] }] },
      labelSelector: { rawSelector: "app=web" },
    };
    const narrowed = parseSubjectAccessReview({ apiVersion: "authorization.k8s.io/v1", kind: "SubjectAccessReview", spec: { user: "bob", groups: ["tenant:blue"], resourceAttributes: { ...attributes, ...selectors } } });
    expect(decide(narrowed)).toEqual(decide(sar(attributes)));
    expect(decide(narrowed)).toMatchObject({ denied: true });
  });

  it("never denies a request that no wildcard-free request it covers would be denied for (property)", () => {
    const verbs = ["get", "list", "watch", "create", "delete", "*"];
    const resources = ["secrets", "pods", "configmaps", "*"];
    fc.assert(
      fc.property(fc.constantFrom(...names(), ""), fc.constantFrom(...verbs), fc.constantFrom("", "apps", "*"), fc.constantFrom(...resources), fc.constantFrom("", "exec", "attach", "log"), fc.constantFrom(["tenant:blue"], ["devs"]), (namespace, verb, group, resource, subresource, groups) => {
        const request = sar({ namespace, verb, group, resource, subresource }, groups);
        const expand = (value: string, all: string[]) => (value === "*" ? all.filter((v) => v !== "*") : [value]);
        const concrete = expand(verb, verbs).flatMap((v) => expand(group, ["", "apps"]).flatMap((g) => expand(resource, resources).flatMap((r) => (namespace === "" ? names() : [namespace]).map((n) => sar({ namespace: n, verb: v, group: g, resource: r, subresource }, groups)))));
        expect(decide(request).denied).toBe(concrete.some((c) => decide(c).denied));
      }),
      { numRuns: 300 },
    );
  });
});
