/**
 * A certificate's subjectAltName and nameConstraints extensions, read as Go's crypto/x509
 * parser reads them (parser.go: parseSANExtension, parseNameConstraintsExtension): which names
 * and subtrees it keeps, which kinds it does not support, and what makes Go refuse to parse the
 * certificate at all. The ASN.1 is @peculiar/asn1-x509's (the schema @peculiar/x509 is built on);
 * only iPAddress is re-declared, as raw bytes, because its text form loses what Go checks (the
 * length, and whether a constraint's mask is a prefix).
 */
import type * as Net from "node:net";
import type * as AsnSchema from "@peculiar/asn1-schema";
import type { GeneralName, GeneralSubtree, NameConstraints } from "@peculiar/asn1-x509";
import { lazyModule } from "../../lazy-module.js";
import { peculiarAsn1 } from "../peculiar.js";
import { domainNameValid, isIa5, isValidIpMask, parseMailbox, uriHost } from "./name-syntax.js";

const net = lazyModule<typeof Net>("node:net");

interface Schemas {
  convert: typeof AsnSchema.AsnConvert;
  /** GeneralNames with iPAddress as raw bytes. */
  generalNames: new () => Iterable<GeneralName>;
  /** NameConstraints whose subtrees hold iPAddress as raw bytes. */
  nameConstraints: new () => NameConstraints;
}

let schemas: Schemas | undefined;

/**
 * The ASN.1 schemas, declared on first use: importing them costs every scan a few hundred
 * milliseconds, and only a certificate's extensions need them (kubeconfig and PKI findings).
 */
function asn1(): Schemas {
  if (schemas) return schemas;
  const { schema, x509 } = peculiarAsn1();
  const { AsnArray, AsnConvert, AsnProp, AsnPropTypes, AsnType, AsnTypeTypes } = schema;
  const { GeneralName: BaseGeneralName, GeneralSubtree: BaseGeneralSubtree, NameConstraints: BaseNameConstraints } = x509;

  class RawIpGeneralName extends BaseGeneralName {}
  AsnProp({ type: AsnPropTypes.OctetString, context: 7, implicit: true })(RawIpGeneralName.prototype, "iPAddress");
  AsnType({ type: AsnTypeTypes.Choice })(RawIpGeneralName);

  class RawIpGeneralNames extends AsnArray<RawIpGeneralName> {}
  AsnType({ type: AsnTypeTypes.Sequence, itemType: RawIpGeneralName })(RawIpGeneralNames);

  class RawIpGeneralSubtree extends BaseGeneralSubtree {}
  AsnProp({ type: RawIpGeneralName })(RawIpGeneralSubtree.prototype, "base");
  AsnType({ type: AsnTypeTypes.Sequence })(RawIpGeneralSubtree);

  class RawIpGeneralSubtrees extends AsnArray<RawIpGeneralSubtree> {}
  AsnType({ type: AsnTypeTypes.Sequence, itemType: RawIpGeneralSubtree })(RawIpGeneralSubtrees);

  class RawIpNameConstraints extends BaseNameConstraints {}
  AsnProp({ type: RawIpGeneralSubtrees, context: 0, implicit: true, optional: true })(RawIpNameConstraints.prototype, "permittedSubtrees");
  AsnProp({ type: RawIpGeneralSubtrees, context: 1, implicit: true, optional: true })(RawIpNameConstraints.prototype, "excludedSubtrees");
  AsnType({ type: AsnTypeTypes.Sequence })(RawIpNameConstraints);

  schemas = { convert: AsnConvert, generalNames: RawIpGeneralNames, nameConstraints: RawIpNameConstraints };
  return schemas;
}

/** The names of a subjectAltName extension Go matches against constraints; other kinds it ignores. */
export interface SubjectAltNames {
  dns: string[];
  emails: string[];
  uris: string[];
  /** 4 bytes (IPv4) or 16 (IPv6), as encoded. */
  ips: Uint8Array[];
}

export interface IpSubtree {
  ip: Uint8Array;
  mask: Uint8Array;
}

export interface Subtrees {
  dns: string[];
  emails: string[];
  uris: string[];
  ips: IpSubtree[];
}

export interface NameConstraintsExtension {
  critical: boolean;
  /** The GeneralName kinds Go does not check (directoryName, otherName, ...): with `critical`, Go refuses the certificate. */
  unsupported: string[];
  permitted: Subtrees;
  excluded: Subtrees;
}

/** Why Go's parser refuses a certificate carrying this extension; the certificate then takes part in no chain. */
export interface Unparsable {
  problem: string;
}

const UNSUPPORTED_KINDS = ["otherName", "x400Address", "directoryName", "ediPartyName", "registeredID"] as const;

function ipBytes(value: unknown): Uint8Array {
  return new Uint8Array(value as ArrayBuffer);
}

/** Go's parseSANExtension, the names it keeps, or why it refuses the certificate. */
export function readSubjectAltNames(extensionValue: ArrayBuffer): SubjectAltNames | Unparsable {
  let names: GeneralName[];
  try {
    const { convert, generalNames } = asn1();
    names = [...convert.parse(extensionValue, generalNames)];
  } catch {
    return { problem: "its subjectAltName extension is not valid DER" };
  }
  const out: SubjectAltNames = { dns: [], emails: [], uris: [], ips: [] };
  for (const name of names) {
    if (name.rfc822Name !== undefined) {
      if (!isIa5(name.rfc822Name)) return { problem: `its subjectAltName email ${JSON.stringify(name.rfc822Name)} is not ASCII` };
      out.emails.push(name.rfc822Name);
    } else if (name.dNSName !== undefined) {
      if (!isIa5(name.dNSName)) return { problem: `its subjectAltName DNS name ${JSON.stringify(name.dNSName)} is not ASCII` };
      out.dns.push(name.dNSName);
    } else if (name.uniformResourceIdentifier !== undefined) {
      const uri = name.uniformResourceIdentifier;
      const host = uriHost(uri);
      if (!isIa5(uri) || (host && !domainNameValid(host, false))) return { problem: `its subjectAltName URI ${JSON.stringify(uri)} cannot be parsed` };
      out.uris.push(uri);
    } else if (name.iPAddress !== undefined) {
      const ip = ipBytes(name.iPAddress);
      if (ip.length !== 4 && ip.length !== 16) return { problem: `its subjectAltName holds an IP address of ${ip.length} bytes` };
      out.ips.push(ip);
    }
  }
  return out;
}

/** Go's parseNameConstraintsExtension: the subtrees it keeps, the kinds it cannot check, or why it refuses the certificate. */
export function readNameConstraints(extensionValue: ArrayBuffer, critical: boolean): NameConstraintsExtension | Unparsable {
  let parsed: NameConstraints;
  try {
    const { convert, nameConstraints } = asn1();
    parsed = convert.parse(extensionValue, nameConstraints);
  } catch {
    return { problem: "its nameConstraints extension is not valid DER" };
  }
  const permittedSubtrees = [...(parsed.permittedSubtrees ?? [])];
  const excludedSubtrees = [...(parsed.excludedSubtrees ?? [])];
  // RFC 5280 4.2.1.10, which Go enforces: permitted or excluded subtrees must be present.
  if (permittedSubtrees.length === 0 && excludedSubtrees.length === 0) return { problem: "its nameConstraints extension is empty" };
  const unsupported = new Set<string>();
  const permitted = subtreesOf(permittedSubtrees, unsupported);
  if ("problem" in permitted) return permitted;
  const excluded = subtreesOf(excludedSubtrees, unsupported);
  if ("problem" in excluded) return excluded;
  return { critical, unsupported: [...unsupported], permitted, excluded };
}

function subtreesOf(subtrees: readonly GeneralSubtree[], unsupported: Set<string>): Subtrees | Unparsable {
  const out: Subtrees = { dns: [], emails: [], uris: [], ips: [] };
  for (const { base } of subtrees) {
    if (base.dNSName !== undefined) {
      const domain = base.dNSName;
      if (!isIa5(domain) || !domainNameValid(domain, true)) return { problem: `Go cannot parse its dnsName constraint ${JSON.stringify(domain)}` };
      out.dns.push(domain);
    } else if (base.iPAddress !== undefined) {
      const value = ipBytes(base.iPAddress);
      if (value.length !== 8 && value.length !== 32) return { problem: `its IP constraint is ${value.length} bytes long (8 or 32 expected)` };
      const half = value.length / 2;
      const subtree = { ip: value.slice(0, half), mask: value.slice(half) };
      if (!isValidIpMask(subtree.mask)) return { problem: `its IP constraint has a mask that is not a prefix (${Buffer.from(subtree.mask).toString("hex")})` };
      out.ips.push(subtree);
    } else if (base.rfc822Name !== undefined) {
      const constraint = base.rfc822Name;
      const valid = isIa5(constraint) && (constraint.includes("@") ? parseMailbox(constraint) !== undefined : domainNameValid(constraint, true));
      if (!valid) return { problem: `Go cannot parse its rfc822Name constraint ${JSON.stringify(constraint)}` };
      out.emails.push(constraint);
    } else if (base.uniformResourceIdentifier !== undefined) {
      const domain = base.uniformResourceIdentifier;
      if (isGoIp(domain)) return { problem: `its URI constraint ${JSON.stringify(domain)} is an IP address` };
      if (!isIa5(domain) || !domainNameValid(domain, true)) return { problem: `Go cannot parse its URI constraint ${JSON.stringify(domain)}` };
      out.uris.push(domain);
    } else {
      unsupported.add(UNSUPPORTED_KINDS.find((kind) => base[kind] !== undefined) ?? "unknown name form");
    }
  }
  return out;
}

/** Go's net.ParseIP accepting the text: IPv4 or IPv6, without a zone (which Go's ParseIP refuses). */
function isGoIp(text: string): boolean {
  return !text.includes("%") && net().isIP(text) !== 0;
}
