/**
 * pki/weak-signature is about signatures Go checks: since Go 1.18 crypto/x509 refuses a SHA-1
 * (or MD5) signature on a certificate it verifies against its issuer, but never checks the
 * signature of a self-signed certificate, which is trusted as itself (a root in a bundle).
 * So a CA-signed SHA-1 certificate is reported, a self-signed SHA-1 root is not, and a
 * self-issued certificate that another key signed is (its name alone does not make it a root).
 */
// @peculiar/x509 needs the Reflect metadata polyfill loaded before it.
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";
import { describe, expect, it } from "vitest";
import { auditPki } from "../../src/hardening/pki/audit.js";

const NOW = new Date();
const DAY = 86_400_000;
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
const rsa = (hash: "SHA-1" | "SHA-256") => ({ name: "RSASSA-PKCS1-v1_5", hash, publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 });

async function certificate(subject: string, issuer: string, hash: "SHA-1" | "SHA-256", signingKey?: webcrypto.CryptoKey) {
  // The signing key carries the hash: webcrypto binds it to the key.
  const keys = (await webcrypto.subtle.generateKey(rsa(hash), true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: "01",
    subject,
    issuer,
    notBefore: new Date(NOW.getTime() - DAY),
    notAfter: new Date(NOW.getTime() + 300 * DAY),
    publicKey: keys.publicKey,
    signingKey: signingKey ?? keys.privateKey,
    signingAlgorithm: rsa(hash),
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  return { pem: cert.toString("pem"), keys };
}

describe("pki/weak-signature", () => {
  it("reports SHA-1 signatures Go checks, and not a self-signed root's own", async () => {
    const root = await certificate("CN=legacy-root", "CN=legacy-root", "SHA-1");
    const signed = await certificate("CN=legacy-intermediate", "CN=legacy-root", "SHA-1", root.keys.privateKey);
    // Issuer and subject alike, but the root's key signed it: Go checks that signature.
    const selfIssued = await certificate("CN=legacy-root", "CN=legacy-root", "SHA-1", root.keys.privateKey);
    const files = [
      { file: "/pki/root.crt", text: root.pem, mode: 0o644 },
      { file: "/pki/intermediate.crt", text: signed.pem, mode: 0o644 },
      { file: "/pki/rollover.crt", text: selfIssued.pem, mode: 0o644 },
    ];
    const reported = auditPki(files, NOW).findings.filter((f) => f.ruleId === "pki/weak-signature");
    expect(reported.map((f) => [f.position!.file, f.message])).toEqual([
      ["/pki/intermediate.crt", "CA certificate legacy-intermediate (intermediate.crt) is signed with sha1WithRSAEncryption"],
      ["/pki/rollover.crt", "CA certificate legacy-root (rollover.crt) is signed with sha1WithRSAEncryption"],
    ]);
  }, 60_000);
});
