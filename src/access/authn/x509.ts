/**
 * X.509 client-certificate authentication as kube-apiserver does it (--client-ca-file):
 * the presented chain must verify to one of the CAs at the given time, for client auth;
 * then the subject's CommonName is the user and its Organizations are the groups.
 * Parsing is @peculiar/x509's; the chain is verified by the one model of Go's x509.Verify
 * (hardening/pki/client-chain.ts); the clock is a parameter.
 */
// @peculiar/x509 resolves its parsers through tsyringe, which needs the Reflect metadata API.
import "reflect-metadata";
import { createHash, createPublicKey } from "node:crypto";
import { X509Certificate } from "@peculiar/x509";
import { UserError } from "../../errors.js";
import { appendCertsFromPem, type SkipReason } from "../../hardening/pki/cert-pool.js";
import { describeDamage, pemBlocks } from "../../hardening/pki/pem.js";
import { verifyClientChain, type ChainCertificate } from "../../hardening/pki/client-chain.js";
import { certificateFromDer, keyWeakness } from "../../hardening/x509.js";
import { rejected, type AuthenticationResult, type UserInfo } from "./types.js";

/** kubeadm issues client certificates for a year; longer-lived ones outlast most rotations. */
const LONG_VALIDITY_DAYS = 366;

export interface CertificateSummary {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  key: string;
  signatureAlgorithm: string;
}

export interface ClientCertificateReport {
  certificate: CertificateSummary;
  /** What the certificate claims (CN, O), whether or not it verified. */
  claimedUser?: UserInfo;
  result: AuthenticationResult;
  /** Subjects from leaf to trust anchor, when the chain verified. */
  chain: string[];
  /** Weaknesses worth acting on even when authentication succeeds. */
  warnings: string[];
}

const NOT_PEM_HINT = "expected -----BEGIN CERTIFICATE----- blocks (convert a DER certificate with openssl x509 -inform der)";

/** Every certificate in PEM text, in order. Bad input is a UserError naming the file and line. */
export function parseCertificates(pem: string, file: string): X509Certificate[] {
  const all = pemBlocks(pem);
  const blocks = all.filter((b) => b.type === "CERTIFICATE");
  if (blocks.length === 0) {
    if (all.length === 0) throw new UserError(`${file}: not PEM-encoded certificates`, { hint: NOT_PEM_HINT });
    throw new UserError(`${file}: no CERTIFICATE block found`, { hint: "expected -----BEGIN CERTIFICATE----- blocks (a private key is not a certificate)" });
  }
  return blocks.map((block, i) => {
    const at = { file, line: block.line, column: 1 };
    // Go would skip a damaged block without a word and take the next certificate for this one.
    const damage = describeDamage(block);
    if (damage || !block.der) throw new UserError(`certificate ${i + 1}: ${damage}`, { position: at, hint: "the file was damaged (cut short or edited): copy the certificate again from its source" });
    try {
      return new X509Certificate(block.der);
    } catch (err) {
      throw new UserError(`certificate ${i + 1} cannot be parsed as X.509`, { position: at, hint: "the block's base64 decodes, but not to a certificate: copy the certificate again from its source", cause: err });
    }
  });
}

/** What each consumer of a CA bundle does with a block it cannot use. */
const SKIPPED_BY: Record<SkipReason, string> = {
  damaged: "kubectl and kube-apiserver skip it too",
  "not-a-certificate": "kubectl and kube-apiserver skip it too",
  headers: "kubectl and kube-apiserver skip it too",
  // client-go's cert.ParseCertsPEM, behind --client-ca-file, stops at a certificate it cannot parse.
  "not-x509": "kubectl skips it too, but kube-apiserver refuses a --client-ca-file that holds it",
};

/**
 * A CA bundle as kubectl and client-go load certificate-authority(-data), with Go's
 * CertPool.AppendCertsFromPEM: a block that cannot be used is skipped, and said so through
 * `warn` (file, line and block number, never its content); only a bundle that yields no
 * certificate at all is a UserError.
 */
export function parseCaBundle(pem: string, file: string, warn: (message: string) => void): X509Certificate[] {
  const pool = appendCertsFromPem(pem, (der) => new X509Certificate(der));
  for (const skipped of pool.skipped) warn(`${file}:${skipped.line}:1: block ${skipped.index} skipped: ${skipped.message}; ${SKIPPED_BY[skipped.reason]}`);
  if (pool.certificates.length > 0) return pool.certificates;
  if (pool.blocks === 0) throw new UserError(`${file}: not PEM-encoded certificates`, { hint: NOT_PEM_HINT });
  const skipped = pool.blocks === 1 ? "its only PEM block was skipped" : `all ${pool.blocks} of its PEM blocks were skipped`;
  throw new UserError(`${file}: no certificate could be read from the CA bundle: ${skipped}`, {
    hint: "kubectl refuses such a bundle too: copy the CA certificate again from its source (the cluster's ca.crt, or a kubeconfig's certificate-authority-data, base64-decoded)",
  });
}

function describeKey(cert: X509Certificate): { text: string; weakness?: string; rsaBits?: number } {
  const key = createPublicKey({ key: Buffer.from(cert.publicKey.rawData), format: "der", type: "spki" });
  const details = key.asymmetricKeyDetails ?? {};
  const weakness = keyWeakness(key.asymmetricKeyType, details);
  const rsa = key.asymmetricKeyType === "rsa" || key.asymmetricKeyType === "rsa-pss";
  const text = rsa ? `RSA ${details.modulusLength ?? 0}` : key.asymmetricKeyType === "ec" ? `ECDSA ${details.namedCurve ?? "unknown curve"}` : key.asymmetricKeyType === "ed25519" ? "Ed25519" : String(key.asymmetricKeyType);
  return { text, ...(rsa ? { rsaBits: details.modulusLength ?? 0 } : {}), ...(weakness ? { weakness } : {}) };
}

function summarize(cert: X509Certificate): CertificateSummary {
  const alg = cert.signatureAlgorithm as { name: string; hash?: { name: string } };
  return {
    subject: cert.subject,
    issuer: cert.issuer,
    serialNumber: cert.serialNumber,
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    key: describeKey(cert).text,
    signatureAlgorithm: alg.hash ? `${alg.name} with ${alg.hash.name}` : alg.name,
  };
}

/** The facts the shared chain model (Go's x509.Verify) reads, kept with the certificate they came from. */
function forChain(certs: readonly X509Certificate[]): Map<ChainCertificate, X509Certificate> {
  const out = new Map<ChainCertificate, X509Certificate>();
  for (const cert of certs) {
    const facts = certificateFromDer(Buffer.from(cert.rawData));
    if (facts) out.set(facts, cert);
  }
  return out;
}

/**
 * The chain kube-apiserver builds (Go's x509.Verify for client authentication, modelled once
 * in hardening/pki/client-chain.ts for this and pki/system-masters), or why there is none.
 */
function verifyChain(leaf: X509Certificate, intermediates: X509Certificate[], roots: X509Certificate[], now: Date): { chain: X509Certificate[] } | { reason: string } {
  const [leafFacts] = forChain([leaf]).keys();
  if (!leafFacts) return { reason: "the certificate cannot be read by the chain verifier" };
  const presented = forChain(intermediates);
  const trusted = forChain(roots);
  const verified = verifyClientChain(leafFacts, [...trusted.keys()], [...presented.keys()], now);
  if ("reason" in verified) return verified;
  const original = (facts: ChainCertificate) => (facts === leafFacts ? leaf : (presented.get(facts) ?? trusted.get(facts))) as X509Certificate;
  return { chain: verified.chain.map(original) };
}

/**
 * Common name → user, organizations → groups, as kube-apiserver's CommonNameUserConversion.
 * Go's pkix.Name keeps the last CommonName of a subject that carries several.
 */
export function userFromCertificate(cert: X509Certificate): UserInfo | undefined {
  const cn = cert.subjectName.getField("CN").at(-1) ?? "";
  if (cn === "") return undefined;
  return { username: cn, groups: cert.subjectName.getField("O") };
}

export interface ClientCertificateInput {
  /** The presented certificates: the leaf first, then any intermediates the client sends. */
  presented: X509Certificate[];
  /** The CA bundle (--client-ca-file); absent means the chain cannot be verified. */
  roots?: X509Certificate[];
  now: Date;
}

export async function authenticateClientCertificate(input: ClientCertificateInput): Promise<ClientCertificateReport> {
  const [leaf, ...intermediates] = input.presented;
  if (!leaf) throw new UserError("no client certificate given");
  const claimedUser = userFromCertificate(leaf);
  const warnings: string[] = [];
  const key = describeKey(leaf);
  if (key.weakness) warnings.push(`weak key: ${key.weakness}`);
  const lifetimeDays = (leaf.notAfter.getTime() - leaf.notBefore.getTime()) / 86_400_000;
  if (lifetimeDays > LONG_VALIDITY_DAYS) warnings.push(`valid for ${Math.round(lifetimeDays)} days: client certificates cannot be revoked by kube-apiserver, keep them short-lived`);
  if (claimedUser?.groups.includes("system:masters")) warnings.push("in group system:masters: this certificate bypasses RBAC and cannot be revoked short of rotating the CA");
  const base = { certificate: summarize(leaf), ...(claimedUser ? { claimedUser } : {}), warnings };
  if (!input.roots || input.roots.length === 0) {
    return { ...base, chain: [], result: rejected("no client CA given (--ca): the chain was not verified, the user shown is only what the certificate claims") };
  }
  const verified = verifyChain(leaf, intermediates, input.roots, input.now);
  if ("reason" in verified) return { ...base, chain: [], result: rejected(`x509: ${verified.reason}`) };
  const chain = verified.chain.map((c) => c.subject);
  if (key.rsaBits !== undefined && key.rsaBits < 1024) {
    // Go 1.24+ refuses RSA keys below 1024 bits outright, so the TLS handshake would fail.
    return { ...base, chain, result: rejected(`x509: ${key.weakness}; Go refuses RSA keys below 1024 bits`) };
  }
  if (!claimedUser) return { ...base, chain, result: rejected("x509: certificate has an empty CommonName, which maps to no user") };
  return { ...base, chain, result: { authenticated: true, user: { ...claimedUser, extra: { [CREDENTIAL_ID_KEY]: [certificateCredentialId(leaf)] } } } };
}

/** user.CredentialIDKey: the extra under which kube-apiserver names the credential a request used. */
export const CREDENTIAL_ID_KEY = "authentication.kubernetes.io/credential-id";

/**
 * Since Kubernetes 1.32, CommonNameUserConversion names the certificate in the user's extra as
 * "X509SHA256=" and the hex SHA-256 of its DER (kubernetes/kubernetes#125634): audit logs and
 * TokenReview show it, and a public fingerprint is no secret.
 */
export function certificateCredentialId(cert: X509Certificate): string {
  return `X509SHA256=${createHash("sha256").update(Buffer.from(cert.rawData)).digest("hex")}`;
}
