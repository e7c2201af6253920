import { beforeAll, describe, expect, it } from "vitest";
import { UserError } from "../../../src/errors.js";
import { oidcAuthenticator } from "../../../src/access/authn/oidc.js";
import { checkDiscoveryDocument, configFromFlags, configsFromAuthenticationConfiguration, type OidcFlags } from "../../../src/access/authn/oidc-config.js";
import { parseJwks } from "../../../src/access/authn/jwks.js";
import type { AuthenticationResult } from "../../../src/access/authn/types.js";
import { tamper, testSigner, unsignedToken, type TestSigner } from "./keys.js";

const ISSUER = "https://issuer.example.com";
const NOW = new Date("2026-06-01T12:00:00Z");
const now = () => NOW;
const T = Math.floor(NOW.getTime() / 1000);

let rsa: TestSigner;
let ec: TestSigner;
let stranger: TestSigner;
beforeAll(async () => {
  [rsa, ec, stranger] = await Promise.all([testSigner("RS256"), testSigner("ES256"), testSigner("RS256")]);
});

const base = (extra: Record<string, unknown> = {}) => ({ iss: ISSUER, aud: "kubernetes", sub: "u-123", exp: T + 600, iat: T - 10, ...extra });

async function viaFlags(token: string, flags: Partial<OidcFlags> = {}, signer = rsa): Promise<AuthenticationResult> {
  const config = configFromFlags({ issuerUrl: ISSUER, clientId: "kubernetes", ...flags });
  return oidcAuthenticator([{ config, keys: signer.jwks }], now).authenticateToken(token);
}

function expectRejected(result: AuthenticationResult, pattern: RegExp): void {
  expect(result.authenticated).toBe(false);
  if (!result.authenticated) expect(result.reason).toMatch(pattern);
}

describe("OIDC with kube-apiserver's --oidc-* flag rules", () => {
  it("authenticates sub prefixed with the issuer by default", async () => {
    const result = await viaFlags(await rsa.sign(base()));
    expect(result).toEqual({ authenticated: true, user: { username: `${ISSUER}#u-123`, groups: [] } });
  });

  it("does not prefix the email claim, honours an explicit prefix and '-' for none", async () => {
    const token = await rsa.sign(base({ email: "jane@example.com", email_verified: true }));
    expect(await viaFlags(token, { usernameClaim: "email" })).toMatchObject({ user: { username: "jane@example.com" } });
    expect(await viaFlags(token, { usernameClaim: "email", usernamePrefix: "oidc:" })).toMatchObject({ user: { username: "oidc:jane@example.com" } });
    expect(await viaFlags(token, { usernamePrefix: "-" })).toMatchObject({ user: { username: "u-123" } });
  });

  it("rejects an email explicitly not verified, accepts one with no email_verified claim", async () => {
    expectRejected(await viaFlags(await rsa.sign(base({ email: "j@x", email_verified: false })), { usernameClaim: "email" }), /email not verified/);
    expect((await viaFlags(await rsa.sign(base({ email: "j@x" })), { usernameClaim: "email" })).authenticated).toBe(true);
  });

  it("maps a groups claim (list or single string) with its prefix", async () => {
    const list = await viaFlags(await rsa.sign(base({ groups: ["dev", "ops"] })), { groupsClaim: "groups", groupsPrefix: "oidc:" });
    expect(list).toMatchObject({ user: { groups: ["oidc:dev", "oidc:ops"] } });
    const single = await viaFlags(await rsa.sign(base({ groups: "dev" })), { groupsClaim: "groups" });
    expect(single).toMatchObject({ user: { groups: ["dev"] } });
    expectRejected(await viaFlags(await rsa.sign(base({ groups: [1, 2] })), { groupsClaim: "groups" }), /groups claim/);
  });

  it("enforces required claims", async () => {
    const flags = { requiredClaims: ["hd=example.com"] };
    expect((await viaFlags(await rsa.sign(base({ hd: "example.com" })), flags)).authenticated).toBe(true);
    expectRejected(await viaFlags(await rsa.sign(base({ hd: "evil.com" })), flags), /required claim hd value does not match/);
    expectRejected(await viaFlags(await rsa.sign(base()), flags), /required claim hd not present/);
  });

  it("rejects expired, missing-exp and not-yet-valid tokens, with go-oidc v2's one minute nbf leeway", async () => {
    expectRejected(await viaFlags(await rsa.sign(base({ exp: T - 1 }))), /expired/);
    const { exp: _exp, ...noExp } = base();
    expectRejected(await viaFlags(await rsa.sign(noExp)), /no exp/);
    expectRejected(await viaFlags(await rsa.sign(base({ nbf: T + 61 }))), /not valid before/);
    expect((await viaFlags(await rsa.sign(base({ nbf: T + 60 })))).authenticated).toBe(true);
  });

  it("rejects the wrong audience and the wrong issuer", async () => {
    expectRejected(await viaFlags(await rsa.sign(base({ aud: ["other"] }))), /expected audience/);
    expectRejected(await viaFlags(await rsa.sign(base({ iss: "https://evil.example.com" }))), /not a configured OIDC issuer/);
  });

  it("rejects tampered, unsigned, foreign-key and disallowed-algorithm tokens", async () => {
    expectRejected(await viaFlags(tamper(await rsa.sign(base()))), /signature verification failed/);
    expectRejected(await viaFlags(unsignedToken(base())), /unsigned token/);
    expectRejected(await viaFlags(await stranger.sign(base(), { kid: rsa.kid })), /signature verification failed/);
    // ES256 is not in the default --oidc-signing-algs (RS256).
    expectRejected(await viaFlags(await ec.sign(base()), {}, ec), /ES256 is not allowed/);
    expect((await viaFlags(await ec.sign(base()), { signingAlgs: ["ES256"] }, ec)).authenticated).toBe(true);
    expectRejected(await viaFlags("not.a.jwt"), /not a JWT/);
  });

  it("validates the flags as kube-apiserver does", () => {
    expect(() => configFromFlags({ issuerUrl: "http://issuer", clientId: "k" })).toThrow(/https/);
    expect(() => configFromFlags({ issuerUrl: ISSUER })).toThrow(/client-id/);
    expect(() => configFromFlags({ issuerUrl: ISSUER, clientId: "k", signingAlgs: ["HS256"] })).toThrow(/unsupported signing algorithm/);
    expect(() => configFromFlags({ issuerUrl: ISSUER, clientId: "k", requiredClaims: ["novalue"] })).toThrow(UserError);
  });
});

const authConfig = (jwt: unknown[]) => ({ apiVersion: "apiserver.config.k8s.io/v1beta1", kind: "AuthenticationConfiguration", jwt });
const jwtEntry = (over: Record<string, unknown> = {}) => ({
  issuer: { url: ISSUER, audiences: ["kubernetes", "other"], audienceMatchPolicy: "MatchAny" },
  claimMappings: { username: { claim: "email", prefix: "" }, groups: { claim: "roles", prefix: "r:" }, uid: { claim: "sub" } },
  claimValidationRules: [{ claim: "tenant", requiredValue: "acme" }],
  ...over,
});

describe("AuthenticationConfiguration jwt authenticators", () => {
  it("maps username, groups and uid claims and applies claim validation rules", async () => {
    const [config] = configsFromAuthenticationConfiguration(authConfig([jwtEntry()]), "authn.yaml");
    const authn = oidcAuthenticator([{ config: config!, keys: rsa.jwks }], now);
    const ok = await authn.authenticateToken(await rsa.sign(base({ aud: "other", email: "a@b", roles: ["x"], tenant: "acme" })));
    expect(ok).toEqual({ authenticated: true, user: { username: "a@b", uid: "u-123", groups: ["r:x"] } });
    expectRejected(await authn.authenticateToken(await rsa.sign(base({ email: "a@b", tenant: "evil" }))), /tenant value does not match/);
  });

  it("chooses among several issuers by the token's iss", async () => {
    const second = { ...jwtEntry(), issuer: { url: "https://second.example.com", audiences: ["k2"] }, claimValidationRules: [] };
    const configs = configsFromAuthenticationConfiguration(authConfig([jwtEntry(), second]), "a.yaml");
    const authn = oidcAuthenticator([{ config: configs[0]!, keys: rsa.jwks }, { config: configs[1]!, keys: ec.jwks }], now);
    const token = await ec.sign(base({ iss: "https://second.example.com", aud: "k2", email: "z@z" }));
    expect(await authn.authenticateToken(token)).toMatchObject({ authenticated: true, user: { username: "z@z" } });
    // Signed by the first issuer's key but claiming the second issuer: refused.
    expectRejected(await authn.authenticateToken(await rsa.sign(base({ iss: "https://second.example.com", aud: "k2", email: "z@z" }))), /signature|no ES256|no RS256/);
  });

  it("refuses CEL and other unsupported features by name", () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ claimMappings: { username: { expression: "claims.sub" } } }, /username\.expression.*CEL/],
      [{ claimMappings: { username: { claim: "sub", prefix: "" }, extra: [{ key: "a", valueExpression: "1" }] } }, /extra/],
      [{ userValidationRules: [{ expression: "true" }] }, /userValidationRules/],
      [{ claimValidationRules: [{ expression: "claims.x == 1" }] }, /CEL claim validation/],
    ];
    for (const [over, pattern] of cases) expect(() => configsFromAuthenticationConfiguration(authConfig([jwtEntry(over)]), "a.yaml")).toThrow(pattern);
  });

  it("validates issuer, audiences, policy and required prefixes", () => {
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ issuer: { url: "http://x", audiences: ["a"] } }, /https/],
      [{ issuer: { url: ISSUER, audiences: [] } }, /at least one audience/],
      [{ issuer: { url: ISSUER, audiences: ["a", "b"] } }, /MatchAny/],
      [{ claimMappings: { username: { claim: "sub" } } }, /prefix: required/],
    ];
    for (const [over, pattern] of bad) expect(() => configsFromAuthenticationConfiguration(authConfig([jwtEntry(over)]), "a.yaml")).toThrow(pattern);
    expect(() => configsFromAuthenticationConfiguration({ apiVersion: "v1", kind: "Pod" }, "a.yaml")).toThrow(/AuthenticationConfiguration/);
    expect(() => configsFromAuthenticationConfiguration(authConfig([jwtEntry(), jwtEntry()]), "a.yaml")).toThrow(/duplicate issuer/);
    expect(configsFromAuthenticationConfiguration({ ...authConfig([jwtEntry()]), apiVersion: "apiserver.config.k8s.io/v1" }, "a.yaml")).toHaveLength(1);
  });

  it("checks discovery documents and refuses key sets with private keys", () => {
    expect(() => checkDiscoveryDocument({ issuer: ISSUER }, ISSUER, "d.json")).not.toThrow();
    expect(() => checkDiscoveryDocument({ issuer: `${ISSUER}/` }, ISSUER, "d.json")).toThrow(/does not match/);
    expect(() => parseJwks({ keys: [{ kty: "RSA", n: "x", e: "AQAB", d: "secret" }] }, "k.json")).toThrow(/private key material/);
    expect(() => parseJwks({ keys: [] }, "k.json")).toThrow(/empty/);
    expect(() => parseJwks({ nope: 1 }, "k.json")).toThrow(/JSON Web Key Set/);
  });
});
