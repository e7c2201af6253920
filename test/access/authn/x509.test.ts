import { webcrypto } from "node:crypto";
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { beforeAll, describe, expect, it } from "vitest";
import { UserError } from "../../../src/errors.js";
import { authenticateClientCertificate, parseCertificates } from "../../../src/access/authn/x509.js";

const NOW = new Date("2026-06-01T12:00:00Z");
const day = 86_400_000;
const EC = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

interface Issued {
  cert: x509.X509Certificate;
  keys: webcrypto.CryptoKeyPair;
}

async function keyPair(alg: webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams = EC): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
}

async function makeCa(name: string, options: { notBefore?: Date; notAfter?: Date; ca?: boolean } = {}): Promise<Issued> {
  const keys = await keyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name,
    keys,
    signingAlgorithm: EC,
    notBefore: options.notBefore ?? new Date(NOW.getTime() - day),
    notAfter: options.notAfter ?? new Date(NOW.getTime() + 3650 * day),
    extensions: [new x509.BasicConstraintsExtension(options.ca ?? true, undefined, true)],
  });
  return { cert, keys };
}

async function issue(
  issuer: Issued,
  name: string,
  options: { notBefore?: Date; notAfter?: Date; keyAlg?: webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams; eku?: string[]; ca?: boolean; signingAlgorithm?: webcrypto.Algorithm | webcrypto.EcdsaParams } = {},
): Promise<Issued> {
  const keys = await keyPair(options.keyAlg);
  const extensions: x509.Extension[] = [];
  if (options.eku) extensions.push(new x509.ExtendedKeyUsageExtension(options.eku));
  if (options.ca) extensions.push(new x509.BasicConstraintsExtension(true, undefined, true));
  const cert = await x509.X509CertificateGenerator.create({
    subject: name,
    issuer: issuer.cert.subject,
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    signingAlgorithm: options.signingAlgorithm ?? EC,
    notBefore: options.notBefore ?? new Date(NOW.getTime() - day),
    notAfter: options.notAfter ?? new Date(NOW.getTime() + 30 * day),
    extensions,
  });
  return { cert, keys };
}

const pem = (...certs: x509.X509Certificate[]) => certs.map((c) => c.toString("pem")).join("\n");
const check = (presented: x509.X509Certificate[], roots?: x509.X509Certificate[], now = NOW) =>
  authenticateClientCertificate({ presented: parseCertificates(pem(...presented), "client.crt"), ...(roots ? { roots: parseCertificates(pem(...roots), "ca.crt") } : {}), now });

let ca: Issued;
let otherCa: Issued;
beforeAll(async () => {
  [ca, otherCa] = await Promise.all([makeCa("CN=cluster-ca"), makeCa("CN=other-ca")]);
});

describe("X.509 client certificates as kube-apiserver maps them", () => {
  it("CN is the user, every O is a group", async () => {
    const leaf = await issue(ca, "CN=jane, O=dev, O=ops", { eku: ["1.3.6.1.5.5.7.3.2"] });
    const report = await check([leaf.cert], [ca.cert]);
    expect(report.result).toMatchObject({ authenticated: true, user: { username: "jane", groups: ["dev", "ops"] } });
    expect(report.chain).toEqual(["CN=jane, O=dev, O=ops", "CN=cluster-ca"]);
    expect(report.warnings).toEqual([]);
    expect(report.certificate.key).toBe("ECDSA prime256v1");
  });

  it("verifies through an intermediate the client presents", async () => {
    const intermediate = await issue(ca, "CN=intermediate", { ca: true });
    const leaf = await issue(intermediate, "CN=bob");
    expect((await check([leaf.cert, intermediate.cert], [ca.cert])).result.authenticated).toBe(true);
    expect((await check([leaf.cert], [ca.cert])).result).toMatchObject({ authenticated: false, reason: expect.stringMatching(/unknown authority/) });
  });

  it("rejects a certificate from another CA, expired or not yet valid ones", async () => {
    const foreign = await issue(otherCa, "CN=mallory");
    expect((await check([foreign.cert], [ca.cert])).result).toMatchObject({ reason: expect.stringMatching(/unknown authority/) });
    const expired = await issue(ca, "CN=old", { notBefore: new Date(NOW.getTime() - 40 * day), notAfter: new Date(NOW.getTime() - day) });
    expect((await check([expired.cert], [ca.cert])).result).toMatchObject({ reason: expect.stringMatching(/expired at/) });
    const future = await issue(ca, "CN=soon", { notBefore: new Date(NOW.getTime() + day) });
    expect((await check([future.cert], [ca.cert])).result).toMatchObject({ reason: expect.stringMatching(/not valid before/) });
  });

  it("rejects a server-only certificate, a non-CA issuer and an expired CA", async () => {
    const server = await issue(ca, "CN=web", { eku: ["1.3.6.1.5.5.7.3.1"] });
    expect((await check([server.cert], [ca.cert])).result).toMatchObject({ reason: expect.stringMatching(/client authentication/) });
    const notCa = await issue(ca, "CN=leafy");
    const child = await issue(notCa, "CN=child");
    expect((await check([child.cert, notCa.cert], [ca.cert])).result).toMatchObject({ reason: expect.stringMatching(/not a CA/) });
    const sha1 = await issue(ca, "CN=legacy", { signingAlgorithm: { name: "ECDSA", hash: "SHA-1" } as webcrypto.EcdsaParams });
    expect((await check([sha1.cert], [ca.cert])).result).toMatchObject({ reason: expect.stringMatching(/unknown authority .*SHA-1.*which Go refuses/) });
    const oldCa = await makeCa("CN=old-ca", { notBefore: new Date(NOW.getTime() - 10 * day), notAfter: new Date(NOW.getTime() - day) });
    const leaf = await issue(oldCa, "CN=x");
    expect((await check([leaf.cert], [oldCa.cert])).result).toMatchObject({ reason: expect.stringMatching(/expired/) });
  });

  it("warns about weak keys, long lifetimes and system:masters", async () => {
    const rsa1024 = { name: "RSASSA-PKCS1-v1_5", modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" };
    const weak = await issue(ca, "CN=admin, O=system:masters", { keyAlg: rsa1024, notAfter: new Date(NOW.getTime() + 3 * 365 * day) });
    const report = await check([weak.cert], [ca.cert]);
    expect(report.result.authenticated).toBe(true);
    expect(report.certificate.key).toBe("RSA 1024");
    expect(report.warnings.join("\n")).toMatch(/weak key: RSA key of 1024 bits/);
    expect(report.warnings.join("\n")).toMatch(/valid for \d+ days/);
    expect(report.warnings.join("\n")).toMatch(/system:masters/);
  });

  it("maps an empty CN to no user, and without a CA shows the claim but does not authenticate", async () => {
    const anonymous = await issue(ca, "O=dev");
    expect((await check([anonymous.cert], [ca.cert])).result).toMatchObject({ authenticated: false, reason: expect.stringMatching(/empty CommonName/) });
    const leaf = await issue(ca, "CN=jane");
    const unverified = await check([leaf.cert]);
    expect(unverified.result).toMatchObject({ authenticated: false, reason: expect.stringMatching(/no client CA/) });
    expect(unverified.claimedUser).toEqual({ username: "jane", groups: [] });
  });

  it("turns unreadable input into a UserError naming the file", () => {
    expect(() => parseCertificates("hello", "bad.crt")).toThrow(UserError);
    expect(() => parseCertificates("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "key.pem")).toThrow(/no CERTIFICATE block/);
  });
});
