/** Real PKCS#10 requests for the CSR tests, made with @peculiar/x509 (RSA or ECDSA keys). */
// @peculiar/x509 needs the Reflect metadata polyfill loaded before it.
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export type KeyKind = "rsa" | "ecdsa";

export interface RequestSpec {
  /** An X.500 name: "CN=system:node:a, O=system:nodes". */
  subject: string;
  key?: KeyKind;
  dns?: string[];
  ips?: string[];
  emails?: string[];
  uris?: string[];
}

const ALGORITHMS = {
  rsa: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 },
  ecdsa: { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" },
} as const;

const keyPairs = new Map<KeyKind, Promise<webcrypto.CryptoKeyPair>>();

function keysOf(kind: KeyKind): Promise<webcrypto.CryptoKeyPair> {
  let keys = keyPairs.get(kind);
  if (!keys) {
    keys = webcrypto.subtle.generateKey(ALGORITHMS[kind], true, ["sign", "verify"]) as Promise<webcrypto.CryptoKeyPair>;
    keyPairs.set(kind, keys);
  }
  return keys;
}

/** A PEM CERTIFICATE REQUEST signed with its own key (one key pair per kind, reused). */
export async function makeRequest(spec: RequestSpec): Promise<string> {
  const kind = spec.key ?? "rsa";
  const names: x509.JsonGeneralName[] = [
    ...(spec.dns ?? []).map((value) => ({ type: "dns" as const, value })),
    ...(spec.ips ?? []).map((value) => ({ type: "ip" as const, value })),
    ...(spec.emails ?? []).map((value) => ({ type: "email" as const, value })),
    ...(spec.uris ?? []).map((value) => ({ type: "url" as const, value })),
  ];
  const request = await x509.Pkcs10CertificateRequestGenerator.create({
    name: spec.subject,
    keys: await keysOf(kind),
    signingAlgorithm: ALGORITHMS[kind],
    extensions: names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names)] : [],
  });
  return request.toString("pem");
}

/** The DER inside a PEM block. */
export function derOf(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
}

export function pemOf(der: Buffer, type = "CERTIFICATE REQUEST"): string {
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${type}-----\n${lines.join("\n")}\n-----END ${type}-----\n`;
}

/** The same request with the last byte of its signature changed: it parses, and its signature no longer verifies. */
export function withBadSignature(pem: string): string {
  const der = derOf(pem);
  der[der.length - 1] = (der[der.length - 1] ?? 0) ^ 0x01;
  return pemOf(der);
}

export const base64 = (text: string) => Buffer.from(text).toString("base64");

/** A CertificateSigningRequest manifest (YAML) around a PEM request. */
export function csrManifest(name: string, signerName: string, pem: string, usages: string[] = ["digital signature", "client auth"]): string {
  return `apiVersion: certificates.k8s.io/v1
kind: CertificateSigningRequest
metadata:
  name: ${name}
spec:
  signerName: ${signerName}
  request: ${base64(pem)}
  usages:
${usages.map((u) => `  - ${u}`).join("\n")}
`;
}
