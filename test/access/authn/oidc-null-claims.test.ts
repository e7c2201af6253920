/**
 * JSON null in a mapped claim, as kube-apiserver's OIDC authenticator reads it: Go's
 * json.Unmarshal leaves the target zero without an error, so a null groups claim is no
 * groups, a null inside the list is the group "", and a null username or uid claim is "".
 */
import { beforeAll, describe, expect, it } from "vitest";
import { oidcAuthenticator } from "../../../src/access/authn/oidc.js";
import { configFromFlags, type OidcFlags } from "../../../src/access/authn/oidc-config.js";
import type { AuthenticationResult } from "../../../src/access/authn/types.js";
import { testSigner, type TestSigner } from "./keys.js";

const ISSUER = "https://issuer.example.com";
const NOW = new Date("2026-06-01T12:00:00Z");
const T = Math.floor(NOW.getTime() / 1000);
const base = (extra: Record<string, unknown> = {}) => ({ iss: ISSUER, aud: "kubernetes", sub: "u-1", exp: T + 600, iat: T - 10, ...extra });

let rsa: TestSigner;
beforeAll(async () => {
  rsa = await testSigner("RS256");
});

async function authenticate(claims: Record<string, unknown>, flags: Partial<OidcFlags> = {}): Promise<AuthenticationResult> {
  const config = configFromFlags({ issuerUrl: ISSUER, clientId: "kubernetes", usernamePrefix: "oidc:", ...flags });
  return oidcAuthenticator([{ config, keys: rsa.jwks }], () => NOW).authenticateToken(await rsa.sign(claims));
}

describe("OIDC claims that are JSON null", () => {
  it("a null groups claim authenticates with no groups", async () => {
    expect(await authenticate(base({ groups: null }), { groupsClaim: "groups" })).toEqual({ authenticated: true, user: { username: "oidc:u-1", groups: [] } });
  });

  it("a null inside the groups list is the group \"\" (with its prefix)", async () => {
    expect(await authenticate(base({ groups: ["dev", null] }), { groupsClaim: "groups", groupsPrefix: "g:" })).toMatchObject({ authenticated: true, user: { groups: ["g:dev", "g:"] } });
  });

  it("a null username claim is the empty name, prefixed", async () => {
    expect(await authenticate(base({ sub: null }))).toMatchObject({ authenticated: true, user: { username: "oidc:" } });
  });

  it("a required claim that is null compares as \"\"", async () => {
    const result = await authenticate(base({ hd: null }), { requiredClaims: ["hd=example.com"] });
    expect(result).toMatchObject({ authenticated: false, reason: expect.stringMatching(/value does not match/) });
  });
});
