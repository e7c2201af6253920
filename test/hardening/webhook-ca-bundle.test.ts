/**
 * webhook/ca-bundle-unusable, webhook/ca-cannot-sign and webhook/server-name-mismatch: the caBundle
 * kube-apiserver verifies admission webhooks, CRD conversion webhooks and aggregated API servers
 * with (client-go's rootCertPool: CertPool.AppendCertsFromPEM, an error when it takes nothing;
 * crypto/tls Verify for ServerName, `<service>.<namespace>.svc` or the url's host).
 */
// @peculiar/x509 needs the Reflect metadata polyfill loaded before it.
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";
import { describe, expect, it } from "vitest";
import { checkControlPlane } from "../../src/hardening/family.js";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { emptySnapshot } from "../../src/k8s/snapshot.js";
import { CERTIFICATE_NOW, makeCertificate, type MadeCertificate } from "../support/test-certificates.js";
import { palisade } from "../support/cli-in-process.js";
import { admissionWebhook as admission, conversionWebhook as conversion } from "../support/webhook-registrations.js";

const DAY = 86_400_000;
const pem = (made: MadeCertificate) => made.cert.toString("pem") + "\n";
const b64 = (...made: MadeCertificate[]) => Buffer.from(made.map(pem).join("")).toString("base64");
const SERVER_AUTH = [x509.ExtendedKeyUsage.serverAuth];
const CLIENT_AUTH = [x509.ExtendedKeyUsage.clientAuth];
const RULES = ["webhook/ca-bundle-unusable", "webhook/ca-cannot-sign", "webhook/server-name-mismatch"];

function judge(text: string) {
  const snapshot = { ...emptySnapshot(), objects: parseYamlFile("registrations.yaml", text).objects };
  return checkControlPlane(snapshot).filter((f) => RULES.includes(f.ruleId));
}
const brief = (text: string) => judge(text).map((f) => `${f.ruleId} ${f.severity} ${f.fieldPath}`);

const service = (caBundle: string) => `{caBundle: "${caBundle}", service: {name: policy, namespace: policy-system}}`;

function apiService(caBundle: string): string {
  return `apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1beta1.metrics.k8s.io}
spec:
  group: metrics.k8s.io
  version: v1beta1
  groupPriorityMinimum: 100
  versionPriority: 100
  service: {name: metrics-server, namespace: kube-system}
  caBundle: "${caBundle}"
`;
}

/** A server certificate, not a CA: what a caBundle pins. */
function serverCertificate(subject: string, names: { dns?: string[]; ips?: string[] }): Promise<MadeCertificate> {
  const sans = [...(names.dns ?? []).map((value) => ({ type: "dns" as const, value })), ...(names.ips ?? []).map((value) => ({ type: "ip" as const, value }))];
  return makeCertificate({ subject, ca: false, eku: SERVER_AUTH, extensions: sans.length > 0 ? [new x509.SubjectAlternativeNameExtension(sans)] : [] });
}

/** A CA with a 512-bit RSA key, which Go 1.24's crypto/rsa verifies nothing with. */
async function tinyRsaCa(): Promise<MadeCertificate> {
  const algorithm = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 512 };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const extensions = [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true)];
  const cert = await x509.X509CertificateGenerator.create({ serialNumber: "0c01", subject: "CN=tiny-ca", issuer: "CN=tiny-ca", notBefore: new Date(CERTIFICATE_NOW.getTime() - DAY), notAfter: new Date(CERTIFICATE_NOW.getTime() + 300 * DAY), publicKey: keys.publicKey, signingKey: keys.privateKey, signingAlgorithm: algorithm, extensions });
  return { cert, keys };
}

describe("webhook/ca-bundle-unusable", () => {
  it("says nothing of a sound CA, an empty caBundle, or one that is not base64 (manifest/invalid-base64's)", async () => {
    const ca = await makeCertificate({ subject: "CN=policy-ca", ca: true });
    expect(brief(admission("ValidatingWebhookConfiguration", service(b64(ca))))).toEqual([]);
    expect(brief(admission("ValidatingWebhookConfiguration", service("")))).toEqual([]);
    expect(brief(admission("ValidatingWebhookConfiguration", service("not base64!")))).toEqual([]);
    expect(brief(conversion(`{caBundle: "${b64(ca)}", url: "https://convert.example.com/convert"}`))).toEqual([]);
    expect(brief(apiService(b64(ca)))).toEqual([]);
  });

  it("base64 of DER in a validating webhook with failurePolicy Ignore: high, the policy silently off", async () => {
    const ca = await makeCertificate({ subject: "CN=policy-ca", ca: true });
    const der = Buffer.from(ca.cert.rawData).toString("base64");
    const findings = judge(admission("ValidatingWebhookConfiguration", service(der), "  failurePolicy: Ignore\n"));
    expect(findings.map((f) => `${f.ruleId} ${f.severity} ${f.fieldPath}`)).toEqual(["webhook/ca-bundle-unusable high webhooks[0].clientConfig.caBundle"]);
    expect(findings[0]?.message).toBe(
      "the caBundle of ValidatingWebhookConfiguration webhook check.policy.example.com holds no certificate Go can load (its decoded bytes hold no PEM block: base64 of PEM text is expected, not of DER or of anything else), so kube-apiserver cannot build a client for the webhook server (client-go: unable to load root certificates): with failurePolicy: Ignore kube-apiserver skips the webhook on every call and lets the requests through, so whatever it enforces is silently off",
    );
    expect(findings[0]?.position?.line).toBe(8);
  });

  it("a mutating webhook (failurePolicy Fail by default) whose caBundle holds only a key and a certificate with PEM headers: medium, requests refused", async () => {
    const keyPem = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n-----END PRIVATE KEY-----\n";
    const ca = await makeCertificate({ subject: "CN=policy-ca", ca: true });
    const withHeaders = pem(ca).replace("-----BEGIN CERTIFICATE-----\n", "-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\n\n");
    const findings = judge(admission("MutatingWebhookConfiguration", service(Buffer.from(keyPem + withHeaders).toString("base64"))));
    expect(findings.map((f) => `${f.ruleId} ${f.severity}`)).toEqual(["webhook/ca-bundle-unusable medium"]);
    expect(findings[0]?.message).toMatch(/holds no certificate Go can load \(line 1 of the decoded data: a PRIVATE KEY block, not a certificate; line 4 of the decoded data: the CERTIFICATE block has PEM headers \(Proc-Type\), .*\): with failurePolicy: Fail kube-apiserver refuses every request the webhook matches$/);
    expect(findings[0]?.message).not.toContain("MC4CAQAw");
  });

  it("a conversion webhook whose only certificate Go's parser refuses: nothing of the CRD is served", async () => {
    const criticalAki = await makeCertificate({ subject: "CN=strict-ca", ca: true, extensions: [new x509.Extension("2.5.29.35", true, Buffer.from("3006800401020304", "hex"))] });
    const findings = judge(conversion(`{caBundle: "${b64(criticalAki)}", service: {name: convert, namespace: widgets}}`));
    expect(findings.map((f) => `${f.ruleId} ${f.severity} ${f.fieldPath}`)).toEqual(["webhook/ca-bundle-unusable medium spec.conversion.webhook.clientConfig.caBundle"]);
    expect(findings[0]?.message).toMatch(/^the caBundle of the conversion webhook of CustomResourceDefinition widgets\.example\.com holds no certificate Go can load \(line 1 of the decoded data: certificate strict-ca: Go cannot parse it \(its authorityKeyIdentifier extension is marked critical.*\): kube-apiserver cannot serve the custom resources of widgets\.example\.com at all: every request for them fails$/);
  });

  it("an APIService whose caBundle decodes to plain text: medium, at spec.caBundle, while it still shows Available", () => {
    const findings = judge(apiService(Buffer.from("metrics-server CA goes here\n").toString("base64")));
    expect(findings.map((f) => `${f.ruleId} ${f.severity} ${f.fieldPath}`)).toEqual(["webhook/ca-bundle-unusable medium spec.caBundle"]);
    expect(findings[0]?.message).toMatch(/answers every request for metrics\.k8s\.io\/v1beta1 with an error, while the APIService's Available condition, whose probe does not verify the server's certificate, can still say True$/);
  });
});

describe("caBundles a CA injector fills, and garbled ones", () => {
  it("a placeholder caBundle under cert-manager's or OpenShift's injection annotation is not judged; without it, it is", async () => {
    const placeholder = "Cg==";
    const annotated = (annotations: string) => admission("ValidatingWebhookConfiguration", service(placeholder), "  failurePolicy: Ignore\n").replace("metadata: {name: policy}", `metadata: {name: policy, annotations: {${annotations}}}`);
    expect(brief(annotated("cert-manager.io/inject-ca-from: policy-system/policy-serving"))).toEqual([]);
    expect(brief(annotated("cert-manager.io/inject-ca-from-secret: policy-system/policy-ca"))).toEqual([]);
    expect(brief(annotated("cert-manager.io/inject-apiserver-ca: 'true'"))).toEqual([]);
    expect(brief(annotated("service.beta.openshift.io/inject-cabundle: 'true'"))).toEqual([]);
    expect(brief(apiService(placeholder).replace("metadata: {name: v1beta1.metrics.k8s.io}", "metadata: {name: v1beta1.metrics.k8s.io, annotations: {cert-manager.io/inject-ca-from: kube-system/metrics-server}}"))).toEqual([]);
    expect(brief(conversion(`{caBundle: "${placeholder}", service: {name: convert, namespace: widgets}}`).replace("metadata: {name: widgets.example.com}", "metadata: {name: widgets.example.com, annotations: {cert-manager.io/inject-ca-from: widgets/convert}}"))).toEqual([]);
    // An annotation that does not ask for injection leaves the caBundle what kube-apiserver uses.
    expect(brief(annotated("service.beta.openshift.io/inject-cabundle: 'false'"))).toEqual(["webhook/ca-bundle-unusable high webhooks[0].clientConfig.caBundle"]);
    expect(brief(admission("ValidatingWebhookConfiguration", service(placeholder)))).toEqual(["webhook/ca-bundle-unusable medium webhooks[0].clientConfig.caBundle"]);
    // Read from a cluster, the placeholder is what kube-apiserver holds: the injector never ran.
    const live = { ...emptySnapshot(), objects: parseYamlFile("<cluster prod>", annotated("cert-manager.io/inject-ca-from: policy-system/policy-serving")).objects };
    expect(checkControlPlane(live).filter((f) => RULES.includes(f.ruleId)).map((f) => `${f.ruleId} ${f.severity}`)).toEqual(["webhook/ca-bundle-unusable high"]);
  });

  it("a caBundle of thousands of broken blocks names five of them and counts the rest", () => {
    const garbled = Buffer.from("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".repeat(5000)).toString("base64");
    const findings = judge(admission("ValidatingWebhookConfiguration", service(garbled)));
    expect(findings.map((f) => f.ruleId)).toEqual(["webhook/ca-bundle-unusable"]);
    const message = findings[0]?.message ?? "";
    expect(message.match(/of the decoded data:/g)).toHaveLength(5);
    expect(message).toContain("line 13 of the decoded data: the CERTIFICATE block does not parse as an X.509 certificate; and 4995 more blocks Go skips)");
    expect(message.length).toBeLessThan(1500);
  });
});

describe("webhook/ca-cannot-sign", () => {
  it("a 512-bit RSA CA beside a sound one: medium, worded for the webhook server", async () => {
    const ca = await makeCertificate({ subject: "CN=policy-ca", ca: true });
    const findings = judge(admission("ValidatingWebhookConfiguration", service(b64(ca, await tinyRsaCa()))));
    expect(findings.map((f) => `${f.ruleId} ${f.severity} ${f.fieldPath}`)).toEqual(["webhook/ca-cannot-sign medium webhooks[0].clientConfig.caBundle"]);
    expect(findings[0]?.message).toBe(
      "CA certificate tiny-ca in the caBundle of ValidatingWebhookConfiguration webhook check.policy.example.com is never accepted by Go, as an issuer or as itself: its RSA key has 512 bits, and Go's crypto/rsa (since Go 1.24) verifies no signature with a key under 1024 bits: neither the certificates it signed nor a TLS handshake made with its key. kube-apiserver refuses the webhook server's certificate if it chains only to this",
    );
  });

  it("an APIService whose only CA leaves out serverAuth: every handshake fails, medium", async () => {
    const clientCa = await makeCertificate({ subject: "CN=client-ca", ca: true, eku: CLIENT_AUTH });
    const findings = judge(apiService(b64(clientCa)));
    expect(findings.map((f) => `${f.ruleId} ${f.severity} ${f.fieldPath}`)).toEqual(["webhook/ca-cannot-sign medium spec.caBundle"]);
    expect(findings[0]?.message).toMatch(/^the caBundle of APIService v1beta1\.metrics\.k8s\.io verifies no aggregated API server: its only certificate is one Go never accepts, .* so kube-apiserver refuses every aggregated API server certificate \(CA certificate client-ca \(line 1 of the decoded data\): its extended key usage leaves out serverAuth.*\): every request kube-apiserver proxies for metrics\.k8s\.io\/v1beta1 fails, while/);
  });

  it("the same dead CA in a validating webhook with failurePolicy Ignore: high", async () => {
    const clientCa = await makeCertificate({ subject: "CN=client-ca", ca: true, eku: CLIENT_AUTH });
    expect(brief(admission("ValidatingWebhookConfiguration", service(b64(clientCa)), "  failurePolicy: Ignore\n"))).toEqual(["webhook/ca-cannot-sign high webhooks[0].clientConfig.caBundle"]);
  });

  it("a server certificate that names the server, pinned in place of a CA: info only", async () => {
    const pinned = await serverCertificate("CN=policy", { dns: ["policy.policy-system.svc"] });
    const findings = judge(admission("ValidatingWebhookConfiguration", service(b64(pinned))));
    expect(findings.map((f) => `${f.ruleId} ${f.severity}`)).toEqual(["webhook/ca-cannot-sign info"]);
    expect(findings[0]?.message).toMatch(/is a pinned server certificate, trusted only for itself: .*when the webhook server presents exactly this certificate/);
  });
});

describe("webhook/server-name-mismatch", () => {
  it("a pinned certificate for the cluster-domain name only: the service is dialled as <name>.<namespace>.svc", async () => {
    const pinned = await serverCertificate("CN=policy.policy-system.svc", { dns: ["policy.policy-system.svc.cluster.local"] });
    const findings = judge(admission("ValidatingWebhookConfiguration", service(b64(pinned)))).filter((f) => f.ruleId === "webhook/server-name-mismatch");
    expect(findings.map((f) => `${f.severity} ${f.fieldPath}`)).toEqual(["medium webhooks[0].clientConfig.service"]);
    expect(findings[0]?.message).toBe(
      "the pinned server certificate policy.policy-system.svc in the caBundle of ValidatingWebhookConfiguration webhook check.policy.example.com cannot be the webhook server's certificate: kube-apiserver verifies the webhook server's certificate for policy.policy-system.svc (the name kube-apiserver gives service policy-system/policy) against its subjectAltName only (DNS names: policy.policy-system.svc.cluster.local; IP addresses: none), never its CommonName, and nothing else in the caBundle verifies a server, so every call fails: with failurePolicy: Fail kube-apiserver refuses every request the webhook matches",
    );
  });

  it("with failurePolicy Ignore it is high for a validating webhook, medium for a mutating one; beside a CA it is low; naming the service, nothing", async () => {
    const cnOnly = await serverCertificate("CN=policy.policy-system.svc", {});
    const named = await serverCertificate("CN=policy", { dns: ["policy.policy-system.svc"] });
    const ca = await makeCertificate({ subject: "CN=policy-ca", ca: true });
    const mismatch = (text: string) => brief(text).filter((f) => f.startsWith("webhook/server-name-mismatch"));
    expect(mismatch(admission("ValidatingWebhookConfiguration", service(b64(cnOnly)), "  failurePolicy: Ignore\n"))).toEqual(["webhook/server-name-mismatch high webhooks[0].clientConfig.service"]);
    // A mutating webhook adds to requests rather than stops them, as webhook/fail-open weighs it.
    expect(mismatch(admission("MutatingWebhookConfiguration", service(b64(cnOnly)), "  failurePolicy: Ignore\n"))).toEqual(["webhook/server-name-mismatch medium webhooks[0].clientConfig.service"]);
    expect(mismatch(admission("ValidatingWebhookConfiguration", service(b64(cnOnly, ca))))).toEqual(["webhook/server-name-mismatch low webhooks[0].clientConfig.service"]);
    expect(mismatch(admission("ValidatingWebhookConfiguration", service(b64(named))))).toEqual([]);
  });

  it("a url with an IP address is matched against IP subjectAltNames only", async () => {
    const dnsOnly = await serverCertificate("CN=10.0.0.9", { dns: ["10.0.0.9", "policy.example.com"] });
    const withIp = await serverCertificate("CN=policy", { ips: ["10.0.0.9"] });
    const url = (ca: string) => `{caBundle: "${ca}", url: "https://10.0.0.9:8443/validate"}`;
    const findings = judge(admission("ValidatingWebhookConfiguration", url(b64(dnsOnly)))).filter((f) => f.ruleId === "webhook/server-name-mismatch");
    expect(findings.map((f) => `${f.severity} ${f.fieldPath}`)).toEqual(["medium webhooks[0].clientConfig.url"]);
    expect(findings[0]?.message).toContain("for 10.0.0.9 (the host of its url) against its subjectAltName only (DNS names: 10.0.0.9, policy.example.com; IP addresses: none)");
    expect(brief(admission("ValidatingWebhookConfiguration", url(b64(withIp)))).filter((f) => f.startsWith("webhook/server-name-mismatch"))).toEqual([]);
  });

  it("a conversion webhook's url host, and an APIService's service name", async () => {
    const other = await serverCertificate("CN=convert", { dns: ["convert.internal.example.com"] });
    const crd = judge(conversion(`{caBundle: "${b64(other)}", url: "https://convert.example.com/convert"}`)).filter((f) => f.ruleId === "webhook/server-name-mismatch");
    expect(crd.map((f) => `${f.severity} ${f.fieldPath}`)).toEqual(["medium spec.conversion.webhook.clientConfig.url"]);
    expect(crd[0]?.message).toMatch(/cannot be the conversion webhook server's certificate: .* for convert\.example\.com \(the host of its url\).* every request for the custom resources of widgets\.example\.com that needs them converted between versions fails$/);
    const metrics = await serverCertificate("CN=metrics-server", { dns: ["metrics-server.kube-system.svc.cluster.local"] });
    const aggregated = judge(apiService(b64(metrics))).filter((f) => f.ruleId === "webhook/server-name-mismatch");
    expect(aggregated.map((f) => `${f.severity} ${f.fieldPath}`)).toEqual(["medium spec.service"]);
    expect(aggregated[0]?.message).toContain("for metrics-server.kube-system.svc (the name kube-apiserver gives service kube-system/metrics-server)");
  });

  it("an APIService that skips verification is not judged by its caBundle (apiservice/ rules speak of it)", async () => {
    const metrics = await serverCertificate("CN=metrics-server", {});
    expect(brief(apiService(b64(metrics)).replace("  caBundle:", "  insecureSkipTLSVerify: true\n  caBundle:"))).toEqual([]);
  });

  it("prints no certificate material", async () => {
    const pinned = await serverCertificate("CN=policy", {});
    const data = b64(pinned);
    const findings = judge(admission("ValidatingWebhookConfiguration", service(data)));
    expect(findings.length).toBeGreaterThan(0);
    for (const f of findings) {
      expect(f.message).not.toContain("BEGIN CERTIFICATE");
      expect(f.message).not.toContain(data.slice(0, 40));
      expect(f.message).not.toContain(Buffer.from(pinned.cert.rawData).toString("base64").slice(24, 64));
    }
  });
});

describe("palisade rules", () => {
  it("lists the caBundle rules and the APIService rules with their docs", async () => {
    const listed = JSON.parse((await palisade(["rules", "webhook/*", "apiservice/*", "-o", "json"])).stdout) as Array<{ id: string; docs: { description: string } }>;
    expect(listed.map((r) => r.id)).toEqual(expect.arrayContaining([...RULES, "apiservice/insecure-skip-tls-verify", "apiservice/refused"]));
  });
});
