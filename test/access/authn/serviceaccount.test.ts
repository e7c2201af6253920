import { beforeAll, describe, expect, it } from "vitest";
import { serviceAccountAuthenticator, LEGACY_SERVICE_ACCOUNT_ISSUER } from "../../../src/access/authn/serviceaccount.js";
import type { AuthenticationResult } from "../../../src/access/authn/types.js";
import { tamper, testSigner, unsignedToken, type TestSigner } from "./keys.js";

const ISSUER = "https://kubernetes.default.svc.cluster.local";
const NOW = new Date("2026-06-01T12:00:00Z");
const T = Math.floor(NOW.getTime() / 1000);

let signer: TestSigner;
let other: TestSigner;
beforeAll(async () => {
  [signer, other] = await Promise.all([testSigner("ES256"), testSigner("RS256")]);
});

const bound = (over: Record<string, unknown> = {}, k8s: Record<string, unknown> = {}) => ({
  iss: ISSUER,
  aud: [ISSUER],
  sub: "system:serviceaccount:shop:cart",
  exp: T + 3600,
  iat: T - 60,
  nbf: T - 60,
  jti: "6f1c-jti",
  "kubernetes.io": {
    namespace: "shop",
    serviceaccount: { name: "cart", uid: "sa-uid-1" },
    pod: { name: "cart-7d9", uid: "pod-uid-1" },
    node: { name: "node-a", uid: "node-uid-1" },
    warnafter: T + 600,
    ...k8s,
  },
  ...over,
});

const legacy = (over: Record<string, unknown> = {}) => ({
  iss: LEGACY_SERVICE_ACCOUNT_ISSUER,
  sub: "system:serviceaccount:shop:cart",
  "kubernetes.io/serviceaccount/namespace": "shop",
  "kubernetes.io/serviceaccount/secret.name": "cart-token-abcde",
  "kubernetes.io/serviceaccount/service-account.name": "cart",
  "kubernetes.io/serviceaccount/service-account.uid": "sa-uid-1",
  ...over,
});

async function check(token: string, options: { apiAudiences?: string[]; acceptLegacy?: boolean } = {}, at = NOW): Promise<AuthenticationResult> {
  return serviceAccountAuthenticator({ issuers: ["https://old-issuer.example", ISSUER], keys: signer.jwks, ...options }, () => at).authenticateToken(token);
}

function expectRejected(result: AuthenticationResult, pattern: RegExp): void {
  expect(result.authenticated).toBe(false);
  if (!result.authenticated) expect(result.reason).toMatch(pattern);
}

describe("bound service-account tokens", () => {
  it("authenticate as system:serviceaccount:NS:NAME with the service-account groups and bound-object extras", async () => {
    const result = await check(await signer.sign(bound()), { apiAudiences: [ISSUER] });
    expect(result).toMatchObject({
      authenticated: true,
      user: {
        username: "system:serviceaccount:shop:cart",
        uid: "sa-uid-1",
        groups: ["system:serviceaccounts", "system:serviceaccounts:shop"],
        extra: {
          "authentication.kubernetes.io/pod-name": ["cart-7d9"],
          "authentication.kubernetes.io/pod-uid": ["pod-uid-1"],
          "authentication.kubernetes.io/node-name": ["node-a"],
          "authentication.kubernetes.io/node-uid": ["node-uid-1"],
          "authentication.kubernetes.io/credential-id": ["JTI=6f1c-jti"],
        },
      },
    });
  });

  it("default the API audiences to every issuer, as kube-apiserver's ToAuthenticationConfig does, and reject other audiences", async () => {
    // Two --service-account-issuer flags, no --api-audiences: a token for either issuer is for the API.
    expect((await check(await signer.sign(bound()))).authenticated).toBe(true);
    expect((await check(await signer.sign(bound({ aud: "https://old-issuer.example" })))).authenticated).toBe(true);
    expectRejected(await check(await signer.sign(bound({ aud: ["vault"] }))), /token audiences \["vault"\] are invalid for the target audiences \["https:\/\/old-issuer.example","https:\/\/kubernetes.default.svc.cluster.local"\]/);
    // --api-audiences set: the issuers are no longer audiences of their own.
    expectRejected(await check(await signer.sign(bound({ aud: ["vault"] })), { apiAudiences: [ISSUER] }), /invalid for the target audiences/);
    expectRejected(await check(await signer.sign(bound({ aud: "https://old-issuer.example" })), { apiAudiences: [ISSUER] }), /invalid for the target audiences/);
  });

  it("reject expired and not-yet-valid tokens beyond the one-minute leeway", async () => {
    const opts = { apiAudiences: [ISSUER] };
    expectRejected(await check(await signer.sign(bound({ exp: T - 61 })), opts), /expired/);
    expect((await check(await signer.sign(bound({ exp: T - 59 })), opts)).authenticated).toBe(true);
    expectRejected(await check(await signer.sign(bound({ nbf: T + 61 })), opts), /not valid yet/);
    expectRejected(await check(await signer.sign(bound({ iat: T + 120 })), opts), /issued in the future/);
  });

  it("reject unknown issuers, tampered, unsigned and foreign-key tokens", async () => {
    const opts = { apiAudiences: [ISSUER] };
    expectRejected(await check(await signer.sign(bound({ iss: "https://evil.example" })), opts), /not a service-account issuer/);
    expectRejected(await check(tamper(await signer.sign(bound())), opts), /signature verification failed/);
    expectRejected(await check(unsignedToken(bound()), opts), /unsigned token/);
    expectRejected(await check(await other.sign(bound()), opts), /no RS256 key/);
  });

  it("require the kubernetes.io namespace and service account claims", async () => {
    const opts = { apiAudiences: [ISSUER] };
    expectRejected(await check(await signer.sign({ ...bound(), "kubernetes.io": undefined }), opts), /kubernetes\.io claims/);
    expectRejected(await check(await signer.sign(bound({}, { namespace: "" })), opts), /namespace claim missing/);
    expectRejected(await check(await signer.sign(bound({}, { serviceaccount: { name: "x" } })), opts), /serviceaccount claim/);
    expectRejected(await check(await signer.sign(bound({}, { pod: "cart" })), opts), /pod claim is malformed/);
  });

  it("warn about stale tokens past warnafter and about bound objects not checked offline", async () => {
    const later = new Date((T + 1200) * 1000);
    const result = await check(await signer.sign(bound()), { apiAudiences: [ISSUER] }, later);
    expect(result.authenticated).toBe(true);
    if (result.authenticated) {
      expect(result.warnings?.some((w) => w.startsWith("stale token"))).toBe(true);
      expect(result.warnings?.some((w) => w.includes("pod shop/cart-7d9"))).toBe(true);
    }
  });
});

describe("legacy Secret-based service-account tokens", () => {
  it("are recognised, name the user from their claims and warn that they never expire", async () => {
    const result = await check(await signer.sign(legacy()));
    expect(result).toMatchObject({
      authenticated: true,
      user: { username: "system:serviceaccount:shop:cart", uid: "sa-uid-1", groups: ["system:serviceaccounts", "system:serviceaccounts:shop"] },
    });
    if (result.authenticated) expect(result.warnings?.[0]).toMatch(/never expires/);
  });

  it("need every legacy claim, and can be turned off", async () => {
    expectRejected(await check(await signer.sign(legacy({ "kubernetes.io/serviceaccount/secret.name": undefined }))), /secret\.name/);
    expectRejected(await check(await signer.sign(legacy()), { acceptLegacy: false }), /not a service-account issuer/);
  });
});
