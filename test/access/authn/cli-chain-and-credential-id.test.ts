/**
 * `palisade authn` shells where Palisade once differed from kube-apiserver: the order of its
 * token authenticators, the issuers a jwt authenticator may not share with service accounts,
 * and the credential ID a client certificate carries. Tokens never reach the output.
 */
import "reflect-metadata";
import { createHash, randomBytes, webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";
import { beforeAll, describe, expect, it } from "vitest";
import { AT, authnCli, ISSUER, T } from "./run-cli.js";
import { testSigner, type TestSigner } from "./keys.js";

const { file, run } = authnCli("palisade-authn-qa-");

let oidc: TestSigner;
beforeAll(async () => {
  oidc = await testSigner("RS256");
});

describe("palisade authn verify-token: kube-apiserver's authenticator chain", () => {
  it("asks the static token file before OIDC, so a JWT listed there is that file's user", async () => {
    const token = await oidc.sign({ iss: ISSUER, aud: "kubernetes", sub: "oidc-user", exp: T + 600 });
    const tokens = file("static.csv", `${token},static-user,7\n`);
    const result = await run("verify-token", "--token-file", file("both.jwt", token), "--static-token-file", tokens, "--oidc-issuer-url", ISSUER, "--oidc-client-id", "kubernetes", "--jwks", file("k.json", JSON.stringify(oidc.jwks)), "--at", AT);
    expect(result).toMatchObject({ code: 0, stdout: expect.stringMatching(/^authenticated as static-user\n/) });
    expect(result.stdout + result.stderr).not.toContain(token);
  });

  it("refuses an OIDC issuer that is also a service-account issuer, as kube-apiserver refuses to start", async () => {
    const result = await run("verify-token", "--token-file", file("t.jwt", "a.b.c"), "--oidc-issuer-url", ISSUER, "--oidc-client-id", "kubernetes", "--jwks", file("k2.json", JSON.stringify(oidc.jwks)), "--service-account-issuer", ISSUER, "--service-account-key-file", file("sa.json", JSON.stringify(oidc.jwks)));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/both an OIDC issuer and a --service-account-issuer/);
  });

  it("does not crash on a service-account key file holding a malformed RSA key", async () => {
    const keys = file("bad.json", JSON.stringify({ keys: [{ kty: "RSA", n: "AQAB", e: "AQAB" }] }));
    const secret = randomBytes(16).toString("base64url");
    const token = `${Buffer.from('{"alg":"RS256"}').toString("base64url")}.${Buffer.from(JSON.stringify({ iss: "https://k", aud: ["https://k"], secret })).toString("base64url")}.AAAA`;
    const result = await run("verify-token", "--token-file", file("bad.jwt", token), "--service-account-issuer", "https://k", "--service-account-key-file", keys, "--at", AT);
    expect(result).toMatchObject({ code: 1, stdout: expect.stringMatching(/^not authenticated: serviceaccount: signature verification failed/) });
    expect(result.stdout + result.stderr).not.toContain(secret);
  });
});

describe("palisade authn whoami: the credential ID of a client certificate", () => {
  it("shows X509SHA256= and the certificate's SHA-256 in the user's extra, as kube-apiserver 1.32+ does", async () => {
    const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
    const gen = async () => (await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
    const [caKeys, leafKeys] = await Promise.all([gen(), gen()]);
    const day = 86_400_000;
    const ca = await x509.X509CertificateGenerator.createSelfSigned({ name: "CN=ca", keys: caKeys, signingAlgorithm: alg, extensions: [new x509.BasicConstraintsExtension(true, undefined, true)], notBefore: new Date(Date.parse(AT) - day), notAfter: new Date(Date.parse(AT) + day) });
    const leaf = await x509.X509CertificateGenerator.create({ subject: "CN=jane, O=dev", issuer: "CN=ca", publicKey: leafKeys.publicKey, signingKey: caKeys.privateKey, signingAlgorithm: alg, notBefore: new Date(Date.parse(AT) - day), notAfter: new Date(Date.parse(AT) + day) });
    const id = `X509SHA256=${createHash("sha256").update(Buffer.from(leaf.rawData)).digest("hex")}`;
    const args = ["whoami", "--cert", file("jane.crt", leaf.toString("pem")), "--ca", file("ca.crt", ca.toString("pem")), "--at", AT];
    const json = await run(...args, "-o", "json");
    expect(JSON.parse(json.stdout).result).toEqual({ authenticated: true, user: { username: "jane", groups: ["dev", "system:authenticated"], extra: { "authentication.kubernetes.io/credential-id": [id] } } });
    expect((await run(...args)).stdout).toContain(`  extra:     authentication.kubernetes.io/credential-id=${id}\n`);
  });
});
