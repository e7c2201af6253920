/**
 * An encrypted private key is left alone when it stands by itself (an offline CA key may be kept
 * so on purpose), but one paired with a certificate (X.key beside X.crt, or a key in the same file
 * as a certificate) is meant to be loaded with it, and Go's tls.X509KeyPair, which every
 * Kubernetes component and etcd loads a pair with, asks no passphrase: it fails with
 * "tls: failed to parse private key", and the component does not start.
 */
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { createPrivateKey, KeyObject } from "node:crypto";
import { describe, expect, it } from "vitest";
import { CERTIFICATE_NOW, makeCertificate } from "../support/test-certificates.js";
import { auditPki, type PkiFile } from "../../src/hardening/pki/audit.js";

async function pair() {
  const made = await makeCertificate({ subject: "CN=kube-apiserver", eku: [x509.ExtendedKeyUsage.serverAuth] });
  const key = KeyObject.from(made.keys.privateKey);
  const encrypted = key.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "secret" }).toString();
  const legacy = createPrivateKey(key.export({ type: "pkcs8", format: "pem" })).export({ type: "sec1", format: "pem", cipher: "aes-256-cbc", passphrase: "secret" }).toString();
  return { certificate: `${made.cert.toString("pem").trimEnd()}\n`, encrypted, legacy, plain: key.export({ type: "pkcs8", format: "pem" }).toString() };
}

const at = (name: string, text: string): PkiFile => ({ file: `/pki/${name}`, text, mode: 0o600 });
const findings = (files: PkiFile[]) => auditPki(files, CERTIFICATE_NOW).findings.map((f) => `${f.ruleId} ${f.position?.file}:${f.position?.line} ${f.message}`);

describe("an encrypted key paired with a certificate", () => {
  it("is reported as unreadable beside its certificate, in PKCS #8 and in OpenSSL's legacy form", async () => {
    const { certificate, encrypted, legacy } = await pair();
    expect(findings([at("apiserver.crt", certificate), at("apiserver.key", encrypted)])).toEqual([
      "pki/unreadable /pki/apiserver.key:1 apiserver.key: the ENCRYPTED PRIVATE KEY block at line 1 is encrypted, and a component given it with its certificate apiserver.crt reads no passphrase: it cannot load the pair (tls: failed to parse private key)",
    ]);
    expect(findings([at("apiserver.crt", certificate), at("apiserver.key", legacy)])).toEqual([
      "pki/unreadable /pki/apiserver.key:1 apiserver.key: the EC PRIVATE KEY block at line 1 is encrypted, and a component given it with its certificate apiserver.crt reads no passphrase: it cannot load the pair (tls: failed to parse private key)",
    ]);
  });

  it("is reported in a file that holds the certificate too, at the key's line", async () => {
    const { certificate, encrypted } = await pair();
    const lines = certificate.trimEnd().split("\n").length;
    expect(findings([at("kubelet-client-current.pem", `${certificate}${encrypted}`)])).toEqual([
      `pki/unreadable /pki/kubelet-client-current.pem:${lines + 1} kubelet-client-current.pem: the ENCRYPTED PRIVATE KEY block at line ${lines + 1} is encrypted, and a component given it with the certificate in the same file reads no passphrase: it cannot load the pair (tls: failed to parse private key)`,
    ]);
  });

  it("is left alone without a certificate, and a plain key beside its certificate is fine", async () => {
    const { certificate, encrypted, plain } = await pair();
    expect(findings([at("offline-ca.key", encrypted)])).toEqual([]);
    expect(findings([at("apiserver.crt", certificate), at("apiserver.key", plain)])).toEqual([]);
  });
});
