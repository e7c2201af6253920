/**
 * Go's name-constraint check on a built chain (crypto/x509 constraints.go: checkChainConstraints,
 * run by Verify on every candidate chain after chain building; a chain that fails is dropped,
 * and when none is left Verify fails with CANotAuthorizedForThisName). What Go does, and so this:
 *
 * - Each certificate that has a subjectAltName extension is checked against the nameConstraints
 *   of every certificate above it in the chain (never its own). A certificate without the
 *   extension is not checked at all, whatever its subject says: the CommonName is never matched
 *   against a constraint, so a client certificate without SANs passes any constrained CA.
 * - Four name forms are checked: DNS, IP, email (rfc822Name) and URI; others in the SAN are ignored.
 *   A permitted list of a form, when not empty, must match each name of that form; an excluded one
 *   must match none. An empty constraint matches everything.
 * - DNS: the constraint matches itself and names below it, label-wise, ASCII case-insensitively;
 *   with a leading period, only names below it. An excluded constraint also matches a wildcard
 *   name whose parent is the constraint's parent (excluding a.example.com excludes *.example.com).
 * - Email and URI hosts (golang/go#81280, #81285): a constraint without a leading period matches
 *   that host only; with one, only hosts below it. An email constraint with an '@' matches that
 *   mailbox only (local part exactly, domain case-insensitively).
 * - IP: the address must fall in a range of its own length (IPv4 in IPv4 ranges, IPv6 in IPv6).
 * - A name Go cannot parse fails the chain when any certificate above it is constrained, whatever
 *   forms the constraints cover: a URI without a host or with an IP host, a malformed mailbox,
 *   a DNS name with a trailing period or an empty label.
 *
 * Go matches with sorted, pruned sets and a binary search (to bound the work); the result is
 * whether some constraint matches, which is what is computed here. The old per-certificate limit
 * of 250000 comparisons (MaxConstraintComparisions) went with that rewrite and is not modelled.
 */
import type * as Ipaddr from "ipaddr.js";
import { lazyModule } from "../../lazy-module.js";
import { extensionsOf } from "./certificate-extensions.js";
import { readNameConstraints, readSubjectAltNames, type IpSubtree, type NameConstraintsExtension, type Subtrees, type SubjectAltNames } from "./general-names.js";
import { domainNameValid, parseMailbox, uriConstraintHost, type Mailbox } from "./name-syntax.js";

const ipaddr = lazyModule<typeof Ipaddr>("ipaddr.js");

const SUBJECT_ALT_NAME = "2.5.29.17";
const NAME_CONSTRAINTS = "2.5.29.30";

/** What name constraints need of a certificate: its DER and a name to give in messages. */
export interface NamedCertificate {
  certificate: { raw: Buffer; subject: string };
}

export interface CertificateNames {
  /** Why Go's parser refuses the certificate over these extensions: it then takes part in no chain. */
  unparsable?: string;
  /** Undefined without a subjectAltName extension (Go's hasSANExtension). */
  subjectAltNames?: SubjectAltNames;
  /** Undefined without a nameConstraints extension (Go's hasNameConstraints). */
  nameConstraints?: NameConstraintsExtension;
}

const namesCache = new WeakMap<object, CertificateNames>();

/** The subjectAltName and nameConstraints of a certificate, as Go's parser keeps them. */
export function namesOf(facts: NamedCertificate): CertificateNames {
  const cached = namesCache.get(facts.certificate);
  if (cached) return cached;
  const names: CertificateNames = {};
  // A certificate @peculiar/x509 cannot read is refused elsewhere (client-chain.ts), not here.
  for (const extension of extensionsOf(facts) ?? []) {
    if (extension.type === SUBJECT_ALT_NAME) {
      const read = readSubjectAltNames(extension.value);
      if ("problem" in read) names.unparsable ??= read.problem;
      else names.subjectAltNames = read;
    } else if (extension.type === NAME_CONSTRAINTS) {
      const read = readNameConstraints(extension.value, extension.critical);
      if ("problem" in read) names.unparsable ??= read.problem;
      else names.nameConstraints = read;
    }
  }
  namesCache.set(facts.certificate, names);
  return names;
}

/** Go's ASCII-only lower case (the names were checked to be printable ASCII). */
function lowerAscii(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** Go's dnsHasSuffix: `name` ends with `constraint` on a label boundary, or anywhere when the constraint starts with '.'. */
function dnsHasSuffix(constraint: string, name: string): boolean {
  if (constraint.length === 0 || constraint.length > name.length) return false;
  if (lowerAscii(name.slice(name.length - constraint.length)) !== lowerAscii(constraint)) return false;
  return constraint.startsWith(".") || name.length === constraint.length || name[name.length - constraint.length - 1] === ".";
}

/** Go's trimFirstLabel: from the first '.' on, or "" for a single label. */
function trimFirstLabel(name: string): string {
  const dot = name.indexOf(".");
  return dot < 0 ? "" : name.slice(dot);
}

/** The dNSName constraint (Go's dnsConstraints) that matches `name`, or undefined. */
function dnsMatch(constraints: readonly string[], name: string, excluded: boolean): string | undefined {
  if (constraints.includes("")) return "";
  const direct = constraints.find((c) => dnsHasSuffix(c, name));
  if (direct !== undefined || !excluded || !name.startsWith("*")) return direct;
  const parent = trimFirstLabel(lowerAscii(name));
  return constraints.find((c) => trimFirstLabel(lowerAscii(c)) !== "" && trimFirstLabel(lowerAscii(c)) === parent);
}

/** The host constraint of a URI or email domain that matches `host` (Go's hostConstraints), or undefined. */
function hostMatch(constraints: readonly string[], host: string): string | undefined {
  return constraints.find((c) => c === "" || (c.startsWith(".") ? dnsHasSuffix(c, host) : c.length === host.length && dnsHasSuffix(c, host)));
}

/** The rfc822Name constraint that matches `mailbox` (domain lower-cased), or undefined. */
function emailMatch(constraints: readonly string[], mailbox: Mailbox): string | undefined {
  const exact = constraints.find((c) => {
    if (!c.includes("@")) return false;
    const parsed = parseMailbox(c);
    return parsed !== undefined && parsed.local === mailbox.local && lowerAscii(parsed.domain) === mailbox.domain;
  });
  return exact ?? hostMatch(constraints.filter((c) => !c.includes("@")), mailbox.domain);
}

/** Go's To4: the IPv4 form of a 4-byte address or an IPv4-mapped IPv6 one. */
function to4(ip: Uint8Array): Uint8Array | undefined {
  if (ip.length === 4) return ip;
  const mapped = ip.length === 16 && ip.subarray(0, 10).every((b) => b === 0) && ip[10] === 0xff && ip[11] === 0xff;
  return mapped ? ip.subarray(12) : undefined;
}

/** Go's net.IPNet.Contains, with its IPv4-mapped conversions. */
function ipNetContains({ ip, mask }: IpSubtree, address: Uint8Array): boolean {
  const network = to4(ip) ?? ip;
  let netMask = mask;
  if (netMask.length === 16 && network.length === 4) netMask = netMask.subarray(12);
  if (netMask.length !== network.length) return false;
  const target = to4(address) ?? address;
  if (target.length !== network.length) return false;
  return network.every((byte, i) => (byte & (netMask[i] as number)) === ((target[i] as number) & (netMask[i] as number)));
}

/** The IP range (of the address's own length, as Go splits IPv4 from IPv6) that holds `address`, or undefined. */
function ipMatch(ranges: readonly IpSubtree[], address: Uint8Array): IpSubtree | undefined {
  return ranges.find((range) => range.ip.length === address.length && ipNetContains(range, address));
}

function ipText(bytes: Uint8Array): string {
  const four = to4(bytes);
  return ipaddr().fromByteArray([...(four ?? bytes)]).toString();
}

function rangeText({ ip, mask }: IpSubtree): string {
  const bits = [...mask].reduce((sum, byte) => sum + byte.toString(2).replace(/0/g, "").length, 0);
  return `${ipaddr().fromByteArray([...ip]).toString()}/${bits}`;
}

/** Go's checkConstraints for one name of one form: "not permitted" or "excluded", or undefined. */
function judge<T>(kind: string, shown: string, permitted: readonly T[], excluded: readonly T[], match: (list: readonly T[], excluded: boolean) => T | undefined, showConstraint: (c: T) => string): string | undefined {
  if (permitted.length > 0 && match(permitted, false) === undefined) return `${kind} ${JSON.stringify(shown)} is not permitted by any constraint`;
  if (excluded.length === 0) return undefined;
  const hit = match(excluded, true);
  return hit === undefined ? undefined : `${kind} ${JSON.stringify(shown)} is excluded by constraint ${JSON.stringify(showConstraint(hit))}`;
}

interface CheckedNames {
  ips: Uint8Array[];
  dns: string[];
  uris: Array<{ uri: string; host: string }>;
  emails: Array<{ email: string; mailbox: Mailbox }>;
}

/** Go's chainConstraints.check: one certificate's names against one constraining certificate. */
function checkNames(names: CheckedNames, permitted: Subtrees, excluded: Subtrees): string | undefined {
  for (const ip of names.ips) {
    const problem = judge("IP address", ipText(ip), permitted.ips, excluded.ips, (list) => ipMatch(list, ip), rangeText);
    if (problem) return problem;
  }
  for (const name of names.dns) {
    if (!domainNameValid(name, false)) return `cannot parse dnsName ${JSON.stringify(name)}`;
    const problem = judge("DNS name", name, permitted.dns, excluded.dns, (list, isExcluded) => dnsMatch(list, name, isExcluded), String);
    if (problem) return problem;
  }
  for (const { uri, host } of names.uris) {
    if (!domainNameValid(host, false)) return `URI SAN ${JSON.stringify(uri)} failed to parse`;
    const problem = judge("URI", uri, permitted.uris, excluded.uris, (list) => hostMatch(list, host), String);
    if (problem) return problem;
  }
  for (const { email, mailbox } of names.emails) {
    if (!domainNameValid(mailbox.domain, false)) return `cannot parse rfc822Name ${JSON.stringify(email)}`;
    const problem = judge("email address", email, permitted.emails, excluded.emails, (list) => emailMatch(list, mailbox), String);
    if (problem) return problem;
  }
  return undefined;
}

/** The URI hosts and mailboxes Go parses before any comparison (parseURIs, parseMailboxes), or why it cannot. */
function parsedNames(sans: SubjectAltNames): CheckedNames | { problem: string } {
  const uris: CheckedNames["uris"] = [];
  for (const uri of sans.uris) {
    const host = uriConstraintHost(uri);
    if ("problem" in host) return host;
    uris.push({ uri, host: host.host });
  }
  const emails: CheckedNames["emails"] = [];
  for (const email of sans.emails) {
    const mailbox = parseMailbox(email);
    if (!mailbox) return { problem: `cannot parse rfc822Name ${JSON.stringify(email)}` };
    emails.push({ email, mailbox: { local: mailbox.local, domain: lowerAscii(mailbox.domain) } });
  }
  return { ips: sans.ips, dns: sans.dns, uris, emails };
}

function subjectText(facts: NamedCertificate): string {
  return JSON.stringify(facts.certificate.subject.split("\n").join(", "));
}

/**
 * Why Go's checkChainConstraints drops `chain` (leaf first, trust anchor last), or undefined
 * when every certificate's names are within the constraints of the certificates above it.
 */
export function nameConstraintsViolation(chain: readonly NamedCertificate[]): string | undefined {
  const constraining = chain.flatMap((facts, index) => {
    const constraints = namesOf(facts).nameConstraints;
    return constraints ? [{ facts, index, constraints }] : [];
  });
  for (const [index, facts] of chain.entries()) {
    const sans = namesOf(facts).subjectAltNames;
    const above = constraining.filter((c) => c.index > index);
    if (!sans || above.length === 0) continue;
    const named = `${index === 0 ? "certificate" : "intermediate"} ${subjectText(facts)}`;
    const names = parsedNames(sans);
    if ("problem" in names) return `a root or intermediate certificate is not authorized to sign for this name: ${names.problem} (in ${named}, below name constraints)`;
    for (const { facts: constrainer, constraints } of above) {
      const problem = checkNames(names, constraints.permitted, constraints.excluded);
      if (problem) return `a root or intermediate certificate is not authorized to sign for this name: ${problem} (in ${named}; name constraints of ${subjectText(constrainer)})`;
    }
  }
  return undefined;
}
