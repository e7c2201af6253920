/** Admission webhook registrations: the ways a policy webhook lets requests past it. */
import { describe, expect, it } from "vitest";
import { checkControlPlane } from "../../src/hardening/family.js";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { emptySnapshot } from "../../src/k8s/snapshot.js";

function judge(text: string) {
  const snapshot = { ...emptySnapshot(), objects: parseYamlFile("webhooks.yaml", text).objects };
  // These registrations leave caBundle out to keep to the rule at hand; webhook-ca-bundle-missing.test.ts judges that.
  return checkControlPlane(snapshot)
    .filter((f) => f.ruleId !== "webhook/ca-bundle-missing")
    .map((f) => `${f.ruleId} ${f.severity} ${f.fieldPath}`);
}

const registration = (kind: string, webhook: string) => `apiVersion: admissionregistration.k8s.io/v1
kind: ${kind}
metadata: {name: policy}
webhooks:
- name: ok.policy.example.com
  admissionReviewVersions: [v1]
  sideEffects: None
  clientConfig: {service: {name: policy, namespace: policy-system}}
  rules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [pods]}]
  namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [policy-system]}]}
- name: under-test.policy.example.com
  admissionReviewVersions: [v1]
  sideEffects: None
  clientConfig: {service: {name: policy, namespace: policy-system}}
  rules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}]
${webhook}`;

describe("admission webhook registrations", () => {
  it("finds nothing in a fail-closed webhook that selects by namespace name (the v1 defaults)", () => {
    expect(judge(registration("ValidatingWebhookConfiguration", ""))).toEqual([]);
  });

  it("fail-open: medium for a validating webhook, low for a mutating one", () => {
    expect(judge(registration("ValidatingWebhookConfiguration", "  failurePolicy: Ignore\n"))).toEqual(["webhook/fail-open medium webhooks[1].failurePolicy"]);
    expect(judge(registration("MutatingWebhookConfiguration", "  failurePolicy: Ignore\n"))).toEqual(["webhook/fail-open low webhooks[1].failurePolicy"]);
  });

  it("an objectSelector on labels authors set is a way around it; one on the name the API server sets is not", () => {
    expect(judge(registration("ValidatingWebhookConfiguration", "  objectSelector: {matchExpressions: [{key: policy.example.com/skip, operator: DoesNotExist}]}\n"))).toEqual(["webhook/object-selector medium webhooks[1].objectSelector"]);
    expect(judge(registration("ValidatingWebhookConfiguration", "  objectSelector: {matchLabels: {team: payments}}\n"))).toEqual(["webhook/object-selector medium webhooks[1].objectSelector"]);
    expect(judge(registration("ValidatingWebhookConfiguration", "  objectSelector: {matchLabels: {kubernetes.io/metadata.name: x}}\n"))).toEqual([]);
    expect(judge(registration("ValidatingWebhookConfiguration", "  objectSelector: {}\n"))).toEqual([]);
  });

  it("matchPolicy Exact and a plain-HTTP URL", () => {
    expect(judge(registration("ValidatingWebhookConfiguration", "  matchPolicy: Exact\n"))).toEqual(["webhook/exact-match low webhooks[1].matchPolicy"]);
    const http = registration("ValidatingWebhookConfiguration", "").replace(/(- name: under-test[\s\S]*?)clientConfig: \{service: \{name: policy, namespace: policy-system\}\}/, "$1clientConfig: {url: \"http://policy.example.com/validate\"}");
    // The API server refuses the whole registration: medium, as every refusal.
    expect(judge(http)).toEqual(["webhook/plain-http medium webhooks[1].clientConfig.url"]);
    // A password written into the URL is a credential: the finding names the URL without it.
    const withPassword = http.replace("http://policy.example.com", "http://admin:hunter2-secret@policy.example.com");
    const messages = checkControlPlane({ ...emptySnapshot(), objects: parseYamlFile("webhooks.yaml", withPassword).objects })
      .filter((f) => f.ruleId !== "webhook/ca-bundle-missing")
      .map((f) => f.message);
    expect(messages).toEqual([expect.stringContaining("(http://***@policy.example.com/validate)")]);
    expect(messages.join("\n")).not.toMatch(/hunter2|admin:/);
  });

  it("reads only admissionregistration.k8s.io/v1 registrations", () => {
    expect(judge(registration("ValidatingWebhookConfiguration", "  failurePolicy: Ignore\n").replace("admissionregistration.k8s.io/v1", "admissionregistration.k8s.io/v1beta1"))).toEqual([]);
  });
});
