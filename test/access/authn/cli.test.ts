import "reflect-metadata";
import { createHash, generateKeyPairSync, randomBytes, webcrypto } from "node:crypto";
import { join } from "node:path";
import * as x509 from "@peculiar/x509";
import { exportJWK, importPKCS8, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { getRule } from "../../../src/findings/registry.js";
import { AT, authnCli, ISSUER, T } from "./run-cli.js";
import { testSigner, type TestSigner } from "./keys.js";

const { dir, file, run } = authnCli("palisade-authn-");

let oidc: TestSigner;
beforeAll(async () => {
  oidc = await testSigner("RS256");
});

describe("palisade authn token-file", () => {
  it("judges the record a later duplicate token overrides by what takes effect", async () => {
    const admin = randomBytes(24).toString("base64url");
    const path = file("dup.csv", `${admin},admin,1,"system:masters"\n${admin},carol,3\n`);
    const result = await run("token-file", path, "-o", "json");
    const report = JSON.parse(result.stdout) as { findings: Array<{ ruleId: string; message: string; position: { line: number } }> };
    expect(report.findings.map((f) => `${f.ruleId}@${f.position.line}`)).toEqual(["authn/duplicate-static-token@1", "authn/static-token-file@1"]);
    expect(report.findings[0]!.message).toMatch(/^the token on line 1 \(user "admin"\) is overridden by line 2 \(user "carol"\)/);
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain(admin);
  });

  it("exits 1 on weak tokens and names lines, never tokens", async () => {
    const strong = randomBytes(24).toString("base64url");
    const path = file("tokens.csv", `${strong},alice,1,"dev"\nchangeme,bob,2\n`);
    const result = await run("token-file", path, "-o", "json");
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain(strong);
    expect(result.stdout).not.toContain("changeme");
    const report = JSON.parse(result.stdout) as { findings: Array<{ ruleId: string; position: { line: number } }> };
    expect(report.findings.find((f) => f.ruleId === "authn/weak-static-token")?.position.line).toBe(2);
  });

  it("lists its rules in the registry that palisade rules reads", async () => {
    await run("--help");
    expect(getRule("authn/weak-static-token")?.docs.remediation).toMatch(/CSPRNG/);
  });

  it("exits 0 for a sound file at the default threshold, 2 for a missing one", async () => {
    const path = file("good.csv", `${randomBytes(24).toString("base64url")},alice,1\n`);
    expect((await run("token-file", path)).code).toBe(0);
    const missing = await run("token-file", join(dir, "nope.csv"));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.csv: cannot read the token file \(ENOENT\)/);
  });
});

describe("palisade authn whoami", () => {
  it("prints the user and groups of a certificate signed by the CA, exit 1 for another CA", async () => {
    const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
    const gen = async () => (await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
    const [caKeys, otherKeys, leafKeys] = await Promise.all([gen(), gen(), gen()]);
    const ext = [new x509.BasicConstraintsExtension(true, undefined, true)];
    const ca = await x509.X509CertificateGenerator.createSelfSigned({ name: "CN=ca", keys: caKeys, signingAlgorithm: alg, extensions: ext, notBefore: new Date(Date.parse(AT) - 86_400_000), notAfter: new Date(Date.parse(AT) + 86_400_000 * 365) });
    const other = await x509.X509CertificateGenerator.createSelfSigned({ name: "CN=other", keys: otherKeys, signingAlgorithm: alg, extensions: ext, notBefore: new Date(Date.parse(AT) - 86_400_000), notAfter: new Date(Date.parse(AT) + 86_400_000 * 365) });
    const leaf = await x509.X509CertificateGenerator.create({ subject: "CN=jane, O=dev", issuer: "CN=ca", publicKey: leafKeys.publicKey, signingKey: caKeys.privateKey, signingAlgorithm: alg, notBefore: new Date(Date.parse(AT) - 3600_000), notAfter: new Date(Date.parse(AT) + 86_400_000) });
    const certPath = file("jane.crt", leaf.toString("pem"));
    const ok = await run("whoami", "--cert", certPath, "--ca", file("ca.crt", ca.toString("pem")), "--at", AT);
    expect(ok.code).toBe(0);
    // kube-apiserver's chain adds system:authenticated to every user it authenticates.
    expect(ok.stdout).toMatch(/^authenticated as jane\n {2}groups: {4}dev, system:authenticated\n/);
    const json = await run("whoami", "--cert", certPath, "--ca", file("ca.crt", ca.toString("pem")), "--at", AT, "-o", "json");
    expect(JSON.parse(json.stdout).result).toMatchObject({ authenticated: true, user: { username: "jane", groups: ["dev", "system:authenticated"] } });
    const wrong = await run("whoami", "--cert", certPath, "--ca", file("other.crt", other.toString("pem")), "--at", AT, "-o", "json");
    expect(wrong.code).toBe(1);
    expect(JSON.parse(wrong.stdout).result.reason).toMatch(/unknown authority/);
    // Not authenticated: what the certificate claims, and no system:authenticated.
    expect(JSON.parse(wrong.stdout).claimedUser).toEqual({ username: "jane", groups: ["dev"] });
    const wrongText = await run("whoami", "--cert", certPath, "--ca", file("other.crt", other.toString("pem")), "--at", AT);
    expect(wrongText.stdout).toMatch(/\n {2}groups: {4}dev\n/);
    const notPem = await run("whoami", "--cert", file("junk.crt", "junk"));
    expect(notPem.code).toBe(2);
    // One character of the base64 changed, as a bad copy leaves it: named as corrupt, at its line, never echoed.
    const lines = leaf.toString("pem").split("\n");
    lines[3] = `${lines[3]!.slice(0, 2)}@${lines[3]!.slice(3)}`;
    const corrupt = await run("whoami", "--cert", file("corrupt.crt", lines.join("\n")), "--ca", file("ca2.crt", ca.toString("pem")), "--at", AT);
    expect(corrupt).toMatchObject({ code: 2, stdout: "" });
    expect(corrupt.stderr).toBe(`palisade: ${join(dir, "corrupt.crt")}:1:1: certificate 1: the CERTIFICATE block at line 1 is corrupt: its base64 does not decode\n  hint: the file was damaged (cut short or edited): copy the certificate again from its source\n`);
    const cut = await run("whoami", "--cert", file("cut.crt", lines.slice(0, 5).join("\n")));
    expect(cut.stderr).toMatch(/cut\.crt:1:1: certificate 1: the CERTIFICATE block at line 1 is cut off: it has no -----END CERTIFICATE----- line\n/);
  });

  it("takes --at only as RFC 3339, exit 2 with the expected form", async () => {
    for (const at of ["2026", "2026-06-01", "2026-06-01 12:00:00", "2026-02-30T00:00:00Z", "2026-06-01T12:00:00"]) {
      const result = await run("whoami", "--cert", file("any.crt", "junk"), "--at", at);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(`palisade: --at ${at}: not an RFC 3339 time\n  hint: give a date, a time and a zone, such as 2026-01-31T12:00:00Z or 2026-01-31T13:00:00+01:00\n`);
    }
    const verify = await run("verify-token", "--token-file", file("at.jwt", "a.b.c"), "--static-token-file", file("at.csv", "x,y,z\n"), "--at", "2026");
    expect(verify.code).toBe(2);
    expect(verify.stderr).toMatch(/--at 2026: not an RFC 3339 time/);
    const offset = await run("verify-token", "--token-file", file("at2.jwt", "a.b.c"), "--static-token-file", file("at2.csv", "x,y,z\n"), "--at", "2026-06-01T13:00:00.5+01:00");
    expect(offset.code).toBe(1);
  });
});

describe("palisade authn verify-token", () => {
  it("verifies an OIDC token with the --oidc-* flags and a JWKS on disk, never printing the token", async () => {
    const token = await oidc.sign({ iss: ISSUER, aud: "kubernetes", sub: "u1", email: "a@b.c", groups: ["dev"], exp: T + 600 });
    const args = ["verify-token", "--token-file", file("t.jwt", token + "\n"), "--oidc-issuer-url", ISSUER, "--oidc-client-id", "kubernetes", "--oidc-username-claim", "email", "--oidc-groups-claim", "groups", "--oidc-groups-prefix", "oidc:", "--jwks", file("jwks.json", JSON.stringify(oidc.jwks)), "--at", AT];
    const ok = await run(...args);
    expect(ok).toMatchObject({ code: 0 });
    expect(ok.stdout).toBe("authenticated as a@b.c\n  groups: oidc:dev, system:authenticated\n");
    const later = await run(...args.slice(0, -1), "2026-06-02T12:00:00Z", "-o", "json");
    expect(later.code).toBe(1);
    expect(JSON.parse(later.stdout)).toMatchObject({ authenticated: false, error: expect.stringMatching(/expired/) });
    expect(later.stdout + later.stderr + ok.stderr).not.toContain(token.split(".")[2]);
  });

  it("refuses a CEL AuthenticationConfiguration with the field's file position", async () => {
    const config = file(
      "authn.yaml",
      [
        "apiVersion: apiserver.config.k8s.io/v1beta1",
        "kind: AuthenticationConfiguration",
        "jwt:",
        "- issuer:",
        `    url: ${ISSUER}`,
        "    audiences: [kubernetes]",
        "  claimMappings:",
        "    username:",
        "      expression: claims.sub",
        "",
      ].join("\n"),
    );
    const result = await run("verify-token", "--token-file", file("t2.jwt", "x.y.z"), "--authn-config", config, "--jwks", file("jwks2.json", JSON.stringify(oidc.jwks)));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/authn\.yaml:9:\d+: jwt\[0\]\.claimMappings\.username\.expression: a CEL claim mapping expression is not supported/);
  });

  it("keeps each issuer's keys to itself when an AuthenticationConfiguration has several", async () => {
    const second = await testSigner("ES256");
    const entry = (url: string) => [`- issuer:`, `    url: ${url}`, `    audiences: [kubernetes]`, `  claimMappings:`, `    username: {claim: sub, prefix: ""}`].join("\n");
    const config = file("two.yaml", ["apiVersion: apiserver.config.k8s.io/v1", "kind: AuthenticationConfiguration", "jwt:", entry(ISSUER), entry("https://second.example.com"), ""].join("\n"));
    const jwks1 = file("k1.json", JSON.stringify(oidc.jwks));
    const jwks2 = file("k2.json", JSON.stringify(second.jwks));
    const claims = { iss: "https://second.example.com", aud: "kubernetes", sub: "bob", exp: T + 600 };
    const base = ["--authn-config", config, "--jwks", `${ISSUER}=${jwks1}`, "--jwks", `https://second.example.com=${jwks2}`, "--at", AT];
    const good = await run("verify-token", "--token-file", file("good.jwt", await second.sign(claims)), ...base);
    expect(good).toMatchObject({ code: 0, stdout: "authenticated as bob\n  groups: system:authenticated\n" });
    // The first issuer's key cannot vouch for the second issuer.
    const forged = await run("verify-token", "--token-file", file("forged.jwt", await oidc.sign(claims)), ...base);
    expect(forged.code).toBe(1);
    const ambiguous = await run("verify-token", "--token-file", file("any.jwt", "a.b.c"), "--authn-config", config, "--jwks", jwks1);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(/say whose keys these are/);
  });

  it("verifies a service-account token against a PEM public key file", async () => {
    const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const key = await importPKCS8(privateKey.export({ format: "pem", type: "pkcs8" }).toString(), "ES256");
    const token = await new SignJWT({
      aud: ["https://kubernetes.default.svc"],
      "kubernetes.io": { namespace: "shop", serviceaccount: { name: "cart", uid: "u-1" } },
    })
      .setProtectedHeader({ alg: "ES256" })
      .setIssuer("https://kubernetes.default.svc")
      .setExpirationTime(T + 600)
      .sign(key);
    const pub = file("sa.pub", publicKey.export({ format: "pem", type: "spki" }).toString());
    const result = await run("verify-token", "--token-file", file("sa.jwt", token), "--service-account-issuer", "https://kubernetes.default.svc", "--service-account-key-file", pub, "--at", AT, "-o", "json");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ authenticated: true, user: { username: "system:serviceaccount:shop:cart", groups: ["system:serviceaccounts", "system:serviceaccounts:shop", "system:authenticated"] } });
    expect(await exportJWK(publicKey)).toBeTruthy();
  });

  it("takes a service-account key from a certificate file, as kube-apiserver does, and picks keys by the kid it computes", async () => {
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const alg = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
    x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
    const keys = {
      privateKey: await webcrypto.subtle.importKey("pkcs8", privateKey.export({ type: "pkcs8", format: "der" }), alg, true, ["sign"]),
      publicKey: await webcrypto.subtle.importKey("spki", publicKey.export({ type: "spki", format: "der" }), alg, true, ["verify"]),
    };
    const cert = await x509.X509CertificateGenerator.createSelfSigned({ name: "CN=sa-signer", keys, signingAlgorithm: alg, notBefore: new Date(Date.parse(AT) - 86_400_000), notAfter: new Date(Date.parse(AT) + 86_400_000) });
    const kid = createHash("sha256").update(publicKey.export({ type: "spki", format: "der" })).digest("base64url");
    const sign = async (header: Record<string, string>) =>
      new SignJWT({ aud: ["https://k"], "kubernetes.io": { namespace: "team", serviceaccount: { name: "bot", uid: "u1" } } })
        .setProtectedHeader({ alg: "RS256", ...header })
        .setIssuer("https://k")
        .setExpirationTime(T + 600)
        .sign(await importPKCS8(privateKey.export({ format: "pem", type: "pkcs8" }).toString(), "RS256"));
    const keyFile = file("signer.crt", cert.toString("pem") + "\n");
    const verify = async (name: string, header: Record<string, string>) => run("verify-token", "--token-file", file(name, await sign(header)), "--service-account-issuer", "https://k", "--service-account-key-file", keyFile, "--at", AT);
    expect(await verify("kid.jwt", { kid })).toMatchObject({ code: 0, stdout: expect.stringMatching(/^authenticated as system:serviceaccount:team:bot\n/) });
    expect(await verify("nokid.jwt", {})).toMatchObject({ code: 0 });
    expect(await verify("x.jwt", { kid: "x" })).toMatchObject({ code: 1, stdout: `not authenticated: serviceaccount: no RS256 key with kid "x" (the keys' kids: ${kid})\n` });
    const none = await run("verify-token", "--token-file", file("n2.jwt", "a.b.c"), "--service-account-issuer", "https://k", "--service-account-key-file", file("empty.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"));
    expect(none).toMatchObject({ code: 2, stderr: expect.stringMatching(/empty\.pem: data does not contain any valid RSA or ECDSA public keys\n {2}hint: kube-apiserver would refuse to start/) });
  });

  it("adds system:authenticated to a static token's groups, once, as kube-apiserver does (QA stok)", async () => {
    const token = randomBytes(24).toString("base64url");
    const tokens = file("static.csv", `${token},admin,1,"dev,system:masters"\n${randomBytes(24).toString("base64url")},already,2,"system:authenticated,ops"\n`);
    const result = await run("verify-token", "--token-file", file("static.tok", token), "--static-token-file", tokens);
    expect(result).toMatchObject({ code: 0, stdout: "authenticated as admin\n  uid:    1\n  groups: dev, system:masters, system:authenticated\n" });
    expect(result.stdout + result.stderr).not.toContain(token);
  });

  it("needs an authenticator and a non-empty token file", async () => {
    expect((await run("verify-token", "--token-file", file("e.jwt", "\n"))).stderr).toMatch(/empty/);
    const none = await run("verify-token", "--token-file", file("n.jwt", "abc"));
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no authenticator configured/);
  });
});
