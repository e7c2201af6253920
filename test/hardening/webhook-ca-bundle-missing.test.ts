/**
 * webhook/ca-bundle-missing: a service-referenced admission or conversion webhook, or an
 * APIService with spec.service, that has no caBundle. client-go then builds no pool
 * (transport rootCertPool returns nil for empty CA data) and crypto/tls verifies the
 * `<name>.<namespace>.svc` certificate against the host's system roots; APIService validation
 * (kube-aggregator ValidateAPIService) does not refuse it. A url webhook is not reported.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkControlPlane } from "../../src/hardening/family.js";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { emptySnapshot } from "../../src/k8s/snapshot.js";
import { palisade } from "../support/cli-in-process.js";
import { admissionWebhook as admission, conversionWebhook as conversion } from "../support/webhook-registrations.js";

const RULE = "webhook/ca-bundle-missing";

/** Findings of the rule; a file named like `<cluster prod>` is a live read. */
function judge(text: string, file = "registrations.yaml") {
  return checkControlPlane({ ...emptySnapshot(), objects: parseYamlFile(file, text).objects }).filter((f) => f.ruleId === RULE);
}
const brief = (text: string, file?: string) => judge(text, file).map((f) => `${f.severity} ${f.fieldPath}`);
const LIVE = "<cluster prod>";

const SERVICE = "{service: {name: policy, namespace: policy-system}}";

const apiService = (spec: string) => `apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1beta1.metrics.k8s.io}
spec: {group: metrics.k8s.io, version: v1beta1, groupPriorityMinimum: 100, versionPriority: 100${spec}}
`;

describe("webhook/ca-bundle-missing, read from a cluster: weighed as an unreachable callout", () => {
  it("a validating webhook with failurePolicy Ignore: high, at the clientConfig that lacks the caBundle", () => {
    const found = judge(admission("ValidatingWebhookConfiguration", SERVICE, "  failurePolicy: Ignore\n"), LIVE);
    expect(found.map((f) => `${f.severity} ${f.fieldPath}`)).toEqual(["high webhooks[0].clientConfig"]);
    expect(found[0]?.message).toBe(
      "ValidatingWebhookConfiguration webhook check.policy.example.com has no caBundle, so kube-apiserver verifies the webhook server's certificate for policy.policy-system.svc against its host's system roots (client-go: no CA data), and no public CA issues for a .svc name: unless those roots hold the CA that signed it, every TLS handshake fails: with failurePolicy: Ignore kube-apiserver skips the webhook on every call and lets the requests through, so whatever it enforces is silently off",
    );
  });

  it("failurePolicy Fail (the default) medium, a mutating webhook with Ignore medium; an empty caBundle is pointed at", () => {
    expect(brief(admission("ValidatingWebhookConfiguration", SERVICE), LIVE)).toEqual(["medium webhooks[0].clientConfig"]);
    expect(brief(admission("MutatingWebhookConfiguration", SERVICE, "  failurePolicy: Ignore\n"), LIVE)).toEqual(["medium webhooks[0].clientConfig"]);
    expect(brief(admission("ValidatingWebhookConfiguration", `{caBundle: "", service: {name: policy, namespace: policy-system}}`), LIVE)).toEqual(["medium webhooks[0].clientConfig.caBundle"]);
  });

  it("an APIService with a service and neither caBundle nor insecureSkipTLSVerify, and a conversion webhook's service", () => {
    const api = judge(apiService(", service: {name: metrics-server, namespace: kube-system}"), LIVE);
    expect(api.map((f) => `${f.severity} ${f.fieldPath}`)).toEqual(["medium spec"]);
    expect(api[0]?.message).toContain("certificate for metrics-server.kube-system.svc");
    expect(api[0]?.message).toContain("every request kube-apiserver proxies for metrics.k8s.io/v1beta1 fails");
    const crd = judge(conversion("{service: {name: convert, namespace: widgets}}"), LIVE);
    expect(crd.map((f) => `${f.severity} ${f.fieldPath}`)).toEqual(["medium spec.conversion.webhook.clientConfig"]);
    expect(crd[0]?.message).toContain("conversion webhook server's certificate for convert.widgets.svc");
  });

  it("a caBundle still empty under a CA injector's annotation: the injector has not done its work", () => {
    const found = judge(admission("ValidatingWebhookConfiguration", SERVICE, "", "cert-manager.io/inject-ca-from: policy-system/policy-serving"), LIVE);
    expect(found.map((f) => f.severity)).toEqual(["medium"]);
    expect(found[0]?.message).toContain("has no caBundle although it is annotated cert-manager.io/inject-ca-from: the CA injector has not filled it");
    expect(brief(apiService(', service: {name: api, namespace: apps}'), LIVE)).toEqual(["medium spec"]);
  });
});

describe("webhook/ca-bundle-missing: what it leaves alone", () => {
  it("a url webhook (the system roots may rightly verify a public host), a caBundle present, one not base64, insecureSkipTLSVerify, a local APIService", () => {
    expect(brief(admission("ValidatingWebhookConfiguration", `{url: "https://policy.example.com/validate"}`), LIVE)).toEqual([]);
    expect(brief(conversion(`{url: "https://convert.example.com/convert"}`), LIVE)).toEqual([]);
    expect(brief(admission("ValidatingWebhookConfiguration", `{caBundle: "Cg==", service: {name: policy, namespace: policy-system}}`), LIVE)).toEqual([]);
    expect(brief(admission("ValidatingWebhookConfiguration", `{caBundle: "not base64!", service: {name: policy, namespace: policy-system}}`), LIVE)).toEqual([]);
    expect(brief(apiService(", insecureSkipTLSVerify: true, service: {name: metrics-server, namespace: kube-system}"), LIVE)).toEqual([]);
    expect(brief(apiService(""), LIVE)).toEqual([]);
  });

  it("a manifest a CA injector fills (cert-manager or OpenShift) is not judged", () => {
    expect(brief(admission("ValidatingWebhookConfiguration", SERVICE, "", "cert-manager.io/inject-ca-from-secret: policy-system/ca"))).toEqual([]);
    expect(brief(admission("ValidatingWebhookConfiguration", SERVICE, "", 'service.beta.openshift.io/inject-cabundle: "true"'))).toEqual([]);
  });

  it("a manifest without an injector annotation: low, since a job or controller may patch it in after apply", () => {
    const found = judge(admission("ValidatingWebhookConfiguration", SERVICE, "  failurePolicy: Ignore\n"));
    expect(found.map((f) => `${f.severity} ${f.fieldPath}`)).toEqual(["low webhooks[0].clientConfig"]);
    expect(found[0]?.message).toMatch(/; low in a manifest, since a job or controller may patch the caBundle in after it is applied$/);
  });
});

describe("palisade", () => {
  it("rules lists webhook/ca-bundle-missing with its docs", async () => {
    const listed = JSON.parse((await palisade(["rules", RULE, "-o", "json"])).stdout) as Array<{ id: string; docs: { description: string } }>;
    expect(listed.map((r) => r.id)).toEqual([RULE]);
    expect(listed[0]?.docs.description).toContain("system roots");
  });

  it("scan reports a service webhook without a caBundle at its line", async () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-ca-bundle-missing-"));
    const file = join(dir, "webhook.yaml");
    writeFileSync(file, admission("ValidatingWebhookConfiguration", SERVICE));
    const { stdout } = await palisade(["scan", file, "-o", "json", "--fail-on", "none"]);
    const findings = (JSON.parse(stdout) as { findings: Array<{ ruleId: string; severity: string; position?: { line: number } }> }).findings.filter((f) => f.ruleId === RULE);
    expect(findings.map((f) => [f.severity, f.position?.line])).toEqual([["low", 8]]);
  });
});
