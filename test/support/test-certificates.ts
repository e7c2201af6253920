/**
 * Certificates made for a test, with the fields X.509 chain rules read: basicConstraints
 * (CA, pathLen), keyUsage, extended key usage, a signer, a forged issuer name and the
 * signature's hash. Valid from a day before `CERTIFICATE_NOW` for 300 days.
 */
// @peculiar/x509 needs the Reflect metadata polyfill loaded before it.
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

export const CERTIFICATE_NOW = new Date();
const DAY = 86_400_000;
const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export interface MadeCertificate {
  cert: x509.X509Certificate;
  keys: webcrypto.CryptoKeyPair;
}

export interface CertificateSpec {
  subject: string;
  ca?: boolean;
  pathLength?: number;
  /** Extended key usages; undefined leaves the extension out. */
  eku?: string[];
  /** Absent: keyCertSign and cRLSign for a CA, digitalSignature otherwise. */
  keyUsage?: number;
  /** Who signs it; absent: itself. */
  signer?: MadeCertificate;
  /** The issuer name written in it, when it is not the signer's (a forgery naming another CA). */
  issuer?: string;
  hash?: "SHA-1" | "SHA-256";
  /** More extensions (subjectAltName, nameConstraints, ...). */
  extensions?: x509.Extension[];
  /** Keys to reuse (a CA issued again with the same key). */
  keys?: webcrypto.CryptoKeyPair;
}

export async function makeCertificate(spec: CertificateSpec): Promise<MadeCertificate> {
  const keys = spec.keys ?? ((await webcrypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair);
  const ca = spec.ca ?? false;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(ca, spec.pathLength, true),
    new x509.KeyUsagesExtension(spec.keyUsage ?? (ca ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign : x509.KeyUsageFlags.digitalSignature), true),
  ];
  if (spec.eku) extensions.push(new x509.ExtendedKeyUsageExtension(spec.eku));
  extensions.push(...(spec.extensions ?? []));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString("hex").replace(/^[89a-f]/, "1"),
    subject: spec.subject,
    issuer: spec.issuer ?? (spec.signer ? spec.signer.cert.subject : spec.subject),
    notBefore: new Date(CERTIFICATE_NOW.getTime() - DAY),
    notAfter: new Date(CERTIFICATE_NOW.getTime() + 300 * DAY),
    publicKey: keys.publicKey,
    signingKey: spec.signer ? spec.signer.keys.privateKey : keys.privateKey,
    signingAlgorithm: { ...ALGORITHM, hash: spec.hash ?? ALGORITHM.hash },
    extensions,
  });
  return { cert, keys };
}
