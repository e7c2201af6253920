/**
 * A cluster's PKI directory (kubeadm's /etc/kubernetes/pki) judged as a whole: every
 * certificate's expiry, key and signature, who signed it, client certificates that
 * bypass authorization, and private keys others can read. Pure: the shell reads the
 * files and their modes, and gives the moment to judge expiry at.
 */
import type { Finding, Rule, Severity } from "../../findings/types.js";
import { expiryOf, hasWeakKey, inDays, publicKeyOf, type CertificateFacts, type PrivateKeyFacts } from "../x509.js";
import { authenticatesAsSystemMasters } from "./client-auth.js";
import { clientCaBundle, type ClientCa, type TrustBundle } from "./client-ca.js";
import { chainsToClientCa, goRefusal } from "./client-chain.js";
import { readContents, type ContentProblem, type LocatedCertificate } from "./contents.js";
import { keyExposure } from "./key-mode.js";
import { blockLabel, isEncryptedKey, isPrivateKey, pemBlocks } from "./pem.js";
import { PKI_RULES } from "./rules.js";
import { publicKeysOf } from "./service-account-public-keys.js";
import { trustAnchorFindings } from "./trust-anchors.js";
import { formatValidityStart, isNotYetValid, notBeforeOf } from "./validity.js";

export interface PkiFile {
  file: string;
  text: string;
  /** The file's permission bits (stat's mode & 0o777). */
  mode: number;
  /** Why the file could not be opened at all (a symbolic link to nothing); its text is then empty. */
  unopenable?: string;
}

/** One certificate, as `kubeadm certs check-expiration` lists them. */
export interface PkiCertificate {
  file: string;
  /** The certificate's place in its file (chain files hold several). */
  index: number;
  commonName: string | undefined;
  organizations: string[];
  isCA: boolean;
  notAfter: string;
  residualDays: number;
  key: string;
  /** The file of the CA in the same directory that signed it; absent for self-signed or outside CAs. */
  signedBy?: string;
}

export interface PkiAudit {
  certificates: PkiCertificate[];
  findings: Finding[];
}


interface Located {
  file: string;
  index: number;
  line: number;
  facts: CertificateFacts;
}

const rule = (id: string): Rule => PKI_RULES.find((r) => r.id === `pki/${id}`) as Rule;

export interface PkiAuditOptions {
  /** kube-apiserver's --client-ca-file, when known: system:masters certificates that do not chain to it give no access to it. */
  clientCa?: ClientCa;
  /** Other CA bundles components trust (kubeadm's etcd/ca.crt, front-proxy-ca.crt): pki/ca-cannot-sign judges them with the client CA. */
  trustBundles?: readonly TrustBundle[];
}

export function auditPki(files: readonly PkiFile[], now: Date, options: PkiAuditOptions = {}): PkiAudit {
  const findings: Finding[] = [];
  const located: Located[] = [];
  const finding = (id: string, file: string, line: number, name: string, kind: string, message: string, severity?: Severity) => {
    const r = rule(id);
    findings.push({ ruleId: r.id, severity: severity ?? r.severity, pillar: r.pillar, message, object: { kind, name }, position: { file, line, column: 1 }, remediation: r.docs.remediation });
  };
  const keys: Array<{ file: string; facts: PrivateKeyFacts }> = [];
  const encryptedKeys: Array<{ file: string; line: number; label: string }> = [];
  // A trust bundle's certificates Go refuses are pki/ca-cannot-sign's, at high severity.
  const bundleFiles = new Set([options.clientCa?.source?.file, ...(options.trustBundles ?? []).map((b) => b.file)]);
  for (const { file, text, mode, unopenable } of files) {
    if (unopenable !== undefined) {
      finding("unreadable", file, 1, baseName(file), "File", `${baseName(file)} ${unopenable}`);
      continue;
    }
    const contents = readContents(text);
    for (const block of pemBlocks(text)) if (isPrivateKey(block) && !block.damage && isEncryptedKey(block)) encryptedKeys.push({ file, line: block.line, label: blockLabel(block) });
    for (const c of contents.certificates) located.push({ file, ...c });
    for (const key of contents.keys) keys.push({ file, facts: key });
    const refused = bundleFiles.has(file) ? [] : goRefusals(contents.certificates);
    // One finding per file: the component that loads it fails on the file as a whole.
    const [first, ...more] = [...contents.problems, ...refused].sort((a, b) => a.line - b.line);
    if (first) {
      const kind = more.every((p) => p.kind === first.kind) ? first.kind : "File";
      finding("unreadable", file, first.line, baseName(file), kind, `${baseName(file)}: ${[first, ...more].map((p) => p.message).join("; ")}`);
    }
    // Any sign of a key, not only blocks pemBlocks would read: an indented or mangled key on disk is exposed all the same.
    const exposure = /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text) ? keyExposure(mode) : undefined;
    if (exposure) finding("key-permissions", file, 1, baseName(file), "PrivateKey", `${baseName(file)} holds a private key that ${exposure} (mode ${mode.toString(8).padStart(4, "0")})`);
  }
  const cas = located.filter((c) => c.facts.isCA);
  const certificates: PkiCertificate[] = located.map((c) => {
    const { facts } = c;
    const name = facts.commonName ?? baseName(c.file);
    const at = (id: string, message: string) => finding(id, c.file, c.line, name, "Certificate", message);
    const what = `${facts.isCA ? "CA certificate" : "certificate"} ${name} (${baseName(c.file)})`;
    const expiry = expiryOf(facts, now);
    if (expiry.state === "expired") at("expired", `${what} expired on ${facts.notAfter.toISOString().slice(0, 10)}`);
    else if (expiry.state === "expiring") at("expiring", `${what} expires on ${facts.notAfter.toISOString().slice(0, 10)}, ${inDays(expiry.days)}`);
    if (isNotYetValid(facts, now)) at("not-yet-valid", `${what} is not valid before ${formatValidityStart(notBeforeOf(facts))}: every component refuses it until then`);
    if (hasWeakKey(facts)) at("weak-key", `${what} has ${weakKeyWords(facts)}`);
    const selfSigned = facts.certificate.issuer === facts.certificate.subject;
    // Go never checks a self-signed certificate's own signature: it is trusted as itself, a root in a bundle (Go 1.18 release notes).
    if (facts.weakSignature && !(selfSigned && signsItself(facts))) at("weak-signature", `${what} is signed with ${facts.weakSignature}`);
    const masters = systemMastersAccess(facts, located, options.clientCa);
    if (masters) at("system-masters", `${what} is ${masters}`);
    // The CA's own file first (ca.crt, not the copy at the end of a chain file such as apiserver.crt).
    const rank = (ca: Located) => (ca.file === c.file ? 2 : 0) + (ca.index > 0 ? 1 : 0);
    const issuers = selfSigned ? [] : cas.filter((ca) => ca !== c && ca.facts.certificate.subject === facts.certificate.issuer).sort((a, b) => rank(a) - rank(b));
    const signer = issuers.find((ca) => facts.certificate.verify(ca.facts.certificate.publicKey));
    if (issuers.length > 0 && !signer) at("unverified-issuer", `${what} names ${issuers.map((ca) => baseName(ca.file)).join(", ")} as its issuer, but its signature does not verify with ${issuers.length === 1 ? "that CA's key" : "any of their keys"}`);
    return {
      file: c.file,
      index: c.index,
      commonName: facts.commonName,
      organizations: facts.organizations,
      isCA: facts.isCA,
      notAfter: facts.notAfter.toISOString(),
      residualDays: expiryOf(facts, now).days,
      key: keyLabel(facts),
      ...(signer ? { signedBy: signer.file } : {}),
    };
  });
  const clientCaAsBundle = options.clientCa && clientCaBundle(options.clientCa);
  const bundles = [...(clientCaAsBundle ? [clientCaAsBundle] : []), ...(options.trustBundles ?? [])];
  for (const f of trustAnchorFindings(bundles, located)) finding("ca-cannot-sign", f.file, f.line, f.name, f.kind, f.message, f.severity);
  // A key with no certificate here (the service-account signing key sa.key): judged on its own,
  // since whoever breaks it forges what it signs. A certificate's key is judged with the certificate.
  const certified = new Set(located.map((c) => publicKeyOf(c.facts).toString("base64")));
  for (const { file, facts } of keys) {
    if (certified.has(facts.publicKey.toString("base64")) || !hasWeakKey(facts)) continue;
    finding("weak-key", file, 1, baseName(file), "PrivateKey", `private key ${baseName(file)} (no certificate of it here) has ${weakKeyWords(facts)}: what it signs (service-account tokens, for sa.key) can be forged`);
  }
  // A certificate and its key, as a component loads them (Go's tls.X509KeyPair): a file holding both
  // (kubelet-client-current.pem) pairs its key with its first certificate; X.key pairs with X.crt beside it.
  const firstCertificate = new Map<string, Located>();
  for (const c of located) if (!firstCertificate.has(c.file)) firstCertificate.set(c.file, c);
  const pairedCertificate = (file: string) => firstCertificate.get(file) ?? (file.endsWith(".key") ? firstCertificate.get(`${file.slice(0, -".key".length)}.crt`) : undefined);
  const pairName = (certificate: Located, file: string) => (certificate.file === file ? `the certificate in the same file` : `its certificate ${baseName(certificate.file)}`);
  for (const { file, facts } of keys) {
    const certificate = pairedCertificate(file);
    if (!certificate || publicKeyOf(certificate.facts).equals(facts.publicKey)) continue;
    finding("key-mismatch", file, 1, baseName(file), "PrivateKey", `private key ${baseName(file)} does not match ${pairName(certificate, file)} (${certificate.facts.commonName ?? "no common name"}): a component given the pair refuses to start (tls: private key does not match public key)`);
  }
  // X.pub beside X.key (kubeadm's sa.pub and sa.key): the keys kube-apiserver verifies service-account tokens with.
  for (const { file, text } of files) {
    if (!file.endsWith(".pub")) continue;
    const privateKey = keys.find((k) => k.file === `${file.slice(0, -".pub".length)}.key`);
    const publicKeys = publicKeysOf(text);
    if (!privateKey || publicKeys.length === 0 || publicKeys.some((k) => k.equals(privateKey.facts.publicKey))) continue;
    finding("key-mismatch", file, 1, baseName(file), "PublicKey", `${baseName(file)} holds no public key of ${baseName(privateKey.file)}: kube-apiserver, verifying service-account tokens with it (--service-account-key-file), refuses every token signed with ${baseName(privateKey.file)} (--service-account-private-key-file)`);
  }
  // An encrypted key alone may be kept so on purpose; one paired with a certificate is meant to be loaded,
  // and no Kubernetes component or etcd asks for a passphrase: Go's tls.X509KeyPair fails to parse it.
  for (const { file, line, label } of encryptedKeys) {
    const certificate = pairedCertificate(file);
    if (!certificate) continue;
    finding("unreadable", file, line, baseName(file), "PrivateKey", `${baseName(file)}: the ${label} block at line ${line} is encrypted, and a component given it with ${pairName(certificate, file)} reads no passphrase: it cannot load the pair (tls: failed to parse private key)`);
  }
  return { certificates, findings };
}

/**
 * How a certificate gives system:masters access to kube-apiserver, in words, or undefined when
 * it gives none. A CA is no exception: kube-apiserver verifies it as a client certificate like
 * any other (client-auth.ts). With the client CA known, only what chains to it counts (kubeadm's
 * etcd clients, signed by the etcd CA, authenticate to etcd alone); unknown, the chain is assumed.
 */
function systemMastersAccess(facts: CertificateFacts, located: readonly Located[], clientCa: ClientCa | undefined): string | undefined {
  if (!authenticatesAsSystemMasters(facts)) return undefined;
  const selfSigned = facts.certificate.issuer === facts.certificate.subject;
  const inBundle = clientCa?.roots.some((root) => root.certificate.raw.equals(facts.certificate.raw)) ?? false;
  if (clientCa && !chainsToClientCa(facts, clientCa.roots, located.map((l) => l.facts))) return undefined;
  const accepted = !facts.isCA
    ? "a client certificate"
    : inBundle
      ? "the client CA itself, which kube-apiserver accepts as a client certificate too,"
      : selfSigned && !clientCa
        ? "accepted as a client certificate by a kube-apiserver whose client CA it is"
        : "accepted as a client certificate though it is a CA";
  const judged = clientCa
    ? `it ${inBundle ? "is in" : "chains to"} ${clientCa.described}`
    : "judged assuming it chains to kube-apiserver's client CA, which is not known here: name it with --client-ca-file";
  return `${accepted} in group system:masters: it bypasses authorization and cannot be revoked (${judged})`;
}

/**
 * The certificates Node loads but Go's parser refuses (a negative serial, a critical
 * subjectKeyIdentifier, a duplicated extension, a curve Go does not know...): the component
 * given the file cannot load them (client-go's cert.ParseCertsPEM stops at the first).
 */
function goRefusals(certificates: readonly LocatedCertificate[]): ContentProblem[] {
  return certificates.flatMap(({ line, facts }) => {
    const why = goRefusal(facts);
    return why ? [{ line, kind: "Certificate" as const, message: `Go's crypto/x509 refuses to parse the CERTIFICATE block at line ${line}: ${why}` }] : [];
  });
}

/**
 * A weak key in words: "a 1024-bit RSA key", or, when its size is unknown (an elliptic curve
 * that is not P-256, P-384 or P-521, such as secp256k1), why it is weak.
 */
function weakKeyWords(facts: Pick<PrivateKeyFacts, "keyBits" | "keyType" | "keyWeakness">): string {
  if (facts.keyBits !== undefined) return `a ${facts.keyBits}-bit ${(facts.keyType ?? "?").toUpperCase()} key`;
  return `a weak key (${facts.keyWeakness ?? "of an unknown kind"})`;
}

/** The table's KEY column: "RSA 2048", "ECDSA 256", "Ed25519" (which has one size), or the curve's name when its size is unknown ("ECDSA secp256k1"). */
function keyLabel(facts: CertificateFacts): string {
  if (facts.keyType === "ed25519") return "Ed25519";
  if (facts.keyType !== "ec") return `${(facts.keyType ?? "?").toUpperCase()} ${facts.keyBits ?? "?"}`;
  return `ECDSA ${facts.keyBits ?? facts.certificate.publicKey.asymmetricKeyDetails?.namedCurve ?? "?"}`;
}

/** Whether the certificate's signature verifies with its own key (self-issued is not enough). */
function signsItself(facts: CertificateFacts): boolean {
  try {
    return facts.certificate.verify(facts.certificate.publicKey);
  } catch {
    return false;
  }
}

function baseName(file: string): string {
  return file.slice(file.lastIndexOf("/") + 1);
}
