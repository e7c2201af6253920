/**
 * How `palisade pki` words a weak key whose size Node does not give: an elliptic curve Go does not
 * take (secp256k1, which Go's x509 parser refuses: "x509: unknown elliptic curve") has no bit count
 * in Palisade's facts, and an Ed25519 key has one fixed size. The message and the KEY column say
 * what the key is instead of printing "undefined".
 */
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { generateKeyPairSync, webcrypto } from "node:crypto";
import { describe, expect, it } from "vitest";
import { CERTIFICATE_NOW } from "../support/test-certificates.js";
import { auditPki } from "../../src/hardening/pki/audit.js";

describe("weak keys of no known size, in words", () => {
  it("says why a secp256k1 private key is weak rather than calling it an undefined-bit key", () => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "secp256k1" });
    const text = privateKey.export({ type: "sec1", format: "pem" }).toString();
    const finding = auditPki([{ file: "/pki/sa.key", text, mode: 0o600 }], CERTIFICATE_NOW).findings.find((f) => f.ruleId === "pki/weak-key");
    expect(finding?.message).toBe("private key sa.key (no certificate of it here) has a weak key (elliptic curve secp256k1 is not P-256, P-384 or P-521): what it signs (service-account tokens, for sa.key) can be forged");
    expect(finding?.message).not.toContain("undefined");
  });

  it("keeps the bit count for an RSA key", () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const text = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    expect(auditPki([{ file: "/pki/sa.key", text, mode: 0o600 }], CERTIFICATE_NOW).findings[0]?.message).toMatch(/^private key sa\.key \(no certificate of it here\) has a 1024-bit RSA key:/);
  });

  it("lists an Ed25519 certificate's key as Ed25519, with no unknown size", async () => {
    const algorithm = { name: "Ed25519" };
    const keys = (await webcrypto.subtle.generateKey(algorithm, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
    const cert = await x509.X509CertificateGenerator.createSelfSigned({ serialNumber: "01", name: "CN=ed", keys, signingAlgorithm: algorithm, notBefore: new Date(CERTIFICATE_NOW.getTime() - 86_400_000), notAfter: new Date(CERTIFICATE_NOW.getTime() + 300 * 86_400_000) });
    const audit = auditPki([{ file: "/pki/ed.crt", text: cert.toString("pem"), mode: 0o644 }], CERTIFICATE_NOW);
    expect(audit.certificates.map((c) => c.key)).toEqual(["Ed25519"]);
  });
});
