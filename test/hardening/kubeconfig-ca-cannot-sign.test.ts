/**
 * kubeconfig/ca-cannot-sign: a cluster's certificate-authority-data holds the roots kubectl and
 * client-go verify the API server's certificate against (client-go transport.TLSConfigFor:
 * rootCertPool, CertPool.AppendCertsFromPEM; crypto/tls verifyServerCertificate: Verify with
 * Roots and DNSName, so KeyUsages defaults to serverAuth). Judged with pki/ca-cannot-sign's
 * model, worded for the server: a certificate that may not sign is still trusted for itself (a
 * pinned server certificate) unless its extended key usage leaves out serverAuth; a certificate
 * Go cannot parse is skipped by the pool, not a reason to refuse the file.
 */
// @peculiar/x509 needs the Reflect metadata polyfill loaded before it.
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";
import { describe, expect, it } from "vitest";
import { checkKubeconfigs } from "../../src/hardening/kubeconfig/family.js";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { emptySnapshot } from "../../src/k8s/snapshot.js";
import { kubeconfigText } from "../support/kubeconfig-text.js";
import { CERTIFICATE_NOW, makeCertificate, type MadeCertificate } from "../support/test-certificates.js";

const NOW = CERTIFICATE_NOW;
const DAY = 86_400_000;
const pem = (made: MadeCertificate) => made.cert.toString("pem") + "\n";
const b64 = (...made: MadeCertificate[]) => Buffer.from(made.map(pem).join("")).toString("base64");
const SERVER_AUTH = [x509.ExtendedKeyUsage.serverAuth];
const CLIENT_AUTH = [x509.ExtendedKeyUsage.clientAuth];

/** A version 3 certificate with only the extensions given: no basicConstraints unless asked. */
async function bareCertificate(subject: string, extensions: x509.Extension[], algorithm: webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams = { name: "ECDSA", namedCurve: "P-256" }): Promise<MadeCertificate> {
  const signing = { ...algorithm, hash: "SHA-256" };
  const keys = (await webcrypto.subtle.generateKey(signing, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create({ serialNumber: "0c01", subject, issuer: subject, notBefore: new Date(NOW.getTime() - DAY), notAfter: new Date(NOW.getTime() + 300 * DAY), publicKey: keys.publicKey, signingKey: keys.privateKey, signingAlgorithm: signing, extensions });
  return { cert, keys };
}

const rsa512: webcrypto.RsaHashedKeyGenParams = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 512 };
const caExtensions = () => [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true)];

/** A kubeconfig of one cluster with `data` as its certificate-authority-data, judged; only this rule's findings. */
function judge(data: string) {
  const text = kubeconfigText({ cluster: `certificate-authority-data: ${data}` });
  const snapshot = { ...emptySnapshot(), objects: parseYamlFile("config", text).objects };
  return { text, findings: checkKubeconfigs(snapshot, { now: NOW }).filter((f) => f.ruleId === "kubeconfig/ca-cannot-sign") };
}

describe("kubeconfig/ca-cannot-sign", () => {
  it("says nothing of a sound CA, nor of one whose extended key usage allows serverAuth", async () => {
    const ca = await makeCertificate({ subject: "CN=kubernetes", ca: true });
    const serverCa = await makeCertificate({ subject: "CN=server-ca", ca: true, eku: SERVER_AUTH });
    const anyUsageCa = await makeCertificate({ subject: "CN=any-ca", ca: true, eku: ["2.5.29.37.0"] });
    expect(judge(b64(ca, serverCa, anyUsageCa)).findings).toEqual([]);
  });

  it("a 512-bit RSA CA beside a sound one: a medium finding at the field, worded for the API server", async () => {
    const ca = await makeCertificate({ subject: "CN=kubernetes", ca: true });
    const weak = await bareCertificate("CN=tiny-ca", caExtensions(), rsa512);
    const { text, findings } = judge(b64(ca, weak));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: "medium", fieldPath: "clusters[0].cluster.certificate-authority-data", object: { kind: "Config", name: "prod" } });
    expect(text.split("\n")[(findings[0]?.position?.line ?? 0) - 1]).toContain("certificate-authority-data:");
    expect(findings[0]?.message).toBe(
      "CA certificate tiny-ca in the certificate-authority-data of cluster prod is never accepted by Go, as an issuer or as itself: its RSA key has 512 bits, and Go's crypto/rsa (since Go 1.24) verifies no signature with a key under 1024 bits: neither the certificates it signed nor a TLS handshake made with its key. kubectl and client-go refuse the API server's certificate if it chains only to this",
    );
  });

  it("when its only CA is dead, the data verifies no API server: one high finding", async () => {
    const weak = await bareCertificate("CN=tiny-ca", caExtensions(), rsa512);
    const { findings } = judge(b64(weak));
    expect(findings.map((f) => f.severity)).toEqual(["high"]);
    expect(findings[0]?.message).toMatch(/^the certificate-authority-data of cluster prod verifies no API server: its only certificate is one Go never accepts, as an issuer or as itself, so kubectl and client-go refuse every API server certificate \(CA certificate tiny-ca \(line 1 of the decoded data\): its RSA key has 512 bits/);
  });

  it("names at most five dead certificates, however many a hostile bundle holds", async () => {
    const weak = await Promise.all(Array.from({ length: 8 }, (_, i) => bareCertificate(`CN=tiny-ca-${i}`, caExtensions(), rsa512)));
    const { findings } = judge(b64(...weak));
    expect(findings.map((f) => f.severity)).toEqual(["high"]);
    const message = findings[0]?.message ?? "";
    expect(message.match(/CA certificate tiny-ca-\d/g)).toEqual(["tiny-ca-0", "tiny-ca-1", "tiny-ca-2", "tiny-ca-3", "tiny-ca-4"].map((n) => `CA certificate ${n}`));
    expect(message).toContain("; and 3 more)");
  });

  it("a server certificate put there in place of the CA is a pinned server certificate, at info", async () => {
    const server = await makeCertificate({ subject: "CN=kube-apiserver", ca: false, eku: SERVER_AUTH });
    const { findings } = judge(b64(server));
    expect(findings.map((f) => f.severity)).toEqual(["info"]);
    expect(findings[0]?.message).toBe(
      "certificate kube-apiserver in the certificate-authority-data of cluster prod is a pinned server certificate, trusted only for itself: Go trusts it only for itself, when the API server presents exactly this certificate (Verify takes a certificate that is in the roots as a chain of one, checking no signature); it signs nothing Go accepts, as CheckSignatureFrom refuses it as a parent: it is not a CA (basicConstraints)",
    );
  });

  it("a certificate whose extended key usage leaves out serverAuth is accepted for nothing, pinned or CA alike", async () => {
    const pinnedClient = await makeCertificate({ subject: "CN=robot", ca: false, eku: CLIENT_AUTH });
    expect(judge(b64(pinnedClient)).findings.map((f) => [f.severity, f.message])).toEqual([["high", expect.stringMatching(/verifies no API server: .*CheckSignatureFrom refuses it as a parent: it is not a CA \(basicConstraints\); its extended key usage leaves out serverAuth/)]]);
    const ca = await makeCertificate({ subject: "CN=kubernetes", ca: true });
    const clientCa = await makeCertificate({ subject: "CN=client-ca", ca: true, eku: CLIENT_AUTH });
    const { findings } = judge(b64(ca, clientCa));
    expect(findings.map((f) => f.severity)).toEqual(["medium"]);
    expect(findings[0]?.message).toMatch(/^CA certificate client-ca in .* is never accepted by Go, as an issuer or as itself: its extended key usage leaves out serverAuth, .*\(checkChainForKeyUsage\)\. kubectl and client-go refuse the API server's certificate if it chains only to this$/);
  });

  it("a certificate Go cannot parse is skipped by client-go's pool, not a refusal of the whole data", async () => {
    const ca = await makeCertificate({ subject: "CN=kubernetes", ca: true });
    const criticalAki = await makeCertificate({ subject: "CN=strict-ca", ca: true, extensions: [new x509.Extension("2.5.29.35", true, Buffer.from("3006800401020304", "hex"))] });
    const { findings } = judge(b64(ca, criticalAki));
    expect(findings.map((f) => f.severity)).toEqual(["medium"]);
    expect(findings[0]?.message).toMatch(/^CA certificate strict-ca in .* is never accepted by Go, as an issuer or as itself: Go cannot parse it \(its authorityKeyIdentifier extension is marked critical, .*\), so client-go's pool \(CertPool\.AppendCertsFromPEM\) skips it without a word\. kubectl/);
    expect(findings[0]?.message).not.toMatch(/refuse the whole file/);
  });

  it("prints no certificate material", async () => {
    const weak = await bareCertificate("CN=tiny-ca", caExtensions(), rsa512);
    const data = b64(weak);
    const { findings } = judge(data);
    expect(findings).toHaveLength(1);
    for (const f of findings) {
      expect(f.message).not.toContain("BEGIN CERTIFICATE");
      expect(f.message).not.toContain(data.slice(0, 40));
      expect(f.message).not.toContain(weak.cert.toString("base64").slice(30, 70));
    }
  });
});
