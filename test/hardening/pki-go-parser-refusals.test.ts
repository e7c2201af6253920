/**
 * Certificates of a PKI directory that Node's X509Certificate loads but Go's crypto/x509 parser
 * refuses, so that the component given the file cannot load it: a negative serial number
 * (refused since Go 1.23, whose x509negativeserial default Kubernetes keeps), a critical
 * subjectKeyIdentifier (RFC 5280 forbids it; Go refuses to parse it). `palisade pki` must say
 * so of the component's own certificate, not only of a trust bundle's.
 */
// @peculiar/x509 needs the Reflect metadata polyfill loaded before it.
import "reflect-metadata";
import { AsnConvert } from "@peculiar/asn1-schema";
import { Certificate, TBSCertificate } from "@peculiar/asn1-x509";
import * as x509 from "@peculiar/x509";
import { KeyObject, sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import { CERTIFICATE_NOW, makeCertificate, type MadeCertificate } from "../support/test-certificates.js";
import { auditPki, type PkiFile } from "../../src/hardening/pki/audit.js";
import { goRefusal } from "../../src/hardening/pki/client-chain.js";
import { clientCaFromFile } from "../../src/hardening/pki/client-ca.js";
import { certificateFromDer, type CertificateFacts } from "../../src/hardening/x509.js";

/** `made` with its serial number replaced by `serial` (DER INTEGER contents), signed again by `signer` so only the serial differs. */
function withSerial(made: MadeCertificate, signer: MadeCertificate, serial: number[]): Buffer {
  const certificate = AsnConvert.parse(made.cert.rawData, Certificate);
  certificate.tbsCertificate.serialNumber = new Uint8Array(serial).buffer;
  const tbs = Buffer.from(AsnConvert.serialize(certificate.tbsCertificate));
  certificate.tbsCertificate = AsnConvert.parse(tbs, TBSCertificate);
  const signature = sign("sha256", tbs, { key: KeyObject.from(signer.keys.privateKey), dsaEncoding: "der" });
  certificate.signatureValue = new Uint8Array(signature).buffer;
  return Buffer.from(AsnConvert.serialize(certificate));
}

const pem = (der: Buffer) => `-----BEGIN CERTIFICATE-----\n${der.toString("base64").replace(/(.{64})/g, "$1\n").replace(/\n$/, "")}\n-----END CERTIFICATE-----\n`;
const file = (name: string, der: Buffer): PkiFile => ({ file: `/pki/${name}`, text: pem(der), mode: 0o644 });
const facts = (der: Buffer) => certificateFromDer(der) as CertificateFacts;
const rulesOf = (files: PkiFile[], options: Parameters<typeof auditPki>[2] = {}) => auditPki(files, CERTIFICATE_NOW, options).findings.map((f) => `${f.ruleId} ${f.position?.file}`);

describe("certificates Go's parser refuses though Node loads them", () => {
  it("refuses a certificate with a negative serial number, and takes the same certificate with a positive one", async () => {
    const ca = await makeCertificate({ subject: "CN=ca", ca: true });
    const leaf = await makeCertificate({ subject: "CN=kube-apiserver", eku: [x509.ExtendedKeyUsage.serverAuth], signer: ca });
    const negative = withSerial(leaf, ca, [0xf1, 0x02, 0x03]);
    const positive = withSerial(leaf, ca, [0x71, 0x02, 0x03]);
    expect(facts(negative).certificate.verify(facts(Buffer.from(ca.cert.rawData)).certificate.publicKey)).toBe(true);
    expect(goRefusal(facts(negative))).toMatch(/serial number is negative.*x509: negative serial number/);
    expect(goRefusal(facts(positive))).toBeUndefined();
  });

  it("reports a directory certificate Go refuses to parse as pki/unreadable, naming why, and only that file", async () => {
    const ca = await makeCertificate({ subject: "CN=ca", ca: true });
    const leaf = await makeCertificate({ subject: "CN=kube-apiserver", eku: [x509.ExtendedKeyUsage.serverAuth], signer: ca });
    const criticalKeyId = await makeCertificate({ subject: "CN=front-proxy-client", signer: ca, extensions: [new x509.Extension("2.5.29.14", true, Buffer.from("04020102", "hex"))] });
    const files = [file("ca.crt", Buffer.from(ca.cert.rawData)), file("apiserver.crt", withSerial(leaf, ca, [0xf1, 0x02])), file("front-proxy-client.crt", Buffer.from(criticalKeyId.cert.rawData)), file("ok.crt", withSerial(leaf, ca, [0x01]))];
    const audit = auditPki(files, CERTIFICATE_NOW);
    expect(audit.findings.map((f) => `${f.ruleId} ${f.position?.file}`)).toEqual(["pki/unreadable /pki/apiserver.crt", "pki/unreadable /pki/front-proxy-client.crt"]);
    expect(audit.findings[0]?.message).toBe("apiserver.crt: Go's crypto/x509 refuses to parse the CERTIFICATE block at line 1: its serial number is negative, which Go's parser refuses since Go 1.23 (x509: negative serial number; Kubernetes does not set GODEBUG x509negativeserial=1)");
    expect(audit.findings[1]?.message).toMatch(/subjectKeyIdentifier extension is marked critical/);
    // Still listed, with what is known of it: the table shows every certificate of the directory.
    expect(audit.certificates.map((c) => c.file)).toContain("/pki/apiserver.crt");
  });

  it("leaves a refused certificate of a trust bundle to pki/ca-cannot-sign instead of reporting it twice", async () => {
    const ca = await makeCertificate({ subject: "CN=ca", ca: true });
    const negativeCa = withSerial(ca, ca, [0x80]);
    const caFile = file("ca.crt", negativeCa);
    const clientCa = clientCaFromFile(caFile.file, caFile.text, "ca.crt") as NonNullable<ReturnType<typeof clientCaFromFile>>;
    expect(rulesOf([caFile], { clientCa })).toEqual(["pki/ca-cannot-sign /pki/ca.crt"]);
    expect(rulesOf([caFile])).toEqual(["pki/unreadable /pki/ca.crt"]);
  });
});
