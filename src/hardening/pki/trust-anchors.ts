/**
 * pki/ca-cannot-sign: certificates in a CA bundle (a file components take as trust roots) that
 * Go's crypto/x509 never accepts as the issuer of anything, judged with the chain model's own
 * readers (client-chain.ts), so that the rule and the model cannot disagree:
 * - Go's parser refuses it (parser.go): it is never loaded, and etcd (tlsutil.NewCertPool) and
 *   Kubernetes components (client-go's cert.ParseCertsPEM) stop with an error at it, refusing the
 *   whole file;
 * - its RSA key is under 1024 bits: Go 1.24's crypto/rsa verifies nothing with it, neither the
 *   signatures it made on certificates nor a TLS handshake signature made with it;
 * - it has a critical extension Go does not handle: isValid refuses it anywhere, as a root too,
 *   and as the presented certificate;
 * - CheckSignatureFrom (x509.go) refuses it as a parent: a version 3 certificate that is not a CA
 *   by basicConstraints, or whose keyUsage is set without keyCertSign.
 * The last is not the end of it: Verify (verify.go) takes a presented certificate that is itself
 * in the roots as a chain of one, checking no signature, so such a certificate is still trusted
 * for itself (a pinned certificate). It is reported as a mistake only when certificates here were
 * signed by it, which Go refuses; otherwise, at info level, as what it is.
 * Verify also asks its usage of every certificate of a chain (checkChainForKeyUsage), a chain of
 * one included: clientAuth where components verify clients, serverAuth where a client verifies a
 * server; a certificate whose extended key usage leaves it out is accepted for nothing. A bundle
 * that verifies servers (a kubeconfig's certificate-authority-data, which client-go loads with
 * CertPool.AppendCertsFromPEM) skips a certificate Go cannot parse instead of refusing the file.
 */
import type { Severity } from "../../findings/types.js";
import type { CertificateFacts } from "../x509.js";
import { identityOf } from "./certificate-identity.js";
import type { TrustBundle } from "./client-ca.js";
import { cannotSign, goRefusal, MIN_RSA_BITS, rsaKeyTooSmall } from "./client-chain.js";
import { unhandledCriticalExtensions } from "./critical-extensions.js";
import { extKeyUsagesAllow } from "./chain-key-usage.js";
import { signingExtensionsOf } from "./signing-extensions.js";

/** Whom the bundle vouches for: the clients of a component (the default), or the API server a kubeconfig's client connects to. */
export type VouchesFor = "clients" | "servers";

/**
 * For a bundle that vouches for servers, which server it verifies and who refuses it, in findings'
 * words: a kubeconfig's CA verifies the API server for kubectl and client-go (the default);
 * kube-apiserver verifies its webhooks and aggregated API servers against their caBundle.
 */
export interface ServerAudience {
  /** "API server", "webhook server". */
  server: string;
  /** Who refuses it, with the verb: "kubectl and client-go refuse", "kube-apiserver refuses". */
  refusers: string;
}

const API_SERVER: ServerAudience = { server: "API server", refusers: "kubectl and client-go refuse" };

/** How findings say what a certificate of the bundle is refused for, by whom it is vouched for. */
function wordingFor(vouchesFor: VouchesFor, audience: ServerAudience) {
  if (vouchesFor === "clients") {
    return {
      nobody: "authenticates nobody",
      everyRefused: "every certificate verified against it is refused",
      chainsRefused: "Certificates that chain only to it are refused",
      pinned: "a pinned certificate",
      presented: "when exactly this certificate is presented",
    };
  }
  const { server, refusers } = audience;
  return {
    nobody: `verifies no ${server}`,
    everyRefused: `${refusers} every ${server} certificate`,
    chainsRefused: `${refusers} the ${server}'s certificate if it chains only to this`,
    pinned: "a pinned server certificate",
    presented: `when the ${server} presents exactly this certificate`,
  };
}


const MAX_CERTIFICATES_NAMED = 5;

/** Where a certificate stands in its bundle: a line of the file, or of a field's base64-decoded data. */
function lineOf(bundle: TrustBundle, line: number): string {
  return bundle.decoded ? `line ${line} of the decoded data` : `line ${line}`;
}

/** A certificate of the directory, where it stands. */
export interface PlacedCertificate {
  file: string;
  line: number;
  facts: CertificateFacts;
}

export interface TrustAnchorFinding {
  file: string;
  line: number;
  name: string;
  kind: "Certificate" | "File";
  /** Set when it differs from the rule's: high when the bundle authenticates nobody, info for a pinned certificate. */
  severity?: Severity;
  message: string;
}

type Judgement =
  /** Go's parser refuses it. */
  | { unparsable: string }
  /** Accepted for nothing, not even itself. */
  | { dead: string[] }
  /** May not sign, but is trusted for itself when presented. */
  | { selfOnly: string }
  | undefined;

function judge(facts: CertificateFacts, vouchesFor: VouchesFor): Judgement {
  const refusal = goRefusal(facts);
  if (refusal && vouchesFor === "servers") return { dead: [`Go cannot parse it (${refusal}), so client-go's pool (CertPool.AppendCertsFromPEM) skips it without a word`] };
  if (refusal) return { unparsable: refusal };
  const signing = cannotSign(facts);
  const bits = rsaKeyTooSmall(facts);
  const unhandled = unhandledCriticalExtensions(facts);
  const dead = [
    ...(bits !== undefined ? [`its RSA key has ${bits} bits, and Go's crypto/rsa (since Go 1.24) verifies no signature with a key under ${MIN_RSA_BITS} bits: neither the certificates it signed nor a TLS handshake made with its key`] : []),
    ...(unhandled ? [`Verify refuses it wherever it stands, as a root and as the presented certificate alike: ${unhandled}`] : []),
    ...(refusesUsage(facts, vouchesFor) ? [`its extended key usage leaves out ${USAGE[vouchesFor].usage}, and Verify, which asks ${USAGE[vouchesFor].usage} of ${USAGE[vouchesFor].whose} chain, drops every chain through it, a chain of this certificate alone included (checkChainForKeyUsage)`] : []),
  ];
  if (dead.length > 0) return { dead: signing ? [`CheckSignatureFrom refuses it as a parent: ${signing}`, ...dead] : dead };
  return signing ? { selfOnly: signing } : undefined;
}

/**
 * What Go's Verify can make of a certificate of the bundle: an issuer (trusted for what it signs,
 * and for itself), a pinned certificate (trusted only when presented itself), or refused (never
 * accepted, as an issuer or as itself), as bundleFindings judges it.
 */
export function anchorRole(facts: CertificateFacts, vouchesFor: VouchesFor): "issuer" | "pinned" | "refused" {
  const judgement = judge(facts, vouchesFor);
  return judgement === undefined ? "issuer" : "selfOnly" in judgement ? "pinned" : "refused";
}

/**
 * The usage Go's Verify asks of every certificate of a chain: kube-apiserver, etcd and the kubelet
 * verify clients with KeyUsages [ClientAuth]; crypto/tls verifies a server with Verify's default,
 * serverAuth.
 */
const USAGE = {
  clients: { usage: "clientAuth", whose: "a client's" },
  servers: { usage: "serverAuth", whose: "a server's" },
} as const;

/** Whether Go's checkChainForKeyUsage (chain-key-usage.ts) refuses the bundle's usage for a chain holding `facts`. */
function refusesUsage(facts: CertificateFacts, vouchesFor: VouchesFor): boolean {
  const read = signingExtensionsOf(facts);
  return !("refusal" in read) && !extKeyUsagesAllow(read, USAGE[vouchesFor].usage);
}

/** Certificates of the directory that `anchor` signed, as Go would find them: its raw subject as their raw issuer, and its key verifying them. */
function signedBy(anchor: CertificateFacts, certificates: readonly PlacedCertificate[]): PlacedCertificate[] {
  const identity = identityOf(anchor);
  if ("refusal" in identity) return [];
  return certificates.filter(({ facts }) => {
    if (facts.certificate.raw.equals(anchor.certificate.raw)) return false;
    const child = identityOf(facts);
    if ("refusal" in child || !child.identity.rawIssuer.equals(identity.identity.rawSubject)) return false;
    try {
      return facts.certificate.verify(anchor.certificate.publicKey);
    } catch {
      return false;
    }
  });
}

function baseName(file: string): string {
  return file.slice(file.lastIndexOf("/") + 1);
}

/** Every bundle once (the first naming of a file wins), each certificate of it judged as a root for `vouchesFor`. */
export function trustAnchorFindings(bundles: readonly TrustBundle[], certificates: readonly PlacedCertificate[], vouchesFor: VouchesFor = "clients", audience: ServerAudience = API_SERVER): TrustAnchorFinding[] {
  const findings: TrustAnchorFinding[] = [];
  const seen = new Set<string>();
  for (const bundle of bundles) {
    if (seen.has(bundle.file)) continue;
    seen.add(bundle.file);
    findings.push(...bundleFindings(bundle, certificates, vouchesFor, audience));
  }
  return findings;
}

function bundleFindings(bundle: TrustBundle, certificates: readonly PlacedCertificate[], vouchesFor: VouchesFor, audience: ServerAudience): TrustAnchorFinding[] {
  const words = wordingFor(vouchesFor, audience);
  const judged = bundle.entries.map((entry) => ({ ...entry, judgement: judge(entry.facts, vouchesFor) }));
  const nameOf = (facts: CertificateFacts) => facts.commonName ?? baseName(bundle.file);
  const what = (facts: CertificateFacts) => `${facts.isCA ? "CA certificate" : "certificate"} ${nameOf(facts)}`;
  const where = `in ${bundle.described}`;
  const allDead = judged.every((e) => e.judgement !== undefined && "dead" in e.judgement);
  if (allDead && judged.length > 0) {
    const first = judged[0] as (typeof judged)[number];
    // Named one by one up to a few: a hostile bundle may hold thousands, and one message must stay readable.
    const named = judged.slice(0, MAX_CERTIFICATES_NAMED).map((e) => `${what(e.facts)} (${lineOf(bundle, e.line)}): ${(e.judgement as { dead: string[] }).dead.join("; ")}`);
    const more = judged.length - named.length;
    const reasons = more > 0 ? [...named, `and ${more} more`] : named;
    const only = judged.length === 1 ? "its only certificate is one Go never accepts, as an issuer or as itself" : "Go accepts none of its certificates, as issuers or as themselves";
    return [
      {
        file: bundle.file,
        line: first.line,
        name: baseName(bundle.file),
        kind: "File",
        severity: "high",
        message: `${bundle.described} ${words.nobody}: ${only}, so ${words.everyRefused} (${reasons.join("; ")})`,
      },
    ];
  }
  return judged.flatMap(({ facts, line, judgement }): TrustAnchorFinding[] => {
    if (!judgement) return [];
    const at = { file: bundle.file, line, name: nameOf(facts), kind: "Certificate" as const };
    if ("unparsable" in judgement) {
      return [
        {
          ...at,
          severity: "high",
          message: `${what(facts)} ${where} cannot be parsed by Go (${judgement.unparsable}): Go never loads it, and etcd and Kubernetes components, which stop with an error at such a certificate when they read a CA file (etcd's tlsutil.NewCertPool, client-go's cert.ParseCertsPEM), refuse the whole file: it authenticates nobody`,
        },
      ];
    }
    if ("dead" in judgement) {
      return [{ ...at, message: `${what(facts)} ${where} is never accepted by Go, as an issuer or as itself: ${judgement.dead.join("; ")}. ${words.chainsRefused}` }];
    }
    const children = signedBy(facts, certificates);
    const pinned = `Go trusts it only for itself, ${words.presented} (Verify takes a certificate that is in the roots as a chain of one, checking no signature)`;
    if (children.length === 0) {
      return [{ ...at, severity: "info", message: `${what(facts)} ${where} is ${words.pinned}, trusted only for itself: ${pinned}; it signs nothing Go accepts, as CheckSignatureFrom refuses it as a parent: ${judgement.selfOnly}` }];
    }
    const signed = children.map((c) => `${baseName(c.file)}${c.line > 1 ? `:${c.line}` : ""}`).join(", ");
    const count = children.length === 1 ? "the certificate" : `the ${children.length} certificates`;
    return [{ ...at, message: `${what(facts)} ${where} may not sign certificates in Go (CheckSignatureFrom: ${judgement.selfOnly}), yet signed ${count} ${signed}: Go refuses ${children.length === 1 ? "it" : "them"}, and every certificate that chains only to it. ${pinned}` }];
  });
}
