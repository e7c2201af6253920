import "reflect-metadata";
import { createHash, generateKeyPairSync, webcrypto, type KeyObject } from "node:crypto";
import * as x509 from "@peculiar/x509";
import { importPKCS8, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { serviceAccountAuthenticator } from "../../../src/access/authn/serviceaccount.js";
import { serviceAccountKeysFromPem, withKeyIds } from "../../../src/access/authn/service-account-keys.js";
import { UserError } from "../../../src/errors.js";

const ISSUER = "https://kubernetes.default.svc";
const NOW = new Date("2026-06-01T12:00:00Z");
const T = Math.floor(NOW.getTime() / 1000);

const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
/** kube-apiserver's keyIDFromPublicKey, written out: SHA-256 of the PKIX DER, base64url without padding. */
const kidOf = (key: KeyObject) => createHash("sha256").update(key.export({ type: "spki", format: "der" })).digest().toString("base64url");
const pem = (key: { export(o: object): string | Buffer }, type: string, format = "pem") => key.export({ type, format }).toString();

let certificatePem = "";
beforeAll(async () => {
  // A certificate of the RSA key, as kubeadm's PKI holds them (admin.crt, apiserver.crt...).
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const alg = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
  const keys = {
    privateKey: await webcrypto.subtle.importKey("pkcs8", rsa.privateKey.export({ type: "pkcs8", format: "der" }), alg, true, ["sign"]),
    publicKey: await webcrypto.subtle.importKey("spki", rsa.publicKey.export({ type: "spki", format: "der" }), alg, true, ["verify"]),
  };
  const cert = await x509.X509CertificateGenerator.createSelfSigned({ name: "CN=kubernetes-admin", keys, signingAlgorithm: alg, notBefore: new Date(NOW.getTime() - 86_400_000), notAfter: new Date(NOW.getTime() + 86_400_000) });
  certificatePem = cert.toString("pem") + "\n";
});

async function token(kid: string | undefined): Promise<string> {
  const key = await importPKCS8(pem(rsa.privateKey, "pkcs8"), "RS256");
  return new SignJWT({ aud: [ISSUER], "kubernetes.io": { namespace: "team", serviceaccount: { name: "bot", uid: "u1" } } })
    .setProtectedHeader({ alg: "RS256", ...(kid === undefined ? {} : { kid }) })
    .setIssuer(ISSUER)
    .setExpirationTime(T + 600)
    .sign(key);
}

describe("--service-account-key-file as keyutil.ParsePublicKeysPEM reads it", () => {
  it("takes the public key of a CERTIFICATE block, with the kid kube-apiserver computes", () => {
    const set = serviceAccountKeysFromPem(certificatePem, "admin.crt");
    expect(set.keys.map((k) => [k.kty, k.kid])).toEqual([["RSA", kidOf(rsa.publicKey)]]);
  });

  it("takes public, PKCS #1 and PKCS #8 RSA private and SEC 1 EC private keys, and skips every block it cannot use", () => {
    const text = [
      "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n",
      "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n",
      pem(ec.privateKey, "sec1"),
      pem(rsa.publicKey, "spki"),
      pem(rsa.privateKey, "pkcs1"),
      pem(rsa.privateKey, "pkcs8"),
      // Upstream reads an EC key only in SEC 1, and no PKCS #1 public key: both skipped.
      pem(ec.privateKey, "pkcs8"),
      pem(rsa.publicKey, "pkcs1"),
      "-----BEGIN PUBLIC KEY-----\nAAAA\n",
    ].join("");
    const set = serviceAccountKeysFromPem(text, "sa.pem");
    expect(set.keys.map((k) => [k.kty, k.kid])).toEqual([
      ["EC", kidOf(ec.publicKey)],
      ["RSA", kidOf(rsa.publicKey)],
      ["RSA", kidOf(rsa.publicKey)],
      ["RSA", kidOf(rsa.publicKey)],
    ]);
    expect(set.keys.some((k) => "d" in k)).toBe(false);
  });

  it("fails only when no key is left, naming the file and never its contents", () => {
    const ed = generateKeyPairSync("ed25519");
    const text = pem(ed.publicKey, "spki") + pem(ec.privateKey, "pkcs8");
    expect(() => serviceAccountKeysFromPem(text, "sa.pub")).toThrow(UserError);
    try {
      serviceAccountKeysFromPem(text, "sa.pub");
    } catch (err) {
      expect((err as UserError).message).toBe("sa.pub: data does not contain any valid RSA or ECDSA public keys");
      expect((err as UserError).describe()).not.toContain(text.split("\n")[1]!.slice(0, 16));
    }
  });

  it("gives a JWKS key without a kid the computed one, and keeps a kid the set names", () => {
    const jwk = rsa.publicKey.export({ format: "jwk" });
    expect(withKeyIds({ keys: [jwk, { ...jwk, kid: "mine" }] }).keys.map((k) => k.kid)).toEqual([kidOf(rsa.publicKey), "mine"]);
  });
});

describe("service-account tokens and key ids", () => {
  const authenticate = async (kid: string | undefined) => serviceAccountAuthenticator({ issuers: [ISSUER], keys: serviceAccountKeysFromPem(certificatePem, "admin.crt") }, () => NOW).authenticateToken(await token(kid));

  it("verify with a certificate's key when the kid is the key's, or when there is no kid", async () => {
    expect(await authenticate(kidOf(rsa.publicKey))).toMatchObject({ authenticated: true, user: { username: "system:serviceaccount:team:bot" } });
    expect(await authenticate(undefined)).toMatchObject({ authenticated: true });
  });

  it("are refused when the kid names no key, as kube-apiserver's key getter returns none for it", async () => {
    expect(await authenticate("x")).toEqual({ authenticated: false, reason: `serviceaccount: no RS256 key with kid "x" (the keys' kids: ${kidOf(rsa.publicKey)})` });
  });
});
