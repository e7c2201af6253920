/**
 * The CA and intermediate rules of the client-chain model (src/hardening/pki/client-chain.ts)
 * against Go's crypto/x509, with certificates whose extensions are written byte by byte, as a
 * careless or hostile CA could: CheckSignatureFrom (x509.go) asks keyCertSign only of a keyUsage
 * that is not 0; parser.go reads keyUsage, basicConstraints (an unsigned pathLen) and
 * extKeyUsage, and refuses the whole certificate when it cannot; isValid (verify.go) checks
 * validity and pathLen of every certificate; Verify drops chains by extended key usage
 * (checkChainForKeyUsage) only once they are built.
 */
// @peculiar/x509 needs the Reflect metadata polyfill loaded before it.
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";
import { describe, expect, it } from "vitest";
import { allowsClientAuth, notAClientCertificate } from "../../src/hardening/pki/client-auth.js";
import { verifyClientChain, type ChainCertificate } from "../../src/hardening/pki/client-chain.js";
import { certificateFromDer } from "../../src/hardening/x509.js";

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
const NOW = new Date("2026-06-01T12:00:00Z");
const DAY = 86_400_000;

/** Extension values in DER, hex. */
const BC = { ca: "30030101ff", caPathLen0: "30060101ff020100", caPathLen1: "30060101ff020101", caPathLenMinus1: "30060101ff0201ff", leafPathLenMinus1: "30030201ff", leaf: "3000" };
const KU = {
  certSign: "03020106", // keyCertSign, cRLSign
  none: "030100", // a BIT STRING with no bits: Go's KeyUsage 0
  bit9Only: "0303060040", // only a bit past the nine Go reads
  digitalSignature: "03020780",
  decipherOnly: "0303070080", // bit 8: KeyUsage 256, no keyCertSign
  dirtyPadding: "03020207", // two padding bits claimed, but set: cryptobyte refuses it
};
const EKU = { empty: "3000", malformed: "3003020100", serverAuth: "300a06082b06010505070301", clientAuth: "300a06082b06010505070302" };

interface Made {
  cert: x509.X509Certificate;
  keys: webcrypto.CryptoKeyPair;
  facts: ChainCertificate;
}

interface Spec {
  signer?: Made;
  /** Extension values by OID, hex; basicConstraints and keyUsage are critical, as CAs mark them. */
  bc?: string;
  ku?: string;
  eku?: string;
  issuer?: string;
  notAfter?: Date;
}

async function make(subject: string, spec: Spec = {}): Promise<Made> {
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const extensions: x509.Extension[] = [];
  if (spec.bc) extensions.push(new x509.Extension("2.5.29.19", true, Buffer.from(spec.bc, "hex")));
  if (spec.ku) extensions.push(new x509.Extension("2.5.29.15", true, Buffer.from(spec.ku, "hex")));
  if (spec.eku) extensions.push(new x509.Extension("2.5.29.37", false, Buffer.from(spec.eku, "hex")));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString("hex").replace(/^[89a-f]/, "1"),
    subject,
    issuer: spec.issuer ?? (spec.signer ? spec.signer.cert.subject : subject),
    notBefore: new Date(NOW.getTime() - DAY),
    notAfter: spec.notAfter ?? new Date(NOW.getTime() + 300 * DAY),
    publicKey: keys.publicKey,
    signingKey: spec.signer ? spec.signer.keys.privateKey : keys.privateKey,
    signingAlgorithm: ALGORITHM,
    extensions,
  });
  const facts = certificateFromDer(Buffer.from(cert.rawData));
  if (!facts) throw new Error(`test certificate ${subject} does not parse`);
  return { cert, keys, facts };
}

const ca = (subject: string, spec: Spec = {}) => make(subject, { bc: BC.ca, ku: KU.certSign, ...spec });
const client = (subject: string, signer: Made, spec: Spec = {}) => make(subject, { bc: BC.leaf, ku: KU.digitalSignature, eku: EKU.clientAuth, signer, ...spec });

function verify(leaf: Made, roots: Made[], intermediates: Made[] = [], now?: Date) {
  const result = verifyClientChain(
    leaf.facts,
    roots.map((r) => r.facts),
    intermediates.map((i) => i.facts),
    now,
  );
  return "chain" in result ? { chain: result.chain.map((c) => c.certificate.subject) } : result;
}

describe("keyUsage on a parent (CheckSignatureFrom: parent.KeyUsage != 0 && no keyCertSign)", () => {
  it("asks nothing of a keyUsage Go reads as 0: no bits, or only bits past the nine it reads", async () => {
    for (const ku of [KU.none, KU.bit9Only]) {
      const root = await ca("CN=root", { ku });
      expect(verify(await client("CN=alice", root), [root])).toEqual({ chain: ["CN=alice", "CN=root"] });
    }
  });

  it("refuses a keyUsage without keyCertSign, whether digitalSignature or decipherOnly alone, root or intermediate", async () => {
    for (const ku of [KU.digitalSignature, KU.decipherOnly]) {
      const root = await ca("CN=root", { ku });
      expect(verify(await client("CN=alice", root), [root])).toMatchObject({ reason: expect.stringMatching(/"CN=root" may not sign certificates: its keyUsage does not include keyCertSign/) });
      const goodRoot = await ca("CN=root2");
      const intermediate = await ca("CN=mid", { ku, signer: goodRoot });
      expect(verify(await client("CN=bob", intermediate), [goodRoot], [intermediate])).toMatchObject({ reason: expect.stringMatching(/"CN=mid" may not sign certificates: its keyUsage does not include keyCertSign/) });
    }
  });

  it("an intermediate with an empty keyUsage signs, under a root that has keyCertSign", async () => {
    const root = await ca("CN=root");
    const intermediate = await ca("CN=mid", { ku: KU.none, signer: root });
    expect(verify(await client("CN=bob", intermediate), [root], [intermediate])).toEqual({ chain: ["CN=bob", "CN=mid", "CN=root"] });
  });
});

describe("certificates Go's parser refuses over these extensions take part in no chain", () => {
  it("a keyUsage whose padding bits are set", async () => {
    const root = await ca("CN=root", { ku: KU.dirtyPadding });
    expect(verify(await client("CN=alice", root), [root])).toMatchObject({ reason: expect.stringMatching(/unknown authority/) });
    const goodRoot = await ca("CN=good");
    expect(verify(await client("CN=alice", goodRoot, { ku: KU.dirtyPadding }), [goodRoot])).toMatchObject({ reason: expect.stringMatching(/cannot be parsed by Go: its keyUsage extension is malformed/) });
  });

  it("a negative pathLenConstraint, which Go now reads as unsigned: on a root, an intermediate or a client", async () => {
    const root = await ca("CN=root", { bc: BC.caPathLenMinus1 });
    expect(verify(await client("CN=alice", root), [root])).toMatchObject({ reason: expect.stringMatching(/unknown authority/) });
    const goodRoot = await ca("CN=good");
    const intermediate = await ca("CN=mid", { bc: BC.caPathLenMinus1, signer: goodRoot });
    expect(verify(await client("CN=bob", intermediate), [goodRoot], [intermediate])).toMatchObject({ reason: expect.stringMatching(/unknown authority/) });
    expect(verify(await client("CN=carol", goodRoot, { bc: BC.leafPathLenMinus1 }), [goodRoot])).toMatchObject({ reason: expect.stringMatching(/cannot be parsed by Go: its basicConstraints extension is malformed/) });
  });

  it("a malformed extKeyUsage: Node drops it silently, Go refuses the certificate", async () => {
    const root = await ca("CN=root");
    const leaf = await client("CN=alice", root, { eku: EKU.malformed });
    expect(verify(leaf, [root])).toMatchObject({ reason: expect.stringMatching(/cannot be parsed by Go: its extKeyUsage extension is malformed/) });
    const nodeCertificate = leaf.facts.certificate;
    expect(allowsClientAuth(nodeCertificate)).toBe(false);
    expect(notAClientCertificate(nodeCertificate)).toMatch(/Go cannot parse it/);
  });
});

describe("basicConstraints and pathLen (isValid)", () => {
  it("pathLen 0 lets a root sign clients itself, with no intermediate between", async () => {
    const root = await ca("CN=root", { bc: BC.caPathLen0 });
    expect(verify(await client("CN=alice", root), [root])).toEqual({ chain: ["CN=alice", "CN=root"] });
    const intermediate = await ca("CN=mid", { signer: root });
    expect(verify(await client("CN=bob", intermediate), [root], [intermediate])).toMatchObject({ reason: expect.stringMatching(/"CN=root" allows 0 intermediate CA\(s\) below it \(pathLen\), the chain has 1/) });
  });

  it("counts a self-issued intermediate towards pathLen, as Go does (RFC 5280 would not)", async () => {
    const root = await ca("CN=root", { bc: BC.caPathLen1 });
    const mid = await ca("CN=mid", { signer: root });
    const rolledOver = await ca("CN=mid", { signer: mid }); // the same name, a new key, signed by the old one
    expect(verify(await client("CN=alice", mid), [root], [mid])).toEqual({ chain: ["CN=alice", "CN=mid", "CN=root"] });
    expect(verify(await client("CN=bob", rolledOver), [root], [mid, rolledOver])).toMatchObject({ reason: expect.stringMatching(/allows 1 intermediate CA\(s\) below it \(pathLen\), the chain has 2/) });
  });

  it("refuses a non-CA as a parent, and an intermediate without basicConstraints", async () => {
    const root = await ca("CN=root");
    const notCa = await make("CN=mid", { bc: BC.leaf, ku: KU.certSign, signer: root });
    expect(verify(await client("CN=alice", notCa), [root], [notCa])).toMatchObject({ reason: expect.stringMatching(/"CN=mid" may not sign certificates: it is not a CA/) });
    const noConstraints = await make("CN=mid", { ku: KU.certSign, signer: root });
    expect(verify(await client("CN=bob", noConstraints), [root], [noConstraints])).toMatchObject({ reason: expect.stringMatching(/"CN=mid" may not sign certificates: it is not a CA/) });
  });
});

describe("extended key usage (checkChainForKeyUsage, once chains are built)", () => {
  it("reads an empty extKeyUsage SEQUENCE as no extension, on a CA and on the client", async () => {
    const root = await ca("CN=root");
    const intermediate = await ca("CN=mid", { eku: EKU.empty, signer: root });
    expect(verify(await client("CN=alice", intermediate), [root], [intermediate])).toEqual({ chain: ["CN=alice", "CN=mid", "CN=root"] });
    const leaf = await client("CN=bob", root, { eku: EKU.empty });
    expect(verify(leaf, [root])).toEqual({ chain: ["CN=bob", "CN=root"] });
    expect(allowsClientAuth(leaf.facts.certificate)).toBe(true);
  });

  it("gives Go's error: unknown authority before incompatible usage, since usage is checked after chains are built", async () => {
    const root = await ca("CN=root");
    const stranger = await ca("CN=stranger");
    const serverOnly = await client("CN=alice", stranger, { eku: EKU.serverAuth });
    expect(verify(serverOnly, [root])).toMatchObject({ reason: expect.stringMatching(/^certificate signed by unknown authority/) });
    const chained = await client("CN=alice", root, { eku: EKU.serverAuth });
    expect(verify(chained, [root])).toMatchObject({ reason: expect.stringMatching(/^certificate specifies an incompatible key usage: certificate "CN=alice"/) });
  });

  it("drops a chain through a server-only intermediate but keeps another through a same-named good one", async () => {
    const root = await ca("CN=root");
    const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
    const serverOnly = await reissue("CN=mid", root, keys, EKU.serverAuth);
    const good = await reissue("CN=mid", root, keys, EKU.clientAuth);
    const leaf = await client("CN=alice", serverOnly);
    expect(verify(leaf, [root], [serverOnly])).toMatchObject({ reason: expect.stringMatching(/incompatible key usage: certificate "CN=mid" does not allow client authentication/) });
    expect(verify(leaf, [root], [serverOnly, good])).toEqual({ chain: ["CN=alice", "CN=mid", "CN=root"] });
  });
});

/** An intermediate CA certificate for `keys`, so that two of them share a key and a name but not their extended key usage. */
async function reissue(subject: string, signer: Made, keys: webcrypto.CryptoKeyPair, eku: string): Promise<Made> {
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString("hex").replace(/^[89a-f]/, "1"),
    subject,
    issuer: signer.cert.subject,
    notBefore: new Date(NOW.getTime() - DAY),
    notAfter: new Date(NOW.getTime() + 300 * DAY),
    publicKey: keys.publicKey,
    signingKey: signer.keys.privateKey,
    signingAlgorithm: ALGORITHM,
    extensions: [new x509.Extension("2.5.29.19", true, Buffer.from(BC.ca, "hex")), new x509.Extension("2.5.29.37", false, Buffer.from(eku, "hex"))],
  });
  const facts = certificateFromDer(Buffer.from(cert.rawData));
  if (!facts) throw new Error("test certificate does not parse");
  return { cert, keys, facts };
}

describe("validity of every certificate in the chain (isValid), when a time is given", () => {
  it("refuses an expired intermediate or root at `now`, and ignores time without one", async () => {
    const expiredRoot = await ca("CN=root", { notAfter: new Date(NOW.getTime() - 1000) });
    const leaf = await client("CN=alice", expiredRoot);
    expect(verify(leaf, [expiredRoot], [], NOW)).toMatchObject({ reason: expect.stringMatching(/trust anchor "CN=root" expired at/) });
    expect(verify(leaf, [expiredRoot])).toEqual({ chain: ["CN=alice", "CN=root"] });
    const root = await ca("CN=root2");
    const expiredMid = await ca("CN=mid", { signer: root, notAfter: new Date(NOW.getTime() - 1000) });
    const bob = await client("CN=bob", expiredMid);
    expect(verify(bob, [root], [expiredMid], NOW)).toMatchObject({ reason: expect.stringMatching(/certificate "CN=mid" expired at/) });
    expect(verify(bob, [root], [expiredMid])).toEqual({ chain: ["CN=bob", "CN=mid", "CN=root2"] });
  });
});
