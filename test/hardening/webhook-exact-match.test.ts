/** matchPolicy: Exact matters only where a rule leaves out some group or version. */
import { describe, expect, it } from "vitest";
import { checkControlPlane } from "../../src/hardening/family.js";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { emptySnapshot } from "../../src/k8s/snapshot.js";

function exactMatchFindings(rules: string): string[] {
  const text = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: policy}
webhooks:
- name: policy.example.com
  admissionReviewVersions: [v1]
  sideEffects: None
  matchPolicy: Exact
  clientConfig: {service: {name: policy, namespace: policy-system}}
  rules:
${rules}`;
  const snapshot = { ...emptySnapshot(), objects: parseYamlFile("webhooks.yaml", text).objects };
  return checkControlPlane(snapshot)
    .filter((f) => f.ruleId === "webhook/exact-match")
    .map((f) => `${f.severity} ${f.fieldPath}`);
}

describe("webhook/exact-match", () => {
  it("is silent when every rule names every group and every version (Gatekeeper's registration)", () => {
    expect(exactMatchFindings(`  - {apiGroups: ["*"], apiVersions: ["*"], operations: [CREATE, UPDATE], resources: ["*"]}
  - {apiGroups: ["*"], apiVersions: ["*"], operations: [CREATE], resources: [pods]}`)).toEqual([]);
  });

  it("reports a rule that names some versions or some groups, even beside a wildcard one", () => {
    expect(exactMatchFindings(`  - {apiGroups: [apps], apiVersions: ["*"], operations: [CREATE], resources: [deployments]}`)).toEqual(["low webhooks[0].matchPolicy"]);
    expect(exactMatchFindings(`  - {apiGroups: ["*"], apiVersions: [v1], operations: [CREATE], resources: [deployments]}`)).toEqual(["low webhooks[0].matchPolicy"]);
    expect(exactMatchFindings(`  - {apiGroups: ["*"], apiVersions: ["*"], operations: [CREATE], resources: ["*"]}
  - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}`)).toEqual(["low webhooks[0].matchPolicy"]);
  });
});
