/**
 * The client-chain model (src/hardening/pki/client-chain.ts verifyClientChain) against Go's own
 * crypto/x509 Certificate.Verify with KeyUsages [ClientAuth] (test/support/go-x509-oracle), on
 * small random sets of certificates: one leaf, 1 to 3 roots, 0 to 3 intermediates, over three
 * CA names and three keys reused, so that same-subject-other-key, cross-signed, looping and
 * forged-issuer shapes occur. Compared: success or failure, the first chain Go returns, and the
 * error's class (Go's error type and reason; the model words its reasons its own way).
 *
 * The oracle is the machine's Go (1.19 here), older than the Go kube-apiserver is built with
 * (1.24 and later), which the model follows. Certificates stay out of what changed between
 * the two (read in golang/go crypto/x509 verify.go, parser.go, constraints.go):
 * - certificatePolicies, policyMappings, policyConstraints, inhibitAnyPolicy: none. Go 1.22
 *   added policy validation (policiesValid) after chain building; 1.19 ignores policies and
 *   treats the three policy-constraint extensions, when critical, as unhandled.
 * - Keys are ECDSA P-256 only: since Go 1.24 crypto/rsa refuses RSA keys under 1024 bits.
 * - Serial numbers are positive: since Go 1.23 ParseCertificate refuses negative ones.
 * - pathLenConstraint is 0, 1 or absent, never negative: 1.19 reads it as a signed int (-1 and
 *   below mean "no limit"), current Go as unsigned (a negative one makes the parse fail).
 * - subjectKeyIdentifier and authorityKeyIdentifier are never critical: current Go refuses to
 *   parse a certificate with either marked critical; 1.19 accepts it.
 * - Name constraints: only dNSName ones, no CA with a subjectAltName of its own in a case that
 *   has any, and leaf names without wildcards. Go 1.19 checks them while building (isValid), against the
 *   leaf's names and, oddly, the constraining CA's own; current Go checks every certificate's
 *   names against the constraints above it after building (checkChainConstraints), and lets
 *   an excluded constraint exclude a wildcard sibling. With those shapes the chains kept are
 *   the same, but the error differs when a chain fails for a name and for another reason: 1.19
 *   gives the name, current Go the extended key usage. So with name constraints in a case only
 *   success, failure and the chain are compared, not the error's class.
 * - SHA-256 signatures only (SHA-1 is refused by both since Go 1.18, so nothing to compare).
 * - The 100 signature checks budget: since Go 1.25.9 and 1.26.2 (CVE-2026-32280) every candidate
 *   counts against it before one already in the chain (or with a key Go did not load) is
 *   skipped, where 1.19 skips first. Sets this small rarely reach it; where either side does,
 *   neither answer is compared (test/hardening/pki-parent-lookup.test.ts holds the new order).
 */
// @peculiar/x509 needs the Reflect metadata polyfill loaded before it.
import "reflect-metadata";
import { createHash, webcrypto } from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import * as asn1X509 from "@peculiar/asn1-x509";
import * as x509 from "@peculiar/x509";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { verifyClientChain, type ChainCertificate } from "../../src/hardening/pki/client-chain.js";
import { certificateFromDer } from "../../src/hardening/x509.js";
import { goVerifyClientChains, goX509OracleUnavailable, type OracleVerification } from "../support/go-x509-oracle.js";

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const NOW = new Date("2026-06-01T12:00:00Z");
const DAY = 86_400_000;
/** Random cases use the first three; 3 and 4 are ca-1 in another case and as a UTF8String (Go compares names as DER bytes). */
const CA_NAMES: x509.X509CertificateCreateParamsName[] = ["CN=ca-1", "CN=ca-2", "CN=ca-3", "CN=CA-1", new x509.Name([{ "2.5.4.3": [{ utf8String: "ca-1" }] }])];
const LEAF_NAME = "CN=user,O=team";

/** Extension values in DER, hex. */
const BC = { absent: undefined, ca: "30030101ff", caPathLen0: "30060101ff020100", caPathLen1: "30060101ff020101", notCa: "3000" } as const;
const KU = { absent: undefined, certSign: "03020106", digitalSignature: "03020780", both: "03020284" } as const;
const EKU = {
  absent: undefined,
  any: "30060604551d2500",
  clientAuth: "300a06082b06010505070302",
  serverAuth: "300a06082b06010505070301",
  both: "301406082b0601050507030106082b06010505070302",
} as const;
/** notBefore and notAfter from NOW; Go's bounds are inclusive to the second (now.Before, now.After). */
const VALIDITY = { valid: [-DAY, 300 * DAY], expired: [-300 * DAY, -DAY], notYetValid: [DAY, 300 * DAY], endsNow: [-DAY, 0], startsNow: [0, DAY], endedASecondAgo: [-DAY, -1000] } as const;

/** A DER element with a short length (every value built here is under 128 bytes). */
function der(tag: number, contents: Buffer): Buffer {
  if (contents.length > 127) throw new Error("test DER helper: contents too long");
  return Buffer.concat([Buffer.from([tag, contents.length]), contents]);
}
const dnsName = (name: string) => der(0x82, Buffer.from(name, "ascii"));
/** NameConstraints with one dNSName subtree, permitted ([0]) or excluded ([1]). */
const dnsConstraint = (kind: "permitted" | "excluded", name: string) => der(0x30, der(kind === "permitted" ? 0xa0 : 0xa1, der(0x30, dnsName(name))));
const NC = { none: undefined, permitExample: dnsConstraint("permitted", "example.com"), excludeExample: dnsConstraint("excluded", "example.com") } as const;
const SAN = { absent: undefined, inside: der(0x30, dnsName("a.example.com")), outside: der(0x30, dnsName("a.other.org")) } as const;

type Key = 0 | 1 | 2;
interface CertificateSpec {
  /** Index into CA_NAMES, or "leaf" for LEAF_NAME. */
  subject: number | "leaf";
  key: Key;
  /** The issuer name written in the certificate, and the key that signs it: a forgery when they do not belong together. */
  issuer: number;
  signer: Key;
  bc: keyof typeof BC;
  ku: keyof typeof KU;
  eku: keyof typeof EKU;
  validity: keyof typeof VALIDITY;
  /** subjectKeyIdentifier: its own key's id, another key's, or none. */
  ski: "own" | "other" | "absent";
  /** authorityKeyIdentifier: the signing key's id, another key's, or none. */
  aki: "signer" | "other" | "absent";
  nc: keyof typeof NC;
  san: keyof typeof SAN;
  /** Hand-written cases only: a version 1 certificate (no extensions at all), or more extensions (DER hex). */
  version1?: boolean;
  extra?: Array<{ oid: string; critical: boolean; value: string }>;
}

interface CaseSpec {
  leaf: CertificateSpec;
  /** The leaf itself is also in the client-CA bundle (a self-signed client certificate trusted directly). */
  leafInRoots: boolean;
  roots: CertificateSpec[];
  /** A certificate, or the index of a root presented again as an intermediate. */
  intermediates: Array<CertificateSpec | number>;
}

let keys: webcrypto.CryptoKeyPair[] = [];
const keyId = (key: number) => createHash("sha1").update(`key ${key % 3}`).digest();

async function build(spec: CertificateSpec): Promise<Buffer> {
  const ext = (oid: string, critical: boolean, value: string | Buffer | undefined) => (value === undefined ? [] : [new x509.Extension(oid, critical, Buffer.from(value as string, typeof value === "string" ? "hex" : undefined))]);
  const ski = spec.ski === "absent" ? undefined : der(0x04, keyId(spec.ski === "own" ? spec.key : spec.key + 1));
  const aki = spec.aki === "absent" ? undefined : der(0x30, der(0x80, keyId(spec.aki === "signer" ? spec.signer : spec.signer + 1)));
  const [from, to] = VALIDITY[spec.validity];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: `1${Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString("hex")}`,
    subject: spec.subject === "leaf" ? LEAF_NAME : CA_NAMES[spec.subject],
    issuer: CA_NAMES[spec.issuer],
    notBefore: new Date(NOW.getTime() + from),
    notAfter: new Date(NOW.getTime() + to),
    publicKey: (keys[spec.key] as webcrypto.CryptoKeyPair).publicKey,
    signingKey: (keys[spec.signer] as webcrypto.CryptoKeyPair).privateKey,
    signingAlgorithm: ALGORITHM,
    extensions: [
      ...ext("2.5.29.19", true, BC[spec.bc]),
      ...ext("2.5.29.15", true, KU[spec.ku]),
      ...ext("2.5.29.37", false, EKU[spec.eku]),
      ...ext("2.5.29.14", false, ski),
      ...ext("2.5.29.35", false, aki),
      ...ext("2.5.29.30", true, NC[spec.nc]),
      ...ext("2.5.29.17", false, SAN[spec.san]),
      ...(spec.extra ?? []).flatMap((e) => ext(e.oid, e.critical, e.value)),
    ],
  });
  return spec.version1 ? asVersion1(Buffer.from(cert.rawData), (keys[spec.signer] as webcrypto.CryptoKeyPair).privateKey) : Buffer.from(cert.rawData);
}

/** The same certificate as version 1: no version field, no extensions, signed again. */
async function asVersion1(v3: Buffer, signingKey: webcrypto.CryptoKey): Promise<Buffer> {
  const cert = AsnConvert.parse(v3, asn1X509.Certificate);
  cert.tbsCertificate.version = asn1X509.Version.v1;
  cert.tbsCertificate.extensions = undefined;
  const tbs = AsnConvert.serialize(cert.tbsCertificate);
  const raw = Buffer.from(await webcrypto.subtle.sign(ALGORITHM, signingKey, tbs));
  // WebCrypto gives r || s; X.509 wants SEQUENCE { INTEGER r, INTEGER s }.
  const integer = (half: Buffer) => {
    const trimmed = half.subarray(half.findIndex((b) => b !== 0));
    return der(0x02, (trimmed[0] as number) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
  };
  const signature = der(0x30, Buffer.concat([integer(raw.subarray(0, 32)), integer(raw.subarray(32))]));
  cert.signatureValue = new Uint8Array(signature).buffer;
  return Buffer.from(AsnConvert.serialize(cert));
}

interface BuiltCase {
  spec: CaseSpec;
  leaf: Buffer;
  roots: Buffer[];
  intermediates: Buffer[];
}

async function buildCase(spec: CaseSpec): Promise<BuiltCase> {
  const leaf = await build(spec.leaf);
  const roots = [...(spec.leafInRoots ? [leaf] : []), ...(await Promise.all(spec.roots.map(build)))];
  const intermediates = await Promise.all(spec.intermediates.map((i) => (typeof i === "number" ? (roots[i % roots.length] as Buffer) : build(i))));
  return { spec, leaf, roots, intermediates };
}

/** What is compared: the chain as pool:index labels, or the error's class. */
type Outcome = { chain: string[] } | { class: string };

/** The model's reasons, sorted into Go's error classes by what each reason says. */
const MODEL_CLASSES: Array<[RegExp, string]> = [
  [/cannot be parsed by Go/, "parse"],
  [/signed by unknown authority/, "unknown-authority"],
  [/incompatible key usage/, "incompatible-usage"],
  [/expired at|is not valid before/, "expired"],
  [/not authorized to sign for this name/, "name-constraints"],
  [/intermediate CA\(s\) below it \(pathLen\)/, "too-many-intermediates"],
  [/signed another certificate but is not a CA/, "not-authorized-to-sign"],
  [/x509: unhandled critical extension/, "unhandled-critical-extension"],
  [/signature check attempts limit/, "signature-limit"],
];

function label(built: BuiltCase, chain: readonly Buffer[]): string[] {
  return chain.map((cert, i) => {
    if (i === 0) return "leaf";
    const [pool, list] = i === chain.length - 1 ? ["root", built.roots] : ["intermediate", built.intermediates];
    return `${pool}:${list.findIndex((c) => c.equals(cert))}`;
  });
}

function modelOutcome(built: BuiltCase): Outcome {
  const facts = (der: Buffer): ChainCertificate => {
    const read = certificateFromDer(der);
    if (!read) throw new Error("test certificate does not parse in Node");
    return read;
  };
  const result = verifyClientChain(facts(built.leaf), built.roots.map(facts), built.intermediates.map(facts), NOW);
  if ("chain" in result) return { chain: label(built, result.chain.map((c) => c.certificate.raw)) };
  const found = MODEL_CLASSES.find(([pattern]) => pattern.test(result.reason));
  return { class: found ? found[1] : `unclassified: ${result.reason}` };
}

function goOutcome(answer: OracleVerification): Outcome {
  if (answer.ok) return { chain: answer.chain.map((l) => (l.pool === "leaf" ? "leaf" : `${l.pool}:${l.index}`)) };
  return { class: answer.class };
}

const hasNameConstraints = (spec: CaseSpec) => [...spec.roots, ...spec.intermediates].some((c) => typeof c !== "number" && c.nc !== "none");

/** The outcomes as compared: without the error's class when name constraints make it version-dependent (see above). */
function comparable(outcome: Outcome, spec: CaseSpec): Outcome {
  return "class" in outcome && hasNameConstraints(spec) ? { class: "failed (class not compared: name constraints)" } : outcome;
}

function describeCase(built: BuiltCase, go: OracleVerification): string {
  return JSON.stringify({ spec: built.spec, go: go.ok ? go.chain : go.error, goVersion: go.goVersion }, null, 1);
}

async function compareWithGo(specs: readonly CaseSpec[]): Promise<Array<{ model: Outcome; go: Outcome; built: BuiltCase; answer: OracleVerification }>> {
  const built = await Promise.all(specs.map(buildCase));
  const answers = goVerifyClientChains(built.map((b) => ({ ...b, currentTime: NOW })));
  return built.map((b, i) => {
    const answer = answers[i] as OracleVerification;
    const [model, go] = [comparable(modelOutcome(b), b.spec), comparable(goOutcome(answer), b.spec)];
    // Where the budget runs out, the releases part (see above): neither side's answer is compared.
    const budget = [model, go].some((o) => "class" in o && o.class === "signature-limit");
    const spent = { class: "signature budget reached (not compared)" };
    return { built: b, answer, model: budget ? spent : model, go: budget ? spent : go };
  });
}

const key = fc.constantFrom<Key>(0, 1, 2);
const caName = fc.constantFrom(0, 1, 2);
const pick = <T extends object>(table: T, weights?: Partial<Record<keyof T, number>>) =>
  fc.oneof(...(Object.keys(table) as Array<keyof T>).map((k) => ({ arbitrary: fc.constant(k), weight: weights?.[k] ?? 1 })));

/**
 * Mostly coherent, so that chains form: CA name i mostly holds key i, a certificate is mostly
 * signed by the key of the name it gives as issuer, roots mostly self-issued, and names mostly
 * form a hierarchy (ca-1 above ca-2 above ca-3, the leaf under any); now and then
 * anything, which makes the same-name-other-key, forged-issuer, looping and cross-signed shapes.
 */
function certificateSpec(role: "leaf" | "root" | "intermediate"): fc.Arbitrary<CertificateSpec> {
  const ca = role !== "leaf";
  const weighted = <T>(...choices: Array<[T, number]>) => fc.oneof(...choices.map(([value, weight]) => ({ arbitrary: fc.constant(value), weight })));
  const subject: fc.Arbitrary<number | "leaf"> =
    role === "leaf" ? weighted<number | "leaf">(["leaf", 12], [0, 1], [1, 1]) : role === "root" ? weighted<number | "leaf">([0, 4], [1, 1], [2, 1]) : weighted<number | "leaf">([0, 1], [1, 3], [2, 3]);
  return fc
    .record({
      subject,
      key,
      issuer: caName,
      signer: key,
      roll: fc.record({ keyFollowsName: fc.nat(9), signerFollowsIssuer: fc.nat(9), selfIssued: fc.nat(9), hierarchy: fc.nat(9) }),
      bc: pick(BC, ca ? { ca: 10, caPathLen0: 2, caPathLen1: 2 } : { absent: 2, notCa: 3 }),
      ku: pick(KU, ca ? { certSign: 10 } : { digitalSignature: 4 }),
      eku: pick(EKU, ca ? { absent: 8 } : { clientAuth: 8 }),
      validity: pick(VALIDITY, { valid: 20, expired: 2, notYetValid: 2 }),
      ski: fc.constantFrom("own", "own", "other", "absent"),
      aki: fc.constantFrom("signer", "signer", "other", "absent"),
      nc: ca ? pick(NC, { none: 40 }) : fc.constant("none" as const),
      san: pick(SAN, ca ? { absent: 6 } : {}),
    })
    .map(({ roll, ...spec }) => {
      let shaped: CertificateSpec = roll.keyFollowsName < 8 && typeof spec.subject === "number" ? { ...spec, key: spec.subject as Key } : spec;
      if (roll.selfIssued < (role === "root" ? 7 : 1) && typeof shaped.subject === "number") return { ...shaped, issuer: shaped.subject, signer: shaped.key };
      if (roll.hierarchy < 6) shaped = { ...shaped, issuer: typeof shaped.subject === "number" ? Math.max(0, shaped.subject - 1) : roll.hierarchy % 3 };
      return roll.signerFollowsIssuer < 8 ? { ...shaped, signer: shaped.issuer as Key } : shaped;
    });
}

/** A CA's own subjectAltName only where no certificate has name constraints (Go 1.19 checks a CA's names differently, see above). */
function withoutCaNamesUnderConstraints(spec: CaseSpec): CaseSpec {
  if (!hasNameConstraints(spec)) return spec;
  const strip = (c: CertificateSpec): CertificateSpec => ({ ...c, san: "absent" });
  return { ...spec, roots: spec.roots.map(strip), intermediates: spec.intermediates.map((i) => (typeof i === "number" ? i : strip(i))) };
}

const caseSpec: fc.Arbitrary<CaseSpec> = fc
  .record({
    leaf: certificateSpec("leaf"),
    leafInRoots: fc.oneof({ arbitrary: fc.constant(false), weight: 9 }, { arbitrary: fc.constant(true), weight: 1 }),
    roots: fc.array(certificateSpec("root"), { minLength: 1, maxLength: 3, size: "max" }),
    intermediates: fc.array(fc.oneof({ arbitrary: certificateSpec("intermediate"), weight: 5 }, { arbitrary: fc.nat(2), weight: 1 }), { maxLength: 3, size: "max" }),
  })
  .map(withoutCaNamesUnderConstraints);

const suite = goX509OracleUnavailable ? describe.skip : describe;

beforeAll(async () => {
  keys = await Promise.all([0, 1, 2].map(async () => (await webcrypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair));
});

suite("client chains: the model against Go's crypto/x509 Verify", () => {
  it("agrees on random sets of certificates (success, first chain, error class)", async () => {
    const seed = Number(process.env.PALISADE_FC_SEED ?? Date.now() % 2 ** 31);
    const results = await compareWithGo(fc.sample(caseSpec, { numRuns: 250, seed }));
    const disagreements = results.filter((r) => JSON.stringify(r.model) !== JSON.stringify(r.go));
    const shown = disagreements.slice(0, 3).map((r) => `model ${JSON.stringify(r.model)} vs Go ${JSON.stringify(r.go)}\n${describeCase(r.built, r.answer)}`);
    expect(shown, `seed ${seed}: ${disagreements.length} of ${results.length} cases disagree`).toEqual([]);
    // The sample must exercise both sides, or agreeing proves little.
    expect(results.filter((r) => "chain" in r.go).length, `seed ${seed}`).toBeGreaterThan(10);
    expect(new Set(results.flatMap((r) => ("class" in r.go ? [r.go.class] : []))).size, `seed ${seed}`).toBeGreaterThan(3);
  });
});

/** A CA identity (name i, key i), self-issued unless told otherwise. */
const ca = (subject: 0 | 1 | 2, more: Partial<CertificateSpec> = {}): CertificateSpec => ({
  subject, key: subject, issuer: subject, signer: subject, bc: "ca", ku: "certSign", eku: "absent", validity: "valid", ski: "own", aki: "signer", nc: "none", san: "absent", ...more,
});
/** Issued by CA identity `issuer` (its name and key). */
const under = (issuer: 0 | 1 | 2) => ({ issuer, signer: issuer as Key });
const client = (issuer: 0 | 1 | 2, more: Partial<CertificateSpec> = {}): CertificateSpec => ({
  ...ca(0, under(issuer)), subject: "leaf", key: 1, bc: "notCa", ku: "digitalSignature", eku: "clientAuth", ...more,
});
const UNKNOWN_CRITICAL = { oid: "1.3.6.1.4.1.99999.1", critical: true, value: "0500" };

/** Shapes where a model can go wrong, with what Go answers; the model must answer the same. */
const TRICKY: Array<{ name: string; spec: CaseSpec; go: Outcome }> = [
  { name: "a CA both trusted and presented cross-signed: the root is tried first", spec: { leaf: client(1), leafInRoots: false, roots: [ca(0), ca(1)], intermediates: [ca(1, under(0))] }, go: { chain: ["leaf", "root:1"] } },
  { name: "two roots of one name, other keys: the one whose key signed", spec: { leaf: client(0), leafInRoots: false, roots: [ca(0, { key: 1, signer: 1 }), ca(0)], intermediates: [] }, go: { chain: ["leaf", "root:1"] } },
  { name: "authorityKeyId order: the intermediate whose subjectKeyId matches first", spec: { leaf: client(1), leafInRoots: false, roots: [ca(0)], intermediates: [ca(1, { ...under(0), ski: "other" }), ca(1, under(0))] }, go: { chain: ["leaf", "intermediate:1", "root:0"] } },
  { name: "a presented non-CA of the right name and key is passed over", spec: { leaf: client(1), leafInRoots: false, roots: [ca(0)], intermediates: [ca(1, { ...under(0), bc: "notCa" }), ca(1, under(0))] }, go: { chain: ["leaf", "intermediate:1", "root:0"] } },
  { name: "pathLen 0 on the root: a direct client passes", spec: { leaf: client(0), leafInRoots: false, roots: [ca(0, { bc: "caPathLen0" })], intermediates: [] }, go: { chain: ["leaf", "root:0"] } },
  { name: "pathLen 0 on the root: one intermediate is too many", spec: { leaf: client(1), leafInRoots: false, roots: [ca(0, { bc: "caPathLen0" })], intermediates: [ca(1, under(0))] }, go: { class: "too-many-intermediates" } },
  { name: "pathLen 1 on the root: two intermediates are too many", spec: { leaf: client(2), leafInRoots: false, roots: [ca(0, { bc: "caPathLen1" })], intermediates: [ca(1, under(0)), ca(2, under(1))] }, go: { class: "too-many-intermediates" } },
  { name: "a serverAuth-only intermediate's chain is dropped after building; the next route is taken", spec: { leaf: client(1), leafInRoots: false, roots: [ca(0)], intermediates: [ca(1, { ...under(0), eku: "serverAuth" }), ca(1, { ...under(0), eku: "both" })] }, go: { chain: ["leaf", "intermediate:1", "root:0"] } },
  { name: "only a serverAuth route: incompatible usage, not unknown authority", spec: { leaf: client(1), leafInRoots: false, roots: [ca(0)], intermediates: [ca(1, { ...under(0), eku: "serverAuth" })] }, go: { class: "incompatible-usage" } },
  { name: "the client certificate itself in the bundle is its own chain", spec: { leaf: client(2), leafInRoots: true, roots: [], intermediates: [] }, go: { chain: ["leaf"] } },
  { name: "... and still needs clientAuth", spec: { leaf: client(2, { eku: "serverAuth" }), leafInRoots: true, roots: [], intermediates: [] }, go: { class: "incompatible-usage" } },
  { name: "an expired intermediate, then a valid one of the same name and key", spec: { leaf: client(1), leafInRoots: false, roots: [ca(0)], intermediates: [ca(1, { ...under(0), validity: "expired" }), ca(1, under(0))] }, go: { chain: ["leaf", "intermediate:1", "root:0"] } },
  { name: "the only root expired", spec: { leaf: client(0), leafInRoots: false, roots: [ca(0, { validity: "expired" })], intermediates: [] }, go: { class: "expired" } },
  { name: "a client not yet valid", spec: { leaf: client(0, { validity: "notYetValid" }), leafInRoots: false, roots: [ca(0)], intermediates: [] }, go: { class: "expired" } },
  { name: "a root whose keyUsage is digitalSignature only cannot sign", spec: { leaf: client(0), leafInRoots: false, roots: [ca(0, { ku: "digitalSignature" })], intermediates: [] }, go: { class: "unknown-authority" } },
  { name: "an issuer name in another case is another name", spec: { leaf: client(0, { issuer: 3 }), leafInRoots: false, roots: [ca(0)], intermediates: [] }, go: { class: "unknown-authority" } },
  { name: "an issuer name as UTF8String is not the PrintableString subject", spec: { leaf: client(0, { issuer: 4 }), leafInRoots: false, roots: [ca(0)], intermediates: [] }, go: { class: "unknown-authority" } },
  { name: "... but is the UTF8String subject", spec: { leaf: client(0, { issuer: 4 }), leafInRoots: false, roots: [ca(0, { subject: 4, issuer: 4 })], intermediates: [] }, go: { chain: ["leaf", "root:0"] } },
  { name: "valid to the very second it ends", spec: { leaf: client(0, { validity: "endsNow" }), leafInRoots: false, roots: [ca(0, { validity: "endsNow" })], intermediates: [] }, go: { chain: ["leaf", "root:0"] } },
  { name: "valid from the very second it starts", spec: { leaf: client(1, { validity: "startsNow" }), leafInRoots: false, roots: [ca(0)], intermediates: [ca(1, { ...under(0), validity: "startsNow" })] }, go: { chain: ["leaf", "intermediate:0", "root:0"] } },
  { name: "a second after it ends, expired", spec: { leaf: client(0), leafInRoots: false, roots: [ca(0, { validity: "endedASecondAgo" })], intermediates: [] }, go: { class: "expired" } },
  { name: "a root without keyUsage signs", spec: { leaf: client(0), leafInRoots: false, roots: [ca(0, { ku: "absent" })], intermediates: [] }, go: { chain: ["leaf", "root:0"] } },
  { name: "a version 3 root without basicConstraints cannot sign", spec: { leaf: client(0), leafInRoots: false, roots: [ca(0, { bc: "absent" })], intermediates: [] }, go: { class: "unknown-authority" } },
  { name: "a version 1 root signs", spec: { leaf: client(0), leafInRoots: false, roots: [ca(0, { version1: true })], intermediates: [] }, go: { chain: ["leaf", "root:0"] } },
  { name: "a version 1 intermediate signs but may not be one", spec: { leaf: client(1), leafInRoots: false, roots: [ca(0)], intermediates: [ca(1, { ...under(0), version1: true })] }, go: { class: "not-authorized-to-sign" } },
  { name: "two CAs cross-signing each other with no root: no loop", spec: { leaf: client(1), leafInRoots: false, roots: [ca(0)], intermediates: [ca(1, under(2)), ca(2, under(1))] }, go: { class: "unknown-authority" } },
  { name: "a root presented again as an intermediate", spec: { leaf: client(0), leafInRoots: false, roots: [ca(0)], intermediates: [0] }, go: { chain: ["leaf", "root:0"] } },
  { name: "key rollover: a self-issued intermediate with the new key under the old root", spec: { leaf: client(0, { signer: 1 }), leafInRoots: false, roots: [ca(0)], intermediates: [ca(0, { key: 1, signer: 0 })] }, go: { chain: ["leaf", "intermediate:0", "root:0"] } },
  { name: "an unknown critical extension on the root", spec: { leaf: client(0), leafInRoots: false, roots: [ca(0, { extra: [UNKNOWN_CRITICAL] })], intermediates: [] }, go: { class: "unhandled-critical-extension" } },
  { name: "an empty extKeyUsage on the intermediate allows any usage", spec: { leaf: client(1), leafInRoots: false, roots: [ca(0)], intermediates: [ca(1, { ...under(0), extra: [{ oid: "2.5.29.37", critical: false, value: "3000" }] })] }, go: { chain: ["leaf", "intermediate:0", "root:0"] } },
  { name: "name constraints: a client without subjectAltName passes a constrained root", spec: { leaf: client(0), leafInRoots: false, roots: [ca(0, { nc: "permitExample" })], intermediates: [] }, go: { chain: ["leaf", "root:0"] } },
  { name: "name constraints: a name outside the permitted subtree", spec: { leaf: client(1, { san: "outside" }), leafInRoots: false, roots: [ca(0)], intermediates: [ca(1, { ...under(0), nc: "permitExample" })] }, go: { class: "name-constraints" } },
  { name: "name constraints: a name inside the excluded subtree", spec: { leaf: client(0, { san: "inside" }), leafInRoots: false, roots: [ca(0, { nc: "excludeExample" })], intermediates: [] }, go: { class: "name-constraints" } },
];

suite("client chains: hand-written tricky shapes, the model against Go", () => {
  it("answers each as Go does", async () => {
    const results = await compareWithGo(TRICKY.map((t) => t.spec));
    TRICKY.forEach((t, i) => {
      const r = results[i] as (typeof results)[number];
      expect(goOutcome(r.answer), `Go, ${t.name}: ${describeCase(r.built, r.answer)}`).toEqual(t.go);
      expect(r.model, `model, ${t.name}`).toEqual(r.go);
    });
  });
});
