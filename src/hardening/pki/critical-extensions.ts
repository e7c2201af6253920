/**
 * What Go's crypto/x509 makes of a certificate's critical extensions (parser.go
 * processExtensions, as of Go 1.24, whose policy validation brought policyMappings,
 * policyConstraints and inhibitAnyPolicy in): the parser records each critical extension it
 * does not handle in UnhandledCriticalExtensions, and Verify's isValid refuses a certificate
 * with any, in every place of the chain: the presented certificate, an intermediate, a root.
 *
 * Handled when critical: keyUsage, basicConstraints, extKeyUsage (unknown usages included),
 * cRLDistributionPoints, certificatePolicies, policyMappings, policyConstraints,
 * inhibitAnyPolicy; a subjectAltName holding at least one DNS name, email address, IP address
 * or URI (one with only other forms is unhandled); nameConstraints without a form Go cannot
 * check (name-constraints.ts). Any other extension, under 2.5.29 or not, is unhandled when
 * critical. Three extensions RFC 5280 says must not be critical make Go refuse to parse the
 * certificate at all when they are: subjectKeyIdentifier, authorityKeyIdentifier and
 * authorityInfoAccess; so does an extension that appears twice, and a subjectAltName,
 * nameConstraints or policy extension whose value Go cannot read (policy-extensions.ts).
 */
import { extensionsOf, type RawExtension } from "./certificate-extensions.js";
import { readNameConstraints, readSubjectAltNames } from "./general-names.js";
import { namesOf, type NamedCertificate } from "./name-constraints.js";
import { policyExtensionRefusal, POLICY_EXTENSION_OIDS } from "./policy-extensions.js";

const SUBJECT_ALT_NAME = "2.5.29.17";
const NAME_CONSTRAINTS = "2.5.29.30";

/** Extensions Go interprets, so a critical flag on them changes nothing. */
const HANDLED = new Set([
  "2.5.29.15", // keyUsage
  "2.5.29.19", // basicConstraints
  "2.5.29.31", // cRLDistributionPoints
  "2.5.29.32", // certificatePolicies
  "2.5.29.33", // policyMappings
  "2.5.29.36", // policyConstraints
  "2.5.29.37", // extKeyUsage
  "2.5.29.54", // inhibitAnyPolicy
]);

/** Extensions Go refuses to parse a certificate over when they are critical. */
const NEVER_CRITICAL = new Map([
  ["2.5.29.14", "subjectKeyIdentifier"],
  ["2.5.29.35", "authorityKeyIdentifier"],
  ["1.3.6.1.5.5.7.1.1", "authorityInfoAccess"],
]);

/** Names for a few extensions Go leaves unhandled, to make a refusal readable. */
const KNOWN_NAMES = new Map([
  ["2.5.29.9", "subjectDirectoryAttributes"],
  ["2.5.29.18", "issuerAltName"],
  ["2.5.29.46", "freshestCRL"],
  ["1.3.6.1.5.5.7.1.11", "subjectInfoAccess"],
  ["1.3.6.1.5.5.7.1.24", "tlsFeature"],
]);

function extensionName(oid: string): string {
  const name = KNOWN_NAMES.get(oid);
  return name ? `${name} (${oid})` : oid;
}

const refusalCache = new WeakMap<object, string | undefined>();

/** Why Go's processExtensions stops at this one extension, or undefined when it reads it. */
function extensionRefusal({ type, critical, value }: RawExtension): string | undefined {
  if (type === SUBJECT_ALT_NAME) {
    const read = readSubjectAltNames(value);
    return "problem" in read ? read.problem : undefined;
  }
  if (type === NAME_CONSTRAINTS) {
    const read = readNameConstraints(value, critical);
    return "problem" in read ? read.problem : undefined;
  }
  if (critical && NEVER_CRITICAL.has(type)) return `its ${NEVER_CRITICAL.get(type)} extension is marked critical, which RFC 5280 forbids`;
  return POLICY_EXTENSION_OIDS.has(type) ? policyExtensionRefusal(type, value) : undefined;
}

/**
 * Why Go's parser refuses the certificate over its extensions, or undefined: it then never
 * loads it, so it authenticates no one and signs nothing (a duplicated extension; then, in the
 * certificate's order, as Go stops at the first: a name, constraint or policy extension it
 * cannot parse, a critical flag where RFC 5280 forbids one).
 */
export function goParseRefusal(facts: NamedCertificate): string | undefined {
  if (refusalCache.has(facts.certificate)) return refusalCache.get(facts.certificate);
  const extensions = extensionsOf(facts) ?? [];
  const seen = new Set<string>();
  let refusal: string | undefined;
  for (const { type } of extensions) {
    if (seen.has(type)) refusal ??= `it contains the extension ${extensionName(type)} twice`;
    seen.add(type);
  }
  for (const extension of extensions) refusal ??= extensionRefusal(extension);
  refusalCache.set(facts.certificate, refusal);
  return refusal;
}

/** Why this critical extension is one Go does not handle, or undefined when it handles it. */
function unhandled(type: string, facts: NamedCertificate): string | undefined {
  if (HANDLED.has(type) || NEVER_CRITICAL.has(type)) return undefined;
  if (type === SUBJECT_ALT_NAME) {
    const sans = namesOf(facts).subjectAltNames;
    const empty = sans !== undefined && sans.dns.length + sans.emails.length + sans.ips.length + sans.uris.length === 0;
    return empty ? "its critical subjectAltName extension holds no DNS name, email address, IP address or URI, the only forms Go reads" : undefined;
  }
  if (type === NAME_CONSTRAINTS) {
    const constraints = namesOf(facts).nameConstraints;
    if (!constraints || constraints.unsupported.length === 0) return undefined;
    return `its critical nameConstraints extension holds ${constraints.unsupported.join(", ")} constraints, which Go does not support`;
  }
  return `its critical extension ${extensionName(type)} is one Go does not handle`;
}

/**
 * Go's UnhandledCriticalExtensions, in words, or undefined when there is none: isValid then
 * refuses the certificate wherever it stands in a chain ("x509: unhandled critical extension").
 */
export function unhandledCriticalExtensions(facts: NamedCertificate): string | undefined {
  const reasons = (extensionsOf(facts) ?? []).flatMap(({ type, critical }) => {
    const reason = critical ? unhandled(type, facts) : undefined;
    return reason ? [reason] : [];
  });
  return reasons.length > 0 ? `${reasons.join("; ")} (x509: unhandled critical extension)` : undefined;
}
