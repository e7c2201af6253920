/**
 * How the client-chain model (src/hardening/pki/client-chain.ts) finds candidate parents, against
 * Go's crypto/x509: CertPool (cert_pool.go) holds each certificate once and looks parents up by
 * the raw DER of the child's issuer, byName[string(RawIssuer)], never by a printed name, so a
 * UTF8String and a PrintableString of the same text are two names; findPotentialParents orders
 * them by subjectKeyId against the child's authorityKeyId (matching, one absent, mismatched), and
 * buildChains (verify.go) tries roots before intermediates, keeps the last isValid error, and
 * stops after 100 signature checks; alreadyInChain compares RawSubject and the raw public key.
 * Names, key identifiers and extensions are written byte by byte.
 */
// @peculiar/x509 needs the Reflect metadata polyfill loaded before it.
import "reflect-metadata";
import { generateKeyPairSync, webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";
import { describe, expect, it } from "vitest";
import { identityOf } from "../../src/hardening/pki/certificate-identity.js";
import { verifyClientChain, type ChainCertificate } from "../../src/hardening/pki/client-chain.js";
import { certificateFromDer } from "../../src/hardening/x509.js";

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
const NOW = new Date("2026-06-01T12:00:00Z");
const DAY = 86_400_000;
type Keys = webcrypto.CryptoKeyPair;

/** A DER element: tag, definite length, contents. */
function tlv(tag: number, contents: Buffer): Buffer {
  const length = contents.length;
  const header = length < 128 ? [length] : length < 256 ? [0x81, length] : [0x82, length >> 8, length & 0xff];
  return Buffer.concat([Buffer.from([tag, ...header]), contents]);
}

const STRING_TAG = { utf8: 0x0c, printable: 0x13 } as const;
const OID = { CN: "550403", O: "55040a" } as const;

/** A Name of one RDN per attribute: [attribute, string type, text]. */
function name(...attributes: Array<[keyof typeof OID, keyof typeof STRING_TAG, string]>): x509.Name {
  const rdns = attributes.map(([attribute, type, text]) => tlv(0x31, tlv(0x30, Buffer.concat([tlv(0x06, Buffer.from(OID[attribute], "hex")), tlv(STRING_TAG[type], Buffer.from(text))]))));
  return new x509.Name(tlv(0x30, Buffer.concat(rdns)));
}

const BC_CA = "30030101ff";
const KU_CERT_SIGN = "03020106";
const EKU_CLIENT_AUTH = "300a06082b06010505070302";

interface Made {
  cert: x509.X509Certificate;
  keys: Keys;
  facts: ChainCertificate;
}

interface Spec {
  subject: x509.Name;
  /** Defaults to the signer's subject, or the subject when self-signed. */
  issuer?: x509.Name;
  keys?: Keys;
  /** A SubjectPublicKeyInfo to certify instead of the keys' own (a key type WebCrypto cannot make); such a certificate signs nothing. */
  publicKeyDer?: Buffer;
  signer?: Made;
  ca?: boolean;
  /** Hex; the extension is left out when undefined. */
  subjectKeyId?: string;
  authorityKeyId?: string;
  /** Raw extension values, hex, for values Go cannot read. */
  rawSubjectKeyId?: string;
  rawAuthorityKeyId?: string;
  notBefore?: Date;
  notAfter?: Date;
}

const newKeys = async () => (await webcrypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"])) as Keys;

async function make(spec: Spec): Promise<Made> {
  const keys = spec.keys ?? (await newKeys());
  const extensions = [new x509.Extension("2.5.29.19", true, Buffer.from(spec.ca === false ? "3000" : BC_CA, "hex"))];
  if (spec.ca === false) extensions.push(new x509.Extension("2.5.29.37", false, Buffer.from(EKU_CLIENT_AUTH, "hex")));
  else extensions.push(new x509.Extension("2.5.29.15", true, Buffer.from(KU_CERT_SIGN, "hex")));
  const ski = spec.rawSubjectKeyId ?? (spec.subjectKeyId === undefined ? undefined : tlv(0x04, Buffer.from(spec.subjectKeyId, "hex")).toString("hex"));
  if (ski !== undefined) extensions.push(new x509.Extension("2.5.29.14", false, Buffer.from(ski, "hex")));
  const aki = spec.rawAuthorityKeyId ?? (spec.authorityKeyId === undefined ? undefined : tlv(0x30, tlv(0x80, Buffer.from(spec.authorityKeyId, "hex"))).toString("hex"));
  if (aki !== undefined) extensions.push(new x509.Extension("2.5.29.35", false, Buffer.from(aki, "hex")));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString("hex").replace(/^[89a-f]/, "1"),
    subject: spec.subject,
    issuer: spec.issuer ?? (spec.signer ? new x509.Name(spec.signer.cert.subjectName.toArrayBuffer()) : spec.subject),
    notBefore: spec.notBefore ?? new Date(NOW.getTime() - DAY),
    notAfter: spec.notAfter ?? new Date(NOW.getTime() + 300 * DAY),
    publicKey: spec.publicKeyDer ?? keys.publicKey,
    signingKey: (spec.signer?.keys ?? keys).privateKey,
    signingAlgorithm: ALGORITHM,
    extensions,
  });
  const facts = certificateFromDer(Buffer.from(cert.rawData));
  if (!facts) throw new Error("test certificate does not parse");
  return { cert, keys, facts };
}

const verify = (leaf: Made, roots: Made[], intermediates: Made[] = [], now?: Date) =>
  verifyClientChain(
    leaf.facts,
    roots.map((r) => r.facts),
    intermediates.map((i) => i.facts),
    now,
  );

/** The raw issuer or subject the model reads, to prove the test wrote the bytes it meant to. */
function raw(made: Made, field: "rawIssuer" | "rawSubject"): Buffer {
  const reading = identityOf(made.facts);
  if ("refusal" in reading) throw new Error(reading.refusal);
  return reading.identity[field];
}

describe("parents are found by the raw DER of the issuer (CertPool byName[string(RawIssuer)])", () => {
  it("a CA named in PrintableString is no parent of a client whose issuer is the same text in UTF8String", async () => {
    const root = await make({ subject: name(["O", "printable", "Example"], ["CN", "printable", "Kube CA"]), subjectKeyId: "0a0b" });
    const utf8Issuer = name(["O", "utf8", "Example"], ["CN", "utf8", "Kube CA"]);
    // The authorityKeyId names the CA's key: older Go looked parents up by it, Go today does not.
    const leaf = await make({ subject: name(["CN", "utf8", "alice"]), issuer: utf8Issuer, signer: root, ca: false, authorityKeyId: "0a0b" });
    expect(leaf.facts.certificate.issuer).toBe(root.facts.certificate.subject); // Node prints them alike
    expect(raw(leaf, "rawIssuer").equals(raw(root, "rawSubject"))).toBe(false);
    expect(verify(leaf, [root])).toEqual({ reason: expect.stringMatching(/^certificate signed by unknown authority "O=Example, CN=Kube CA"$/) });

    const sameBytes = await make({ subject: name(["CN", "utf8", "alice"]), signer: root, ca: false, authorityKeyId: "0a0b" });
    expect(raw(sameBytes, "rawIssuer").equals(raw(root, "rawSubject"))).toBe(true);
    expect(verify(sameBytes, [root])).toEqual({ chain: [sameBytes.facts, root.facts] });
  });

  it("an intermediate is found the same way: its UTF8String twin under the same key is no parent", async () => {
    const root = await make({ subject: name(["CN", "utf8", "root"]) });
    const keys = await newKeys();
    const printableMid = await make({ subject: name(["CN", "printable", "mid"]), keys, signer: root });
    const utf8Mid = await make({ subject: name(["CN", "utf8", "mid"]), keys, signer: root });
    const leaf = await make({ subject: name(["CN", "utf8", "bob"]), signer: utf8Mid, ca: false });
    expect(verify(leaf, [root], [printableMid])).toEqual({ reason: expect.stringMatching(/unknown authority "CN=mid"/) });
    expect(verify(leaf, [root], [printableMid, utf8Mid])).toEqual({ chain: [leaf.facts, utf8Mid.facts, root.facts] });
  });

  it("alreadyInChain compares raw subjects: a CA re-issued under the same key with its name in another encoding may sign the first", async () => {
    const root = await make({ subject: name(["CN", "utf8", "root"]) });
    const keys = await newKeys();
    const printable = await make({ subject: name(["CN", "printable", "X"]), keys, signer: root });
    // Issued by the PrintableString twin (same key), named in UTF8String: the same CA to Node's eyes, two to Go's.
    const utf8 = await make({ subject: name(["CN", "utf8", "X"]), issuer: name(["CN", "printable", "X"]), keys, signer: printable });
    const leaf = await make({ subject: name(["CN", "utf8", "carol"]), signer: utf8, ca: false });
    expect(verify(leaf, [root], [utf8, printable])).toEqual({ chain: [leaf.facts, utf8.facts, printable.facts, root.facts] });
  });
});

describe("candidate order (findPotentialParents by key id; buildChains roots first)", () => {
  const rootName = () => name(["CN", "utf8", "root"]);

  it("finds first the root whose subjectKeyId matches the authorityKeyId, wherever the bundle lists it", async () => {
    const keys = await newKeys();
    const other = await make({ subject: rootName(), keys, subjectKeyId: "aa" });
    const matching = await make({ subject: rootName(), keys, subjectKeyId: "bb" });
    const leaf = await make({ subject: name(["CN", "utf8", "alice"]), signer: matching, ca: false, authorityKeyId: "bb" });
    expect(verify(leaf, [other, matching])).toEqual({ chain: [leaf.facts, matching.facts] });
    // A root without a key id comes after the matching one, before a mismatched one.
    const noKeyId = await make({ subject: rootName(), keys });
    expect(verify(leaf, [other, noKeyId])).toEqual({ chain: [leaf.facts, noKeyId.facts] });
    // Neither side with a key id counts as a match (bytes.Equal of two empty slices).
    const bare = await make({ subject: name(["CN", "utf8", "bob"]), signer: noKeyId, ca: false });
    expect(verify(bare, [other, noKeyId])).toEqual({ chain: [bare.facts, noKeyId.facts] });
  });

  it("ends with the error of the candidate Go tries last: the mismatched expired root, not the matching one not yet valid", async () => {
    const keys = await newKeys();
    const expired = await make({ subject: rootName(), keys, subjectKeyId: "aa", notAfter: new Date(NOW.getTime() - DAY) });
    const early = await make({ subject: rootName(), keys, subjectKeyId: "bb", notBefore: new Date(NOW.getTime() + DAY) });
    const leaf = await make({ subject: name(["CN", "utf8", "alice"]), signer: early, ca: false, authorityKeyId: "bb" });
    expect(verify(leaf, [expired, early], [], NOW)).toEqual({ reason: expect.stringMatching(/^trust anchor "CN=root" expired at/) });
    expect(verify(leaf, [early, expired], [], NOW)).toEqual({ reason: expect.stringMatching(/^trust anchor "CN=root" expired at/) });
  });

  it("spends the 100 signature checks in Go's order: a matching root after 100 same-named strangers still verifies", async () => {
    const strangerKeys = await newKeys();
    const strangers = await Promise.all(Array.from({ length: 100 }, () => make({ subject: rootName(), keys: strangerKeys, subjectKeyId: "aa" })));
    const root = await make({ subject: rootName(), subjectKeyId: "bb" });
    const leaf = await make({ subject: name(["CN", "utf8", "alice"]), signer: root, ca: false, authorityKeyId: "bb" });
    expect(verify(leaf, [...strangers, root])).toEqual({ chain: [leaf.facts, root.facts] });
    // Without key ids to order them, Go too tries the strangers first and runs out.
    const bare = await make({ subject: name(["CN", "utf8", "bob"]), signer: root, ca: false, authorityKeyId: "cc" });
    expect(verify(bare, [...strangers, root])).toEqual({ reason: "signature check attempts limit reached while verifying certificate chain" });
  });

  it("holds a presented intermediate once however often the client repeats it (CertPool.AddCert)", async () => {
    const root = await make({ subject: rootName() });
    const impostor = await make({ subject: name(["CN", "utf8", "mid"]), signer: root });
    const mid = await make({ subject: name(["CN", "utf8", "mid"]), signer: root });
    const leaf = await make({ subject: name(["CN", "utf8", "alice"]), signer: mid, ca: false });
    expect(verify(leaf, [root], [...Array.from({ length: 120 }, () => impostor), mid])).toEqual({ chain: [leaf.facts, mid.facts, root.facts] });
  });
});

describe("key identifiers Go's parser cannot read make it refuse the certificate", () => {
  it("a malformed authorityKeyIdentifier on the client, a malformed subjectKeyIdentifier on the root", async () => {
    const root = await make({ subject: name(["CN", "utf8", "root"]) });
    const leaf = await make({ subject: name(["CN", "utf8", "alice"]), signer: root, ca: false, rawAuthorityKeyId: "0400" });
    expect(verify(leaf, [root])).toEqual({ reason: expect.stringMatching(/cannot be parsed by Go: its authorityKeyIdentifier extension is malformed/) });
    const badRoot = await make({ subject: name(["CN", "utf8", "root"]), rawSubjectKeyId: "3000" });
    expect(verify(await make({ subject: name(["CN", "utf8", "bob"]), signer: badRoot, ca: false }), [badRoot])).toEqual({ reason: expect.stringMatching(/unknown authority/) });
    // An authorityKeyIdentifier with only an issuer and serial is read: no key id, no refusal.
    const issuerOnly = await make({ subject: name(["CN", "utf8", "carol"]), signer: root, ca: false, rawAuthorityKeyId: "3003820101" });
    expect(verify(issuerOnly, [root])).toEqual({ chain: [issuerOnly.facts, root.facts] });
  });
});

describe("public keys as Go's parser loads them (parseCertificate, parsePublicKey)", () => {
  const rootName = () => name(["CN", "utf8", "root"]);
  const spkiOf = (type: "ed448" | "x25519" | "ec", namedCurve?: string) =>
    (namedCurve ? generateKeyPairSync("ec", { namedCurve }) : generateKeyPairSync(type as "ed448")).publicKey.export({ type: "spki", format: "der" });

  it("a candidate whose key Go leaves unloaded (Ed448, X25519) costs one of the 100 signature checks, then is skipped without a hint (CVE-2026-32280's order)", async () => {
    const other = await make({ subject: name(["CN", "utf8", "other"]) });
    const ed448 = spkiOf("ed448");
    const x25519 = spkiOf("x25519");
    // Same name as the root and no key ids, so Go tries them in pool order, the real root last.
    const unloaded = await Promise.all(Array.from({ length: 100 }, (_, i) => make({ subject: rootName(), signer: other, publicKeyDer: i % 2 ? ed448 : x25519 })));
    const root = await make({ subject: rootName() });
    const leaf = await make({ subject: name(["CN", "utf8", "alice"]), signer: root, ca: false });
    // Since Go 1.25.9 and 1.26.2 every candidate is counted before it is skipped: the root is the 100th check, or the 101st.
    expect(verify(leaf, [...unloaded.slice(1), root])).toEqual({ chain: [leaf.facts, root.facts] });
    expect(verify(leaf, [...unloaded, root])).toEqual({ reason: "signature check attempts limit reached while verifying certificate chain" });
    // Nor do they leave a hint about a signature that does not verify: Go never checks one.
    const stray = await make({ subject: name(["CN", "utf8", "bob"]), signer: await make({ subject: rootName() }), ca: false });
    expect(verify(stray, unloaded.slice(0, 2))).toEqual({ reason: 'certificate signed by unknown authority "CN=root"' });
    // A loaded key of another CA of that name is tried, and named in the hint.
    expect(verify(stray, [root])).toEqual({ reason: expect.stringMatching(/^certificate signed by unknown authority "CN=root" \(possibly because the signature of "CN=bob" does not verify/) });
  });

  it("an elliptic-curve key on a curve Go does not read makes it refuse the whole certificate", async () => {
    const other = await make({ subject: name(["CN", "utf8", "other"]) });
    const k1 = await make({ subject: rootName(), signer: other, publicKeyDer: spkiOf("ec", "secp256k1") });
    expect(identityOf(k1.facts)).toEqual({ refusal: expect.stringMatching(/unsupported elliptic curve/) });
    const leaf = await make({ subject: name(["CN", "utf8", "alice"]), signer: k1, ca: false, publicKeyDer: spkiOf("ec", "secp256k1") });
    expect(verify(leaf, [other])).toEqual({ reason: expect.stringMatching(/cannot be parsed by Go: its elliptic-curve key is on a curve Go does not support/) });
    for (const curve of ["P-256", "P-384", "P-521", "secp224r1"]) {
      const loaded = await make({ subject: rootName(), signer: other, publicKeyDer: spkiOf("ec", curve) });
      expect(identityOf(loaded.facts)).toMatchObject({ identity: { publicKeyLoadedByGo: true } });
    }
  });
});
