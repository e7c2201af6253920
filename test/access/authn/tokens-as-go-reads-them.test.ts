/**
 * Bearer-token verdicts where Palisade once differed from kube-apiserver: the legacy
 * validator's sub check, go-oidc's kid matching, nbf leeway and claim decoding, go-jose's
 * RSA key sizes and clock comparisons. Each case names the upstream behaviour it pins.
 */
import { createHash, generateKeyPairSync, sign as cryptoSign, type KeyObject } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { oidcAuthenticator } from "../../../src/access/authn/oidc.js";
import { configFromFlags, type OidcFlags } from "../../../src/access/authn/oidc-config.js";
import { LEGACY_SERVICE_ACCOUNT_ISSUER, serviceAccountAuthenticator } from "../../../src/access/authn/serviceaccount.js";
import { serviceAccountKeysFromPem } from "../../../src/access/authn/service-account-keys.js";
import { lintTokenFile, parseTokenFile } from "../../../src/access/authn/tokenfile.js";
import type { JsonWebKeySet } from "../../../src/access/authn/jwt.js";
import type { AuthenticationResult } from "../../../src/access/authn/types.js";
import { testSigner, type TestSigner } from "./keys.js";

const ISSUER = "https://issuer.example.com";
const SA_ISSUER = "https://kubernetes.default.svc";
const NOW = new Date("2026-06-01T12:00:00Z");
const T = Math.floor(NOW.getTime() / 1000);

let rsa: TestSigner;
beforeAll(async () => {
  rsa = await testSigner("RS256", "real");
});

const oidcClaims = (extra: Record<string, unknown> = {}) => ({ iss: ISSUER, aud: "kubernetes", sub: "u-1", exp: T + 600, ...extra });

async function viaOidc(token: string, flags: Partial<OidcFlags> = {}, keys: JsonWebKeySet = rsa.jwks, at = NOW): Promise<AuthenticationResult> {
  const config = configFromFlags({ issuerUrl: ISSUER, clientId: "kubernetes", usernamePrefix: "-", ...flags });
  return oidcAuthenticator([{ config, keys }], () => at).authenticateToken(token);
}

async function viaServiceAccounts(token: string, keys: JsonWebKeySet = rsa.jwks, at = NOW): Promise<AuthenticationResult> {
  return serviceAccountAuthenticator({ issuers: [SA_ISSUER], keys }, () => at).authenticateToken(token);
}

function rejectedFor(result: AuthenticationResult, pattern: RegExp): void {
  expect(result.authenticated).toBe(false);
  if (!result.authenticated) expect(result.reason).toMatch(pattern);
}

/** RS256 over node:crypto, which (unlike jose) signs with any RSA key size. */
function rs256(privateKey: KeyObject, payload: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const input = `${enc({ alg: "RS256", ...header })}.${enc(payload)}`;
  return `${input}.${cryptoSign("sha256", Buffer.from(input), privateKey).toString("base64url")}`;
}

const legacyClaims = (extra: Record<string, unknown> = {}) => ({
  iss: LEGACY_SERVICE_ACCOUNT_ISSUER,
  sub: "system:serviceaccount:shop:cart",
  "kubernetes.io/serviceaccount/namespace": "shop",
  "kubernetes.io/serviceaccount/secret.name": "cart-token-x",
  "kubernetes.io/serviceaccount/service-account.name": "cart",
  "kubernetes.io/serviceaccount/service-account.uid": "sa-uid",
  ...extra,
});

describe("legacy service-account tokens: pkg/serviceaccount legacy validator", () => {
  it("accepts a sub that names the account of the private claims", async () => {
    expect(await viaServiceAccounts(await rsa.sign(legacyClaims()))).toMatchObject({ authenticated: true, user: { username: "system:serviceaccount:shop:cart" } });
  });

  it("rejects a missing sub, and a sub naming another account or malformed", async () => {
    const { sub: _sub, ...noSub } = legacyClaims();
    rejectedFor(await viaServiceAccounts(await rsa.sign(noSub)), /no sub claim/);
    rejectedFor(await viaServiceAccounts(await rsa.sign(legacyClaims({ sub: "system:serviceaccount:kube-system:admin" }))), /sub claim does not name/);
    rejectedFor(await viaServiceAccounts(await rsa.sign(legacyClaims({ sub: "system:serviceaccount:shop:cart:extra" }))), /sub claim does not name/);
    rejectedFor(await viaServiceAccounts(await rsa.sign(legacyClaims({ sub: "cart" }))), /sub claim does not name/);
  });
});

describe("OIDC signature keys: go-oidc's key set", () => {
  it("tries only the keys carrying the token's kid, with no fallback to the others", async () => {
    rejectedFor(await viaOidc(await rsa.sign(oidcClaims(), { kid: "bogus" })), /no RS256 key with kid "bogus"/);
    expect((await viaOidc(await rsa.sign(oidcClaims(), { kid: "real" }))).authenticated).toBe(true);
  });

  it("ignores a JWK's own alg and use, as go-jose does when it verifies", async () => {
    const keys = { keys: [{ ...rsa.publicJwk, alg: "RS512", use: "enc" }] };
    expect((await viaOidc(await rsa.sign(oidcClaims()), {}, keys)).authenticated).toBe(true);
  });

  it("refuses a malformed key without throwing", async () => {
    const keys = { keys: [{ kty: "RSA", kid: "real", n: "AQAB", e: "AQAB" }] };
    rejectedFor(await viaOidc(await rsa.sign(oidcClaims()), {}, keys), /cannot be used/);
  });
});

describe("OIDC claims as go-oidc v2 decodes and checks them", () => {
  it("allows one minute of clock skew on nbf, measured with the sub-second clock", async () => {
    rejectedFor(await viaOidc(await rsa.sign(oidcClaims({ nbf: T + 61 }))), /not valid before/);
    expect((await viaOidc(await rsa.sign(oidcClaims({ nbf: T + 60 })))).authenticated).toBe(true);
    // exp is compared with the full clock: half a second after exp is expired.
    rejectedFor(await viaOidc(await rsa.sign(oidcClaims({ exp: T })), {}, rsa.jwks, new Date(NOW.getTime() + 500)), /expired/);
  });

  it("reads NumericDates as json.Number: numeric strings count, fractions are cut, a null nbf is no nbf", async () => {
    expect((await viaOidc(await rsa.sign(oidcClaims({ exp: String(T + 600) })))).authenticated).toBe(true);
    expect((await viaOidc(await rsa.sign(oidcClaims({ nbf: null })))).authenticated).toBe(true);
    rejectedFor(await viaOidc(await rsa.sign(oidcClaims({ exp: T + 0.9 })), {}, rsa.jwks, new Date(NOW.getTime() + 500)), /expired/);
  });

  it("refuses standard claims of the wrong type before mapping any user", async () => {
    rejectedFor(await viaOidc(await rsa.sign(oidcClaims({ iat: "yesterday" }))), /iat is not a NumericDate/);
    rejectedFor(await viaOidc(await rsa.sign(oidcClaims({ iat: null }))), /iat is not a NumericDate/);
    rejectedFor(await viaOidc(await rsa.sign(oidcClaims({ sub: 42, email: "jane@example.com" })), { usernameClaim: "email" }), /sub is not a string/);
  });

  it("takes Google's scheme-less issuer for https://accounts.google.com only", async () => {
    const google = "https://accounts.google.com";
    const token = await rsa.sign(oidcClaims({ iss: "accounts.google.com" }));
    const config = configFromFlags({ issuerUrl: google, clientId: "kubernetes", usernamePrefix: "-" });
    expect((await oidcAuthenticator([{ config, keys: rsa.jwks }], () => NOW).authenticateToken(token)).authenticated).toBe(true);
  });

  it("reads --oidc-required-claim as component-base's MapStringString", () => {
    const config = configFromFlags({ issuerUrl: ISSUER, clientId: "k", requiredClaims: ["hd=a.com, tier = gold", "hd=b.com"] });
    expect(config.claimValidationRules).toEqual([
      { claim: "hd", requiredValue: "b.com" },
      { claim: "tier", requiredValue: "gold" },
    ]);
  });
});

describe("service-account keys and clocks: go-jose", () => {
  it("verifies with a 1024-bit RSA key, which Go accepts and jose would throw on", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const keys = serviceAccountKeysFromPem(publicKey.export({ format: "pem", type: "spki" }).toString(), "sa.pub");
    expect((await viaServiceAccounts(rs256(privateKey, legacyClaims()), keys)).authenticated).toBe(true);
    const kid = createHash("sha256").update(publicKey.export({ format: "der", type: "spki" })).digest("base64url");
    expect((await viaServiceAccounts(rs256(privateKey, legacyClaims(), { kid }), keys)).authenticated).toBe(true);
  });

  it("refuses an RSA key below 1024 bits, as Go 1.24 does, without throwing", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 768 });
    const keys = { keys: [publicKey.export({ format: "jwk" })] } as JsonWebKeySet;
    rejectedFor(await viaServiceAccounts(rs256(privateKey, legacyClaims()), keys), /cannot be used/);
  });

  const bound = (extra: Record<string, unknown>) => ({ iss: SA_ISSUER, aud: [SA_ISSUER], "kubernetes.io": { namespace: "shop", serviceaccount: { name: "cart", uid: "u" } }, ...extra });

  it("compares exp with the full clock and its one-minute leeway", async () => {
    const token = await rsa.sign(bound({ exp: T - 60 }));
    expect((await viaServiceAccounts(token)).authenticated).toBe(true);
    rejectedFor(await viaServiceAccounts(token, rsa.jwks, new Date(NOW.getTime() + 500)), /expired/);
  });

  it("reads a null exp as absent and survives a NumericDate no Date can hold", async () => {
    expect((await viaServiceAccounts(await rsa.sign(bound({ exp: null })))).authenticated).toBe(true);
    rejectedFor(await viaServiceAccounts(await rsa.sign(bound({ exp: -1e20 }))), /expired \(exp -100000000000000000000 seconds since the epoch\)/);
  });
});

describe("static token file: Go's encoding/csv keeps a byte-order mark", () => {
  it("says the first token carries a BOM rather than surrounding spaces", () => {
    const token = "AbCdEfGhIjKlMnOpQrStUvWx12";
    const findings = lintTokenFile(parseTokenFile(`\uFEFF${token},alice,1\n`, "tokens.csv"));
    const messages = findings.map((f) => f.message);
    expect(messages.some((m) => /starts with a UTF-8 byte-order mark/.test(m))).toBe(true);
    expect(messages.some((m) => /surrounding spaces/.test(m))).toBe(false);
    expect(messages.join("\n")).not.toContain(token);
  });
});
