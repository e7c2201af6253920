/**
 * apiservice/insecure-skip-tls-verify and apiservice/refused: kube-aggregator proxies to the
 * service with verification off when insecureSkipTLSVerify is true (handler_proxy.go), and its
 * validation refuses insecureSkipTLSVerify beside a caBundle, and either on a local APIService.
 */
import { describe, expect, it } from "vitest";
import { checkControlPlane } from "../../src/hardening/family.js";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { emptySnapshot } from "../../src/k8s/snapshot.js";

function judge(spec: string, apiVersion = "apiregistration.k8s.io/v1") {
  const text = `apiVersion: ${apiVersion}
kind: APIService
metadata: {name: v1beta1.metrics.k8s.io}
spec:
  group: metrics.k8s.io
  version: v1beta1
  groupPriorityMinimum: 100
  versionPriority: 100
${spec}`;
  const snapshot = { ...emptySnapshot(), objects: parseYamlFile("apiservice.yaml", text).objects };
  return checkControlPlane(snapshot).filter((f) => f.ruleId.startsWith("apiservice/"));
}
const brief = (spec: string) => judge(spec).map((f) => `${f.ruleId} ${f.severity} ${f.fieldPath}`);

const SERVICE = "  service: {name: metrics-server, namespace: kube-system}\n";
// Any bytes: the API server refuses the pair whatever the caBundle holds.
const CA_BUNDLE = `  caBundle: ${Buffer.from("some CA").toString("base64")}\n`;

describe("apiservice/insecure-skip-tls-verify", () => {
  it("high at the field, as metrics-server's stock manifest has it", () => {
    const findings = judge(`${SERVICE}  insecureSkipTLSVerify: true\n`);
    expect(findings.map((f) => `${f.ruleId} ${f.severity} ${f.fieldPath}`)).toEqual(["apiservice/insecure-skip-tls-verify high spec.insecureSkipTLSVerify"]);
    expect(findings[0]?.message).toBe("APIService v1beta1.metrics.k8s.io is proxied to service kube-system/metrics-server without verifying its certificate (insecureSkipTLSVerify: true): its requests, with the users' identities, go to whoever answers");
    expect(findings[0]?.position?.line).toBe(10);
  });

  it("nothing when verification is on, or for other API versions", () => {
    expect(brief(`${SERVICE}  insecureSkipTLSVerify: false\n`)).toEqual([]);
    expect(brief(SERVICE)).toEqual([]);
    // v1beta1 was removed in v1.22 (manifest/removed-api reports it).
    expect(judge(`${SERVICE}  insecureSkipTLSVerify: true\n`, "apiregistration.k8s.io/v1beta1")).toEqual([]);
  });
});

describe("apiservice/refused", () => {
  it("insecureSkipTLSVerify beside a caBundle is refused, and not reported as insecure", () => {
    const findings = judge(`${SERVICE}  insecureSkipTLSVerify: true\n${CA_BUNDLE}`);
    expect(findings.map((f) => `${f.ruleId} ${f.severity} ${f.fieldPath}`)).toEqual(["apiservice/refused medium spec.insecureSkipTLSVerify"]);
    expect(findings[0]?.message).toContain("may not be true if caBundle is present");
  });

  it("a local APIService (no service) with a caBundle or insecureSkipTLSVerify is refused at each", () => {
    expect(brief(`  insecureSkipTLSVerify: true\n${CA_BUNDLE}`)).toEqual(["apiservice/refused medium spec.caBundle", "apiservice/refused medium spec.insecureSkipTLSVerify"]);
    expect(brief("")).toEqual([]);
    // An empty caBundle is no caBundle to the API server (len 0).
    expect(brief(`${SERVICE}  insecureSkipTLSVerify: true\n  caBundle: ""\n`)).toEqual(["apiservice/insecure-skip-tls-verify high spec.insecureSkipTLSVerify"]);
  });
});
