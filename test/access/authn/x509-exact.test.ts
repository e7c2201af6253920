/**
 * Corners of Go's x509 and pkix that decide who a client certificate is: the last CN of a
 * subject wins (pkix.Name.FillFromRDNSequence overwrites CommonName), and the extended key
 * usage of the trust anchor counts too (x509 checkChainForKeyUsage walks the whole chain).
 */
import { webcrypto } from "node:crypto";
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { describe, expect, it } from "vitest";
import { authenticateClientCertificate, parseCertificates } from "../../../src/access/authn/x509.js";

const NOW = new Date("2026-06-01T12:00:00Z");
const day = 86_400_000;
const EC = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
const SERVER_AUTH = "1.3.6.1.5.5.7.3.1";

async function keyPair(): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(EC, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
}

async function makeCa(name: string, eku?: string[]) {
  const keys = await keyPair();
  const extensions: x509.Extension[] = [new x509.BasicConstraintsExtension(true, undefined, true)];
  if (eku) extensions.push(new x509.ExtendedKeyUsageExtension(eku));
  const cert = await x509.X509CertificateGenerator.createSelfSigned({ name, keys, signingAlgorithm: EC, notBefore: new Date(NOW.getTime() - day), notAfter: new Date(NOW.getTime() + 365 * day), extensions });
  return { cert, keys };
}

async function issue(issuer: { cert: x509.X509Certificate; keys: webcrypto.CryptoKeyPair }, name: string) {
  const keys = await keyPair();
  return x509.X509CertificateGenerator.create({
    subject: name,
    issuer: issuer.cert.subject,
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    signingAlgorithm: EC,
    notBefore: new Date(NOW.getTime() - day),
    notAfter: new Date(NOW.getTime() + 30 * day),
    extensions: [new x509.ExtendedKeyUsageExtension([CLIENT_AUTH])],
  });
}

const check = (leaf: x509.X509Certificate, root: x509.X509Certificate) =>
  authenticateClientCertificate({ presented: parseCertificates(leaf.toString("pem"), "client.crt"), roots: parseCertificates(root.toString("pem"), "ca.crt"), now: NOW });

describe("client certificates: Go's exact reading", () => {
  it("a subject with two CNs is the user of the last one", async () => {
    const ca = await makeCa("CN=cluster-ca");
    const leaf = await issue(ca, "CN=viewer, CN=admin, O=dev");
    const report = await check(leaf, ca.cert);
    expect(report.result).toMatchObject({ authenticated: true, user: { username: "admin", groups: ["dev"] } });
    expect(report.claimedUser?.username).toBe("admin");
  });

  it("a CA restricted to server authentication cannot vouch for client certificates", async () => {
    const serverOnly = await makeCa("CN=serving-ca", [SERVER_AUTH]);
    const rejected = await check(await issue(serverOnly, "CN=jane"), serverOnly.cert);
    expect(rejected.result).toMatchObject({ authenticated: false, reason: expect.stringMatching(/trust anchor .* does not allow client authentication/) });
    const both = await makeCa("CN=both-ca", [SERVER_AUTH, CLIENT_AUTH]);
    expect((await check(await issue(both, "CN=jane"), both.cert)).result.authenticated).toBe(true);
  });
});
