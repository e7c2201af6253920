/**
 * How Go's x509.Verify builds the chain of a client certificate for kube-apiserver, where it
 * differs from a simple walk up the issuers: CheckSignatureFrom (x509.go) asks a parent for
 * basicConstraints CA only when it is a version 3 certificate and for keyCertSign when it has
 * a keyUsage; isValid (verify.go) asks an intermediate, never a root, for basicConstraints CA
 * and respects pathLen; buildChains tries every candidate parent, not the first that verifies;
 * Go 1.24's crypto/rsa verifies nothing with an RSA key under 1024 bits.
 */
import { webcrypto } from "node:crypto";
import "reflect-metadata";
import { AsnConvert } from "@peculiar/asn1-schema";
import { Certificate, Version } from "@peculiar/asn1-x509";
import * as x509 from "@peculiar/x509";
import { describe, expect, it } from "vitest";
import { authenticateClientCertificate, parseCertificates } from "../../../src/access/authn/x509.js";

const NOW = new Date("2026-06-01T12:00:00Z");
const DAY = 86_400_000;
const EC = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const rsa = (modulusLength: number) => ({ name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", publicExponent: new Uint8Array([1, 0, 1]), modulusLength }) as const;
const CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

interface Made {
  cert: x509.X509Certificate;
  keys: webcrypto.CryptoKeyPair;
  algorithm: typeof EC | ReturnType<typeof rsa>;
}

interface Spec {
  /** Who signs it; absent: itself. */
  signer?: Made;
  /** basicConstraints: absent means no extension at all. */
  ca?: boolean;
  pathLength?: number;
  keyUsage?: x509.KeyUsageFlags;
  eku?: string[];
  /** Keys to reuse, for a CA certificate issued again with the same key. */
  keys?: webcrypto.CryptoKeyPair;
  notAfter?: Date;
  algorithm?: Made["algorithm"];
  /** Rewritten as a version 1 certificate (no version field, no extensions, as old tools issued CAs) or version 2, extensions kept. */
  version?: 1 | 2;
}

async function make(subject: string, spec: Spec = {}): Promise<Made> {
  const algorithm = spec.algorithm ?? EC;
  const keys = spec.keys ?? ((await webcrypto.subtle.generateKey(algorithm, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair);
  const signer = spec.signer ?? { cert: undefined, keys, algorithm };
  const extensions: x509.Extension[] = [];
  if (spec.ca !== undefined) extensions.push(new x509.BasicConstraintsExtension(spec.ca, spec.pathLength, true));
  if (spec.keyUsage !== undefined) extensions.push(new x509.KeyUsagesExtension(spec.keyUsage, true));
  if (spec.eku) extensions.push(new x509.ExtendedKeyUsageExtension(spec.eku));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString("hex").replace(/^[89a-f]/, "1"),
    subject,
    issuer: signer.cert?.subject ?? subject,
    notBefore: new Date(NOW.getTime() - DAY),
    notAfter: spec.notAfter ?? new Date(NOW.getTime() + 300 * DAY),
    publicKey: keys.publicKey,
    signingKey: signer.keys.privateKey,
    signingAlgorithm: signer.algorithm,
    extensions,
  });
  if (!spec.version) return { cert, keys, algorithm };
  const asn = AsnConvert.parse(cert.rawData, Certificate);
  asn.tbsCertificate.version = spec.version === 1 ? Version.v1 : Version.v2;
  if (spec.version === 1) delete asn.tbsCertificate.extensions;
  asn.signatureValue = await webcrypto.subtle.sign(signer.algorithm, signer.keys.privateKey, AsnConvert.serialize(asn.tbsCertificate));
  return { cert: new x509.X509Certificate(AsnConvert.serialize(asn)), keys, algorithm };
}

const pem = (certs: Made[]) => certs.map((c) => c.cert.toString("pem")).join("\n");
async function verify(presented: Made[], roots: Made[]) {
  return (await authenticateClientCertificate({ presented: parseCertificates(pem(presented), "client.crt"), roots: parseCertificates(pem(roots), "ca.crt"), now: NOW })).result;
}

describe("client certificate chains as Go's x509.Verify builds them", () => {
  it("takes a version 1 root, which has no basicConstraints to ask, but not a version 1 intermediate", async () => {
    const root = await make("CN=legacy-root", { algorithm: rsa(2048), version: 1 });
    expect(root.cert.getExtension(x509.BasicConstraintsExtension)).toBeNull();
    const direct = await make("CN=jane", { signer: root, eku: [CLIENT_AUTH] });
    expect(await verify([direct], [root])).toMatchObject({ authenticated: true, user: { username: "jane", groups: [] } });
    const intermediate = await make("CN=legacy-intermediate", { signer: root, algorithm: rsa(2048), version: 1 });
    const deep = await make("CN=bob", { signer: intermediate, eku: [CLIENT_AUTH] });
    expect(await verify([deep, intermediate], [root])).toMatchObject({ authenticated: false, reason: 'x509: certificate "CN=legacy-intermediate" signed another certificate but is not a CA' });
  });

  it("reads no extension of a version 2 certificate, as Go's parser: a root even with basicConstraints CA false", async () => {
    const root = await make("CN=v2-root", { ca: false, keyUsage: x509.KeyUsageFlags.digitalSignature, version: 2 });
    expect(root.cert.getExtension(x509.BasicConstraintsExtension)?.ca).toBe(false);
    expect(await verify([await make("CN=jane", { signer: root })], [root])).toMatchObject({ authenticated: true, user: { username: "jane", groups: [] } });
  });

  it("refuses a version 3 root without basicConstraints CA as a parent", async () => {
    const root = await make("CN=no-bc-root");
    const leaf = await make("CN=jane", { signer: root });
    expect(await verify([leaf], [root])).toMatchObject({ authenticated: false, reason: expect.stringMatching(/unknown authority .*"CN=no-bc-root" may not sign certificates: it is not a CA/) });
  });

  it("refuses a parent whose keyUsage leaves out keyCertSign, root or intermediate", async () => {
    const root = await make("CN=signing-only-root", { ca: true, keyUsage: x509.KeyUsageFlags.digitalSignature });
    const leaf = await make("CN=jane", { signer: root });
    expect(await verify([leaf], [root])).toMatchObject({ authenticated: false, reason: expect.stringMatching(/keyUsage does not include keyCertSign/) });
    const goodRoot = await make("CN=root", { ca: true, keyUsage: x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign });
    const intermediate = await make("CN=crl-only", { signer: goodRoot, ca: true, keyUsage: x509.KeyUsageFlags.cRLSign });
    const under = await make("CN=bob", { signer: intermediate });
    expect((await verify([under, intermediate], [goodRoot])).authenticated).toBe(false);
    expect((await verify([await make("CN=carol", { signer: goodRoot })], [goodRoot])).authenticated).toBe(true);
  });

  it("respects pathLen: a root with pathLen 0 signs clients itself, with no intermediate between", async () => {
    const root = await make("CN=strict-root", { ca: true, pathLength: 0 });
    const intermediate = await make("CN=intermediate", { signer: root, ca: true });
    expect((await verify([await make("CN=direct", { signer: root })], [root])).authenticated).toBe(true);
    expect(await verify([await make("CN=deep", { signer: intermediate }), intermediate], [root])).toMatchObject({ authenticated: false, reason: expect.stringMatching(/"CN=strict-root" allows 0 intermediate CA\(s\) below it \(pathLen\), the chain has 1/) });
  });

  it("tries every candidate parent: an expired intermediate does not hide a renewed one with the same name and key", async () => {
    const root = await make("CN=root", { ca: true });
    const expired = await make("CN=intermediate", { signer: root, ca: true, notAfter: new Date(NOW.getTime() - DAY) });
    const renewed = await make("CN=intermediate", { signer: root, ca: true, keys: expired.keys });
    const leaf = await make("CN=jane", { signer: expired });
    expect(await verify([leaf, expired, renewed], [root])).toMatchObject({ authenticated: true, user: { username: "jane", groups: [] } });
    expect(await verify([leaf, expired], [root])).toMatchObject({ authenticated: false, reason: expect.stringMatching(/"CN=intermediate" expired at/) });
  });

  it("ends the chain at a root only for the presented leaf: a presented intermediate must still be a CA", async () => {
    const root = await make("CN=root", { ca: true });
    const notCa = await make("CN=not-a-ca", { signer: root, ca: false });
    const leaf = await make("CN=jane", { signer: notCa });
    expect((await verify([leaf, notCa], [root, notCa])).authenticated).toBe(false);
    expect((await verify([notCa], [root, notCa])).authenticated).toBe(true);
  });

  it("verifies nothing with a CA's RSA key under 1024 bits, as Go 1.24 refuses", async () => {
    const weakRoot = await make("CN=weak-root", { ca: true, algorithm: rsa(512) });
    const leaf = await make("CN=jane", { signer: weakRoot });
    expect(await verify([leaf], [weakRoot])).toMatchObject({ authenticated: false, reason: expect.stringMatching(/"CN=weak-root" has an RSA key of 512 bits, which Go refuses below 1024/) });
  });
});
