/**
 * The facts the checks need of a certificate held in a kubeconfig (`*-data`: base64 of
 * PEM), read with node:crypto's X509Certificate: synchronous, and no library to load for
 * the few scans that hold a kubeconfig.
 */
import type * as Crypto from "node:crypto";
import { createRequire } from "node:module";

export interface CertificateFacts {
  commonName: string | undefined;
  /** The subject's O= values: a client certificate's groups to kube-apiserver. */
  organizations: string[];
  notAfter: Date;
  keyType: string | undefined;
  /** RSA modulus or EC curve size, in bits. */
  keyBits: number | undefined;
}

const EC_CURVE_BITS: Record<string, number> = { prime256v1: 256, "P-256": 256, secp384r1: 384, "P-384": 384, secp521r1: 521, "P-521": 521 };

/** The certificate in base64 PEM data, or a reason it cannot be read. */
export function readCertificate(base64: string): CertificateFacts | { problem: string } {
  const pem = Buffer.from(base64, "base64").toString("latin1");
  if (!pem.includes("-----BEGIN CERTIFICATE-----")) return { problem: "is not base64 of a PEM certificate" };
  let certificate: Crypto.X509Certificate;
  try {
    // Required here, not imported: most scans hold no kubeconfig.
    const { X509Certificate } = createRequire(import.meta.url)("node:crypto") as typeof Crypto;
    certificate = new X509Certificate(pem);
  } catch {
    return { problem: "holds a PEM block that is not a valid X.509 certificate" };
  }
  const subject = certificate.subject.split("\n");
  const values = (key: string) => subject.filter((part) => part.startsWith(`${key}=`)).map((part) => part.slice(key.length + 1));
  const details = certificate.publicKey.asymmetricKeyDetails;
  const keyType = certificate.publicKey.asymmetricKeyType;
  const keyBits = details?.modulusLength ?? (details?.namedCurve ? EC_CURVE_BITS[details.namedCurve] : undefined);
  return { commonName: values("CN")[0], organizations: values("O"), notAfter: new Date(certificate.validTo), keyType, keyBits };
}
