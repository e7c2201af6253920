/**
 * The PKCS#10 request of a CertificateSigningRequest (certificates.k8s.io/v1 spec.request),
 * read as Kubernetes reads it: the field is bytes, so its JSON/YAML text is base64 (of the
 * PEM text); pkg/apis/certificates ParseCSR then takes the first PEM block Go's encoding/pem
 * finds, which must be a CERTIFICATE REQUEST, and parses it with x509.ParseCertificateRequest.
 * Parsing is @peculiar/x509's, loaded on first use: most scans hold no CSR. What is kept
 * are the subject and SANs the rules judge and what checking the signature needs; never
 * the request's text, which no message prints.
 */
import type * as X509 from "@peculiar/x509";
import { decodeStdBase64 } from "../../k8s/go-base64.js";
import { peculiarX509 } from "../peculiar.js";
import { pemBlocks } from "../pki/pem.js";

export interface CsrSubject {
  /** Go's pkix.Name.CommonName: the last CN of the subject. */
  commonName: string;
  /** Go's pkix.Name.Organization: every O value, in order (the groups of a client certificate). */
  organizations: string[];
  dnsNames: string[];
  emailAddresses: string[];
  ipAddresses: string[];
  uris: string[];
}

/** What checking the request's signature needs (signature.ts). */
export interface CsrSignedParts {
  /** The DER of CertificationRequestInfo: what the signature covers. */
  signed: Buffer;
  signature: Buffer;
  /** The signature algorithm's OID, dotted. */
  algorithm: string;
  /** The hash of an RSASSA-PSS signature and its salt length, when the algorithm is PSS. */
  pss?: { hash: string; saltLength: number };
  /** SubjectPublicKeyInfo, DER. */
  publicKey: Buffer;
}

export interface CsrFacts extends CsrSubject {
  signedParts: CsrSignedParts;
}

/**
 * Why the request cannot be read, in Go's words where Kubernetes reports Go's error (base64:
 * encoding/json's). too-large: the object is over kube-apiserver's request body limit, and
 * the request is not read at all (model.ts).
 */
export type CsrReading = { facts: CsrFacts } | { problem: string; stage: "type" | "too-large" | "base64" | "pem" | "parse" };

/** ParseCSR's error when the first PEM block is missing or of another type (pkg/apis/certificates/helpers.go). */
export const NOT_A_CSR_BLOCK = "PEM block type must be CERTIFICATE REQUEST";

/** Loads the parser now (a server that will judge CSRs, before its first request). */
export function preloadCsrReader(): void {
  peculiarX509();
}

/**
 * Go's base64.StdEncoding as encoding/json decodes a []byte field: padded, the standard
 * alphabet, line breaks skipped (a YAML block scalar keeps them), nothing else. Returns the
 * bytes, or Go's error (the position of the first character it refuses, where it names one).
 */
function decodeBase64(text: string): Buffer | string {
  const illegal = /[^A-Za-z0-9+/=\r\n]/.exec(text);
  if (illegal) return `illegal base64 data at input byte ${illegal.index}`;
  const bytes = decodeStdBase64(text);
  return bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : "illegal base64 data: padded base64 comes in groups of four characters, '=' only at the end";
}

/** encoding/json's refusal of a value that is not a JSON string, for a []byte field. */
function notText(value: unknown): string {
  const kind = typeof value === "number" ? "number" : typeof value === "boolean" ? "bool" : Array.isArray(value) ? "array" : "object";
  return `json: cannot unmarshal ${kind} into Go struct field CertificateSigningRequestSpec.spec.request of type []uint8`;
}

/** Reads spec.request's value as the API server would. */
export function readCsrRequest(value: unknown): CsrReading {
  // A request left out is empty bytes to the API server: no PEM block at all.
  if (value === undefined || value === null) return parseCsrPem("");
  if (typeof value !== "string") return { problem: notText(value), stage: "type" };
  const bytes = decodeBase64(value);
  if (typeof bytes === "string") return { problem: bytes, stage: "base64" };
  return parseCsrPem(bytes.toString("latin1"));
}

/** ParseCSR over PEM text: the first block Go's pem.Decode returns (a damaged one is skipped, as Go does). */
export function parseCsrPem(pem: string): CsrReading {
  const block = pemBlocks(pem).find((candidate) => candidate.der !== undefined);
  if (!block?.der || block.type !== "CERTIFICATE REQUEST") return { problem: NOT_A_CSR_BLOCK, stage: "pem" };
  const facts = csrFacts(block.der);
  return facts ? { facts } : { problem: "its CERTIFICATE REQUEST block does not parse as a PKCS#10 request (x509.ParseCertificateRequest fails)", stage: "parse" };
}

function csrFacts(der: Buffer): CsrFacts | undefined {
  const { Pkcs10CertificateRequest } = peculiarX509();
  /** The parts a signature check needs, which the class keeps to itself. */
  class ReadableRequest extends Pkcs10CertificateRequest {
    signedParts(): Omit<CsrSignedParts, "pss" | "publicKey"> | undefined {
      const signed = this.asn.certificationRequestInfoRaw;
      return signed && { signed: Buffer.from(signed), signature: Buffer.from(this.asn.signature), algorithm: this.asn.signatureAlgorithm.algorithm };
    }
  }
  try {
    // asn1js stops at 10,000 nodes by default; Go has no such limit, and a request with
    // thousands of SANs is still a request. Every node takes at least two bytes, so this
    // bound is the size of the request (which the caller has already read), not a count.
    const request = new ReadableRequest(der, { berOptions: { maxNodes: der.length } });
    const parts = request.signedParts();
    if (!parts) return undefined;
    const signedParts: CsrSignedParts = { ...parts, publicKey: Buffer.from(request.publicKey.rawData) };
    const pss = pssParameters(request, parts.algorithm);
    if (pss) signedParts.pss = pss;
    return { ...subjectOf(request), signedParts };
  } catch {
    return undefined;
  }
}

const RSASSA_PSS = "1.2.840.113549.1.1.10";

function pssParameters(request: X509.Pkcs10CertificateRequest, algorithm: string): CsrSignedParts["pss"] {
  if (algorithm !== RSASSA_PSS) return undefined;
  try {
    const described = request.signatureAlgorithm as { hash?: { name?: string }; saltLength?: number };
    const hash = described.hash?.name;
    return hash === undefined ? undefined : { hash, saltLength: described.saltLength ?? 20 };
  } catch {
    // Parameters @peculiar/x509 cannot read: Go does not know them either (signature.ts says so).
    return undefined;
  }
}

function subjectOf(request: X509.Pkcs10CertificateRequest): CsrSubject {
  let commonName = "";
  const organizations: string[] = [];
  for (const rdn of request.subjectName.toJSON()) {
    for (const [type, values] of Object.entries(rdn)) {
      if (type === "CN" && values.length > 0) commonName = values[values.length - 1] as string;
      if (type === "O") organizations.push(...values);
    }
  }
  const subject: CsrSubject = { commonName, organizations, dnsNames: [], emailAddresses: [], ipAddresses: [], uris: [] };
  const { SubjectAlternativeNameExtension } = peculiarX509();
  for (const extension of request.extensions) {
    if (!(extension instanceof SubjectAlternativeNameExtension)) continue;
    for (const name of extension.names.toJSON()) {
      if (name.type === "dns") subject.dnsNames.push(name.value);
      else if (name.type === "email") subject.emailAddresses.push(name.value);
      else if (name.type === "ip") subject.ipAddresses.push(name.value);
      else if (name.type === "url") subject.uris.push(name.value);
    }
  }
  return subject;
}
