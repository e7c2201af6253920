/**
 * The four policy extensions of a certificate, read as Go's crypto/x509 parser reads them
 * (parser.go processExtensions and parseCertificatePoliciesExtension; oid.go newOIDFromDER):
 *
 * - certificatePolicies (2.5.29.32): a SEQUENCE of SEQUENCEs, each opening with an OID that
 *   must be well formed and must not repeat; the qualifiers after it are never looked at. An
 *   empty list parses, and counts as no policy at all.
 * - policyMappings (2.5.29.33): a SEQUENCE of SEQUENCEs of two OIDs, taken as bytes (not
 *   checked further). A mapping to or from anyPolicy parses: policy validation refuses it.
 * - policyConstraints (2.5.29.36): a SEQUENCE in which a [0] INTEGER, then a [1] INTEGER, are
 *   read when present; each must be a minimal integer of 64 bits at most. Anything else in it is
 *   ignored, an empty SEQUENCE included. A negative value parses and constrains nothing.
 * - inhibitAnyPolicy (2.5.29.54): an INTEGER, minimal and of 64 bits at most.
 *
 * Go reads the outer element and ignores bytes after it. A value Go cannot read makes it refuse
 * the whole certificate, which then takes part in no chain (critical-extensions.ts).
 */
import { extensionsOf, type DerCertificate } from "./certificate-extensions.js";
import { DerReader, oidText, TAG, validOidContents } from "./der-reader.js";

export const ANY_POLICY = "551d2000"; // 2.5.29.32.0, as the hex of its DER contents

const CERTIFICATE_POLICIES = "2.5.29.32";
const POLICY_MAPPINGS = "2.5.29.33";
const POLICY_CONSTRAINTS = "2.5.29.36";
const INHIBIT_ANY_POLICY = "2.5.29.54";

/** The OIDs under which Go reads a policy extension. */
export const POLICY_EXTENSION_OIDS = new Set([CERTIFICATE_POLICIES, POLICY_MAPPINGS, POLICY_CONSTRAINTS, INHIBIT_ANY_POLICY]);

export interface PolicyMapping {
  /** Policy OIDs as the hex of their DER contents, the form Go compares them in. */
  issuerDomainPolicy: string;
  subjectDomainPolicy: string;
}

export interface PolicyExtensions {
  /** Go's Certificate.Policies, in order; empty without the extension. */
  policies: string[];
  mappings: PolicyMapping[];
  /** Absent when the extension or the field is; may be negative, which constrains nothing. */
  requireExplicitPolicy?: bigint;
  inhibitPolicyMapping?: bigint;
  inhibitAnyPolicy?: bigint;
}

type Read<T> = T | { problem: string };

/** Dotted text of a policy OID kept as hex, for messages. */
export function policyName(hex: string): string {
  return hex === ANY_POLICY ? "anyPolicy" : oidText(Buffer.from(hex, "hex"));
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

const INVALID_POLICIES = "(x509: invalid certificate policies)";

function readCertificatePolicies(value: Uint8Array): Read<string[]> {
  const list = new DerReader(value).read(TAG.SEQUENCE);
  if (!list) return { problem: `its certificatePolicies extension is not a SEQUENCE ${INVALID_POLICIES}` };
  const reader = new DerReader(list);
  const policies: string[] = [];
  while (!reader.empty()) {
    const information = reader.read(TAG.SEQUENCE);
    const oid = information && new DerReader(information).read(TAG.OBJECT_IDENTIFIER);
    if (!oid) return { problem: `its certificatePolicies extension holds an entry that is not a SEQUENCE opening with a policy OID ${INVALID_POLICIES}` };
    if (!validOidContents(oid)) return { problem: `its certificatePolicies extension holds a malformed policy OID (${hex(oid) || "empty"}) ${INVALID_POLICIES}` };
    if (policies.includes(hex(oid))) return { problem: `its certificatePolicies extension names the policy ${policyName(hex(oid))} twice ${INVALID_POLICIES}` };
    policies.push(hex(oid));
  }
  return policies;
}

function readPolicyMappings(value: Uint8Array): Read<PolicyMapping[]> {
  const problem = { problem: "its policyMappings extension is not a SEQUENCE of pairs of OIDs (x509: invalid policy mappings extension)" };
  const list = new DerReader(value).read(TAG.SEQUENCE);
  if (!list) return problem;
  const reader = new DerReader(list);
  const mappings: PolicyMapping[] = [];
  while (!reader.empty()) {
    const pair = reader.read(TAG.SEQUENCE);
    const pairReader = pair && new DerReader(pair);
    const issuer = pairReader?.read(TAG.OBJECT_IDENTIFIER);
    const subject = issuer && pairReader?.read(TAG.OBJECT_IDENTIFIER);
    if (!issuer || !subject) return problem;
    mappings.push({ issuerDomainPolicy: hex(issuer), subjectDomainPolicy: hex(subject) });
  }
  return mappings;
}

function readPolicyConstraints(value: Uint8Array): Read<Pick<PolicyExtensions, "requireExplicitPolicy" | "inhibitPolicyMapping">> {
  const problem = (what: string) => ({ problem: `its policyConstraints extension ${what} (x509: invalid policy constraints extension)` });
  const fields = new DerReader(value).read(TAG.SEQUENCE);
  if (!fields) return problem("is not a SEQUENCE");
  const reader = new DerReader(fields);
  const out: Pick<PolicyExtensions, "requireExplicitPolicy" | "inhibitPolicyMapping"> = {};
  if (reader.peekTag(TAG.CONTEXT_0)) {
    const value = reader.readInt64(TAG.CONTEXT_0);
    if (value === undefined) return problem("has a requireExplicitPolicy that is not a minimal integer of 64 bits at most");
    out.requireExplicitPolicy = value;
  }
  if (reader.peekTag(TAG.CONTEXT_1)) {
    const value = reader.readInt64(TAG.CONTEXT_1);
    if (value === undefined) return problem("has an inhibitPolicyMapping that is not a minimal integer of 64 bits at most");
    out.inhibitPolicyMapping = value;
  }
  return out;
}

function readInhibitAnyPolicy(value: Uint8Array): Read<bigint> {
  const skipCerts = new DerReader(value).readInt64(TAG.INTEGER);
  return skipCerts ?? { problem: "its inhibitAnyPolicy extension is not a minimal INTEGER of 64 bits at most (x509: invalid inhibit any policy extension)" };
}

/**
 * Why Go refuses to parse this policy extension (OID dotted), or undefined when it reads it or
 * the OID is not one of the four. For critical-extensions.ts, which knows the extensions' order.
 */
export function policyExtensionRefusal(type: string, value: ArrayBuffer): string | undefined {
  const bytes = new Uint8Array(value);
  const read = type === CERTIFICATE_POLICIES ? readCertificatePolicies(bytes) : type === POLICY_MAPPINGS ? readPolicyMappings(bytes) : type === POLICY_CONSTRAINTS ? readPolicyConstraints(bytes) : type === INHIBIT_ANY_POLICY ? readInhibitAnyPolicy(bytes) : undefined;
  return read !== undefined && typeof read === "object" && "problem" in read ? read.problem : undefined;
}

const cache = new WeakMap<object, PolicyExtensions>();

/**
 * The policy facts of a certificate Go parses (one it refuses takes part in no chain, so it
 * never comes here; a field it could not read is left out rather than guessed).
 */
export function policyExtensionsOf(facts: DerCertificate): PolicyExtensions {
  const cached = cache.get(facts.certificate);
  if (cached) return cached;
  const out: PolicyExtensions = { policies: [], mappings: [] };
  for (const { type, value } of extensionsOf(facts) ?? []) {
    const bytes = new Uint8Array(value);
    if (type === CERTIFICATE_POLICIES) {
      const read = readCertificatePolicies(bytes);
      if (Array.isArray(read)) out.policies = read;
    } else if (type === POLICY_MAPPINGS) {
      const read = readPolicyMappings(bytes);
      if (Array.isArray(read)) out.mappings = read;
    } else if (type === POLICY_CONSTRAINTS) {
      const read = readPolicyConstraints(bytes);
      if (!("problem" in read)) Object.assign(out, read);
    } else if (type === INHIBIT_ANY_POLICY) {
      const read = readInhibitAnyPolicy(bytes);
      if (typeof read === "bigint") out.inhibitAnyPolicy = read;
    }
  }
  cache.set(facts.certificate, out);
  return out;
}
