/**
 * pki/ca-cannot-sign: a certificate in a CA bundle (kube-apiserver's --client-ca-file, kubeadm's
 * ca.crt, etcd/ca.crt, front-proxy-ca.crt) that Go's crypto/x509 never accepts as an issuer:
 * CheckSignatureFrom (x509.go) refuses a version 3 parent without basicConstraints CA or with a
 * keyUsage that leaves out keyCertSign; isValid (verify.go) refuses a certificate with an
 * unhandled critical extension; Go 1.24's crypto/rsa verifies nothing with an RSA key under 1024
 * bits; parser.go refuses a critical authorityKeyIdentifier, and etcd and client-go stop at such a
 * certificate when they read a CA file. Verify takes a presented certificate that is itself in the
 * roots as a chain of one, so a certificate that may not sign is still trusted for itself. Every
 * verdict is also put to the chain model (client-chain.ts) the rule must agree with.
 */
// @peculiar/x509 needs the Reflect metadata polyfill loaded before it.
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { AsnConvert } from "@peculiar/asn1-schema";
import { Certificate, Version } from "@peculiar/asn1-x509";
import * as x509 from "@peculiar/x509";
import { describe, expect, it } from "vitest";
import { CERTIFICATE_NOW, makeCertificate, type MadeCertificate } from "../support/test-certificates.js";
import { palisade } from "../support/cli-in-process.js";
import { auditPki, type PkiFile } from "../../src/hardening/pki/audit.js";
import { clientCaFromFile, kubeadmClientCa, kubeadmTrustBundles, type ClientCa } from "../../src/hardening/pki/client-ca.js";
import { verifyClientChain } from "../../src/hardening/pki/client-chain.js";
import { certificateFromDer, type CertificateFacts } from "../../src/hardening/x509.js";

const NOW = CERTIFICATE_NOW;
const DAY = 86_400_000;
const CLIENT_AUTH = [x509.ExtendedKeyUsage.clientAuth];
type Made = MadeCertificate;

const pem = (made: Made) => made.cert.toString("pem") + "\n";
const facts = (made: Made) => certificateFromDer(Buffer.from(made.cert.rawData)) as CertificateFacts;
const BUNDLE = "/pki/bundle.crt";

/** A version 3 certificate with only the extensions given: no basicConstraints unless asked. */
async function bareCertificate(subject: string, extensions: x509.Extension[], algorithm: webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams = { name: "ECDSA", namedCurve: "P-256" }): Promise<Made> {
  const signing = { ...algorithm, hash: "SHA-256" };
  const keys = (await webcrypto.subtle.generateKey(signing, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: "0b01",
    subject,
    issuer: subject,
    notBefore: new Date(NOW.getTime() - DAY),
    notAfter: new Date(NOW.getTime() + 300 * DAY),
    publicKey: keys.publicKey,
    signingKey: keys.privateKey,
    signingAlgorithm: signing,
    extensions,
  });
  return { cert, keys };
}

/** The certificate rewritten as version 1, without extensions, signed again with its own key: as old tools issued CAs. */
async function versionOne(made: Made): Promise<Made> {
  const asn = AsnConvert.parse(made.cert.rawData, Certificate);
  asn.tbsCertificate.version = Version.v1;
  delete asn.tbsCertificate.extensions;
  const algorithm = made.keys.privateKey.algorithm;
  asn.signatureValue = await webcrypto.subtle.sign(algorithm, made.keys.privateKey, AsnConvert.serialize(asn.tbsCertificate));
  return { cert: new x509.X509Certificate(AsnConvert.serialize(asn)), keys: made.keys };
}

const rsa = (bits: number): webcrypto.RsaHashedKeyGenParams => ({ name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", publicExponent: new Uint8Array([1, 0, 1]), modulusLength: bits });
const caExtensions = () => [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true)];

/** The bundle as --client-ca-file would name it, the directory's files around it. */
function audit(bundle: Made[], others: Array<[string, Made]> = []) {
  const text = bundle.map(pem).join("");
  const clientCa = clientCaFromFile(BUNDLE, text, "the client CA given with --client-ca-file (/pki/bundle.crt)") as ClientCa;
  const files: PkiFile[] = [{ file: BUNDLE, text, mode: 0o644 }, ...others.map(([file, made]) => ({ file: `/pki/${file}`, text: pem(made), mode: 0o644 }))];
  return auditPki(files, NOW, { clientCa }).findings.filter((f) => f.ruleId === "pki/ca-cannot-sign");
}

/** The BEGIN line of the bundle's nth (0-based) certificate. */
const lineOf = (bundle: Made[], n: number) => 1 + bundle.slice(0, n).reduce((lines, m) => lines + pem(m).split("\n").length - 1, 0);

const chainOf = (leaf: Made, roots: Made[]) => {
  const result = verifyClientChain(facts(leaf), roots.map(facts), []);
  return "chain" in result ? result.chain.map((c) => c.certificate.subject) : result.reason;
};

describe("pki/ca-cannot-sign in a client-CA bundle", () => {
  it("reports only the dead certificate, nothing of the sound CAs beside it, a version 1 root (no extensions to refuse it) included", async () => {
    const ca = await makeCertificate({ subject: "CN=kubernetes", ca: true });
    const rsaCa = await bareCertificate("CN=rsa-ca", caExtensions(), rsa(2048));
    const legacy = await versionOne(await bareCertificate("CN=legacy-root", [], rsa(2048)));
    const weak = await bareCertificate("CN=tiny-ca", caExtensions(), rsa(512));
    const bundle = [ca, rsaCa, legacy, weak];
    expect(audit(bundle).map((f) => [f.object?.name, f.position?.line])).toEqual([["tiny-ca", lineOf(bundle, 3)]]);
    // The model agrees that the version 1 root signs.
    const client = await makeCertificate({ subject: "CN=carol", eku: CLIENT_AUTH, signer: legacy });
    expect(chainOf(client, bundle)).toEqual(["CN=carol", "CN=legacy-root"]);
  });

  it("a certificate that is no CA by basicConstraints, yet signed a client here: the client is refused, the finding is at its PEM block", async () => {
    const ca = await makeCertificate({ subject: "CN=kubernetes", ca: true });
    const notCa = await makeCertificate({ subject: "CN=team-ca", ca: false, keyUsage: x509.KeyUsageFlags.keyCertSign });
    const client = await makeCertificate({ subject: "CN=alice", eku: CLIENT_AUTH, signer: notCa });
    const bundle = [ca, notCa];
    const findings = audit(bundle, [["alice.crt", client]]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: "medium", position: { file: BUNDLE, line: lineOf(bundle, 1) }, object: { kind: "Certificate", name: "team-ca" } });
    expect(lineOf(bundle, 1)).toBeGreaterThan(1);
    expect(findings[0]?.message).toBe(
      "certificate team-ca in the client CA given with --client-ca-file (/pki/bundle.crt) may not sign certificates in Go (CheckSignatureFrom: it is not a CA (basicConstraints)), yet signed the certificate alice.crt: Go refuses it, and every certificate that chains only to it. Go trusts it only for itself, when exactly this certificate is presented (Verify takes a certificate that is in the roots as a chain of one, checking no signature)",
    );
    // The model agrees: alice has no chain, the bundle's certificate is its own.
    expect(chainOf(client, bundle)).toMatch(/may not sign certificates: it is not a CA \(basicConstraints\)/);
    expect(chainOf(notCa, bundle)).toEqual(["CN=team-ca"]);
  });

  it("a version 3 certificate without basicConstraints and a keyUsage without keyCertSign, signing nothing: pinned, trusted only for itself, at info level", async () => {
    const ca = await makeCertificate({ subject: "CN=kubernetes", ca: true });
    const noBasicConstraints = await bareCertificate("CN=pinned-robot", [new x509.ExtendedKeyUsageExtension(CLIENT_AUTH)]);
    const noCertSign = await makeCertificate({ subject: "CN=pinned-ci", ca: true, keyUsage: x509.KeyUsageFlags.digitalSignature, eku: CLIENT_AUTH });
    const bundle = [ca, noBasicConstraints, noCertSign];
    const findings = audit(bundle);
    expect(findings.map((f) => [f.object?.name, f.severity, f.position?.line])).toEqual([
      ["pinned-robot", "info", lineOf(bundle, 1)],
      ["pinned-ci", "info", lineOf(bundle, 2)],
    ]);
    expect(findings[0]?.message).toMatch(/^certificate pinned-robot in .* is a pinned certificate, trusted only for itself: .*CheckSignatureFrom refuses it as a parent: it is not a CA \(it has no basicConstraints\)$/);
    expect(findings[1]?.message).toMatch(/CheckSignatureFrom refuses it as a parent: its keyUsage does not include keyCertSign$/);
    // Not useless: each is accepted when presented itself (Verify's roots.contains).
    expect(chainOf(noBasicConstraints, bundle)).toEqual(["CN=pinned-robot"]);
    expect(chainOf(noCertSign, bundle)).toEqual(["CN=pinned-ci"]);
  });

  it("a CA whose extended key usage leaves out clientAuth, beside a sound one: Verify drops every client chain through it (checkChainForKeyUsage)", async () => {
    const ca = await makeCertificate({ subject: "CN=kubernetes", ca: true });
    const serverOnly = await makeCertificate({ subject: "CN=server-only-ca", ca: true, eku: [x509.ExtendedKeyUsage.serverAuth] });
    const client = await makeCertificate({ subject: "CN=dave", eku: CLIENT_AUTH, signer: serverOnly });
    const bundle = [ca, serverOnly];
    const [finding, ...more] = audit(bundle, [["dave.crt", client]]);
    expect(more).toEqual([]);
    expect(finding).toMatchObject({ severity: "medium", position: { line: lineOf(bundle, 1) } });
    expect(finding?.message).toContain("its extended key usage leaves out clientAuth");
    // The chain model refuses the client for the same reason.
    expect(chainOf(client, bundle)).toMatch(/incompatible key usage/);
  });

  it("a CA with a critical extension Go does not handle, beside a sound one: accepted for nothing, not even itself", async () => {
    const ca = await makeCertificate({ subject: "CN=kubernetes", ca: true });
    const unhandled = await makeCertificate({ subject: "CN=odd-ca", ca: true, extensions: [new x509.Extension("1.3.6.1.4.1.55555.1", true, new Uint8Array([0x05, 0x00]))] });
    const client = await makeCertificate({ subject: "CN=bob", eku: CLIENT_AUTH, signer: unhandled });
    const bundle = [ca, unhandled];
    const [finding, ...more] = audit(bundle, [["bob.crt", client]]);
    expect(more).toEqual([]);
    expect(finding).toMatchObject({ severity: "medium", position: { line: lineOf(bundle, 1) } });
    expect(finding?.message).toMatch(
      /^CA certificate odd-ca in .* is never accepted by Go, as an issuer or as itself: Verify refuses it wherever it stands, as a root and as the presented certificate alike: its critical extension 1\.3\.6\.1\.4\.1\.55555\.1 is one Go does not handle \(x509: unhandled critical extension\)\. Certificates that chain only to it are refused$/,
    );
    expect(chainOf(client, bundle)).toMatch(/unhandled critical extension/);
    expect(chainOf(unhandled, bundle)).toMatch(/unhandled critical extension/);
  });

  it("a bundle whose only CA has a 512-bit RSA key authenticates nobody: one high finding for the file", async () => {
    const weak = await bareCertificate("CN=tiny-ca", caExtensions(), rsa(512));
    const findings = audit([weak]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: "high", position: { file: BUNDLE, line: 1 }, object: { kind: "File", name: "bundle.crt" } });
    expect(findings[0]?.message).toBe(
      "the client CA given with --client-ca-file (/pki/bundle.crt) authenticates nobody: its only certificate is one Go never accepts, as an issuer or as itself, so every certificate verified against it is refused (CA certificate tiny-ca (line 1): its RSA key has 512 bits, and Go's crypto/rsa (since Go 1.24) verifies no signature with a key under 1024 bits: neither the certificates it signed nor a TLS handshake made with its key)",
    );
  });

  it("a bundle of two dead CAs is one finding naming both; with a sound CA beside them, each is its own medium finding", async () => {
    const weak = await bareCertificate("CN=tiny-ca", caExtensions(), rsa(512));
    const odd = await makeCertificate({ subject: "CN=odd-ca", ca: true, extensions: [new x509.Extension("1.3.6.1.4.1.55555.1", true, new Uint8Array([0x05, 0x00]))] });
    const both = audit([weak, odd]);
    expect(both.map((f) => [f.severity, f.object?.kind])).toEqual([["high", "File"]]);
    expect(both[0]?.message).toMatch(/authenticates nobody: Go accepts none of its certificates, as issuers or as themselves, .*\(CA certificate tiny-ca \(line 1\): .*; CA certificate odd-ca \(line \d+\): .*unhandled critical extension\)\)$/);
    const ca = await makeCertificate({ subject: "CN=kubernetes", ca: true });
    expect(audit([ca, weak, odd]).map((f) => [f.object?.name, f.severity])).toEqual([
      ["tiny-ca", "medium"],
      ["odd-ca", "medium"],
    ]);
  });

  it("a certificate Go cannot parse (a critical authorityKeyIdentifier): the whole file is refused, high", async () => {
    const ca = await makeCertificate({ subject: "CN=kubernetes", ca: true });
    const criticalAki = await makeCertificate({ subject: "CN=strict-ca", ca: true, extensions: [new x509.Extension("2.5.29.35", true, Buffer.from("3006800401020304", "hex"))] });
    const bundle = [ca, criticalAki];
    const findings = audit(bundle);
    expect(findings.map((f) => [f.object?.name, f.severity, f.position?.line])).toEqual([["strict-ca", "high", lineOf(bundle, 1)]]);
    expect(findings[0]?.message).toMatch(/cannot be parsed by Go \(its authorityKeyIdentifier extension is marked critical, which RFC 5280 forbids\): Go never loads it, .*refuse the whole file: it authenticates nobody$/);
  });
});

describe("pki/ca-cannot-sign in a kubeadm directory, and through the CLI", () => {
  async function kubeadmDirectory() {
    const dir = mkdtempSync(join(tmpdir(), "palisade-pki-ca-cannot-sign-"));
    const write = (file: string, text: string) => {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), text);
    };
    const ca = await makeCertificate({ subject: "CN=kubernetes", ca: true });
    const etcdCa = await makeCertificate({ subject: "CN=etcd-ca", ca: true, keyUsage: x509.KeyUsageFlags.digitalSignature });
    const frontProxyCa = await bareCertificate("CN=front-proxy-ca", caExtensions(), rsa(512));
    write("ca.crt", pem(ca));
    write("apiserver.crt", pem(await makeCertificate({ subject: "CN=kube-apiserver", eku: [x509.ExtendedKeyUsage.serverAuth], signer: ca })));
    write("etcd/ca.crt", pem(etcdCa));
    write("etcd/server.crt", pem(await makeCertificate({ subject: "CN=etcd-server", eku: [x509.ExtendedKeyUsage.serverAuth], signer: etcdCa })));
    write("front-proxy-ca.crt", pem(frontProxyCa));
    return { dir, ca };
  }

  it("judges etcd/ca.crt and front-proxy-ca.crt as the bundles kubeadm's manifests name, ca.crt as the client CA", async () => {
    const { dir } = await kubeadmDirectory();
    const run = await palisade(["pki", dir, "-o", "json", "--fail-on", "none"]);
    expect(run.stderr).toBe("");
    const report = JSON.parse(run.stdout) as { findings: Array<{ ruleId: string; severity: string; message: string; position: { file: string; line: number } }> };
    const findings = report.findings.filter((f) => f.ruleId === "pki/ca-cannot-sign");
    expect(findings.map((f) => [f.position.file.slice(dir.length + 1), f.severity]).sort()).toEqual([
      ["etcd/ca.crt", "medium"],
      ["front-proxy-ca.crt", "high"],
    ]);
    const etcd = findings.find((f) => f.position.file.endsWith("etcd/ca.crt"));
    expect(etcd?.message).toMatch(/^certificate etcd-ca in etcd\/ca\.crt, etcd's --trusted-ca-file .*\(CheckSignatureFrom: its keyUsage does not include keyCertSign\), yet signed the certificate server\.crt: Go refuses it/);
    expect(findings.find((f) => f.position.file.endsWith("front-proxy-ca.crt"))?.message).toMatch(/^front-proxy-ca\.crt, kube-apiserver's --requestheader-client-ca-file \(kubeadm\) authenticates nobody/);
  });

  it("places findings about the --client-ca-file it is given in that file", async () => {
    const { dir, ca } = await kubeadmDirectory();
    const outside = mkdtempSync(join(tmpdir(), "palisade-pki-client-ca-"));
    const given = join(outside, "clients.crt");
    const pinned = await bareCertificate("CN=pinned-robot", [new x509.ExtendedKeyUsageExtension(CLIENT_AUTH)]);
    writeFileSync(given, pem(ca) + pem(pinned));
    const run = await palisade(["pki", dir, "-o", "json", "--fail-on", "none", "--client-ca-file", given]);
    const report = JSON.parse(run.stdout) as { findings: Array<{ ruleId: string; severity: string; position: { file: string; line: number } }> };
    expect(report.findings.filter((f) => f.ruleId === "pki/ca-cannot-sign" && f.position.file === given)).toEqual([
      expect.objectContaining({ severity: "info", position: { file: given, line: lineOf([ca, pinned], 1), column: 1 } }),
    ]);
  });

  it("outside a kubeadm layout names no bundle but the client CA", async () => {
    const { dir } = await kubeadmDirectory();
    const files = [{ file: join(dir, "etcd/ca.crt"), text: "" }];
    expect(kubeadmTrustBundles(dir, files)).toEqual([]);
    expect(kubeadmClientCa(dir, files)).toBeUndefined();
  });

  it("is listed by palisade rules with its docs", async () => {
    const run = await palisade(["rules", "pki/ca-cannot-sign", "-o", "json"]);
    expect(run.code).toBe(0);
    const [rule, ...more] = JSON.parse(run.stdout) as Array<{ id: string; severity: string; family: string; docs: { description: string; remediation: string } }>;
    expect(more).toEqual([]);
    expect(rule).toMatchObject({ id: "pki/ca-cannot-sign", severity: "medium", family: "pki" });
    expect(rule?.docs.description).toMatch(/pinned certificate/);
  });
});
