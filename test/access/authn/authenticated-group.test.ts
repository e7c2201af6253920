/**
 * kube-apiserver's chain ends in group.NewAuthenticatedGroupAdder
 * (pkg/kubeapiserver/authenticator/config.go; apiserver/pkg/authentication/group/authenticated_group_adder.go):
 * an authenticated user, whoever authenticated it, carries system:authenticated unless it is
 * system:anonymous or already has system:authenticated or system:unauthenticated.
 */
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { authenticatedGroupAdder, withAuthenticatedGroup, withAuthenticatedGroupResult } from "../../../src/access/authn/authenticated-group.js";
import { oidcAuthenticator } from "../../../src/access/authn/oidc.js";
import { configFromFlags } from "../../../src/access/authn/oidc-config.js";
import { serviceAccountAuthenticator } from "../../../src/access/authn/serviceaccount.js";
import { tokenFileAuthenticator } from "../../../src/access/authn/tokenfile.js";
import { rejected, unionAuthenticator, type TokenAuthenticator, type UserInfo } from "../../../src/access/authn/types.js";
import { testSigner, type TestSigner } from "./keys.js";

const NOW = new Date("2026-06-01T12:00:00Z");
const T = Math.floor(NOW.getTime() / 1000);

describe("withAuthenticatedGroup", () => {
  it("adds system:authenticated last, keeping name, uid, groups and extra", () => {
    const user: UserInfo = { username: "jane", uid: "u1", groups: ["dev"], extra: { scopes: ["a"] } };
    expect(withAuthenticatedGroup(user)).toEqual({ username: "jane", uid: "u1", groups: ["dev", "system:authenticated"], extra: { scopes: ["a"] } });
    expect(user.groups).toEqual(["dev"]);
  });

  it("leaves system:anonymous, and a user already in system:authenticated or system:unauthenticated, as they are", () => {
    for (const user of [
      { username: "system:anonymous", groups: ["system:unauthenticated"] },
      { username: "system:anonymous", groups: [] },
      { username: "jane", groups: ["system:authenticated", "dev"] },
      { username: "jane", groups: ["system:unauthenticated"] },
    ]) {
      expect(withAuthenticatedGroup(user)).toEqual(user);
    }
  });

  it("property: adds the group exactly when upstream's adder does, and applying it twice changes nothing more", () => {
    const group = fc.constantFrom("dev", "system:masters", "system:authenticated", "system:unauthenticated", "system:serviceaccounts", "");
    const user = fc.record({ username: fc.constantFrom("jane", "system:anonymous", "system:serviceaccount:ns:sa", ""), groups: fc.array(group, { maxLength: 4 }) });
    fc.assert(
      fc.property(user, (u) => {
        const adds = u.username !== "system:anonymous" && !u.groups.includes("system:authenticated") && !u.groups.includes("system:unauthenticated");
        const once = withAuthenticatedGroup(u);
        expect(once.groups).toEqual(adds ? [...u.groups, "system:authenticated"] : u.groups);
        expect(withAuthenticatedGroup(once)).toEqual(once);
      }),
      { numRuns: 500 },
    );
  });

  it("a refusal stays a refusal, its reason unchanged", () => {
    expect(withAuthenticatedGroupResult(rejected("token expired"))).toEqual({ authenticated: false, reason: "token expired" });
  });
});

describe("every authenticator's users carry system:authenticated once wrapped as kube-apiserver wraps its chain", () => {
  let signer: TestSigner;
  let rsa: TestSigner;
  beforeAll(async () => {
    // OIDC accepts RS256 alone unless told otherwise (--oidc-signing-algs).
    [signer, rsa] = await Promise.all([testSigner("ES256"), testSigner("RS256")]);
  });
  const ISSUER = "https://kubernetes.default.svc";

  it("service-account tokens (QA tok1)", async () => {
    const sa = serviceAccountAuthenticator({ issuers: [ISSUER], keys: signer.jwks }, () => NOW);
    const token = await signer.sign({
      iss: ISSUER,
      aud: [ISSUER],
      sub: "system:serviceaccount:default:app",
      exp: T + 600,
      iat: T - 10,
      nbf: T - 10,
      "kubernetes.io": { namespace: "default", serviceaccount: { name: "app", uid: "u1" } },
    });
    expect(await authenticatedGroupAdder(sa).authenticateToken(token)).toMatchObject({
      authenticated: true,
      user: { username: "system:serviceaccount:default:app", groups: ["system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"] },
    });
  });

  it("OIDC tokens, even with no groups claim", async () => {
    const oidc = oidcAuthenticator([{ config: configFromFlags({ issuerUrl: "https://idp.example.com", clientId: "kube" }), keys: rsa.jwks }], () => NOW);
    const token = await rsa.sign({ iss: "https://idp.example.com", aud: "kube", sub: "u123", exp: T + 600, iat: T - 10 });
    expect(await authenticatedGroupAdder(oidc).authenticateToken(token)).toEqual({ authenticated: true, user: { username: "https://idp.example.com#u123", groups: ["system:authenticated"] } });
  });

  it("static tokens, through a union, and a refused token is refused with no group and no token in the reason", async () => {
    const token = randomBytes(32).toString("base64url");
    const file = tokenFileAuthenticator(`${token},admin,1,"dev,system:masters"\n`, "tokens.csv");
    const refusing: TokenAuthenticator = { name: "none", authenticateToken: () => Promise.resolve(rejected("not mine")) };
    const chain = authenticatedGroupAdder(unionAuthenticator([refusing, file]));
    expect(await chain.authenticateToken(token)).toEqual({ authenticated: true, user: { username: "admin", uid: "1", groups: ["dev", "system:masters", "system:authenticated"] } });
    const other = randomBytes(32).toString("base64url");
    const refused = await chain.authenticateToken(other);
    expect(refused.authenticated).toBe(false);
    expect(JSON.stringify(refused)).not.toContain(other);
  });
});
