/**
 * OIDC bearer-token authentication as kube-apiserver's JWT authenticator does it, over keys
 * read from disk by the shell. `now` is a parameter so tests and TokenReview replays are exact.
 */
import { audiencesOf, isoTime, numericDate, peekClaims, verifyJws, type JsonWebKeySet, type JwtClaims } from "./jwt.js";
import type { JwtAuthenticatorConfig } from "./oidc-config.js";
import { rejected, type AuthenticationResult, type TokenAuthenticator, type UserInfo } from "./types.js";

/** go-oidc tolerates this much clock skew on nbf only; exp has none. */
const NOT_BEFORE_LEEWAY_SECONDS = 5 * 60;

export interface OidcIssuer {
  config: JwtAuthenticatorConfig;
  keys: JsonWebKeySet;
}

export function oidcAuthenticator(issuers: readonly OidcIssuer[], now: () => Date): TokenAuthenticator {
  return {
    name: "oidc",
    async authenticateToken(token) {
      const peeked = peekClaims(token);
      if (!peeked) return rejected("not a JWT");
      // Several jwt authenticators are told apart by the unverified iss, as upstream does.
      const issuer = issuers.find((i) => i.config.issuerUrl === peeked.iss);
      if (!issuer) {
        return rejected(`issuer ${JSON.stringify(peeked.iss ?? null)} is not a configured OIDC issuer (configured: ${issuers.map((i) => i.config.issuerUrl).join(", ")})`);
      }
      return authenticateWithIssuer(token, issuer, Math.floor(now().getTime() / 1000));
    },
  };
}

async function authenticateWithIssuer(token: string, issuer: OidcIssuer, nowSeconds: number): Promise<AuthenticationResult> {
  const { config } = issuer;
  const verified = await verifyJws(token, issuer.keys, config.signingAlgorithms);
  if (!verified.ok) return rejected(`oidc: ${verified.reason}`);
  const claims = verified.claims;
  if (claims.iss !== config.issuerUrl) return rejected(`oidc: id token issued by a different provider, expected ${JSON.stringify(config.issuerUrl)}`);
  const audiences = audiencesOf(claims);
  if (audiences === undefined) return rejected("oidc: aud claim is neither a string nor a list of strings");
  if (!audiences.some((a) => config.audiences.includes(a))) {
    return rejected(`oidc: expected audience ${config.audiences.map((a) => JSON.stringify(a)).join(" or ")}, got ${JSON.stringify(audiences)}`);
  }
  const exp = numericDate(claims, "exp");
  if (exp === "invalid") return rejected("oidc: exp claim is not a number");
  // go-oidc reads a missing exp as the zero time, which is always in the past.
  if (exp === undefined) return rejected("oidc: token has no exp claim and counts as expired");
  if (exp < nowSeconds) return rejected(`oidc: token is expired (exp ${isoTime(exp)})`);
  const nbf = numericDate(claims, "nbf");
  if (nbf === "invalid") return rejected("oidc: nbf claim is not a number");
  if (nbf !== undefined && nowSeconds + NOT_BEFORE_LEEWAY_SECONDS < nbf) return rejected(`oidc: token is not valid before ${isoTime(nbf)}`);

  for (const rule of config.claimValidationRules) {
    if (!(rule.claim in claims)) return rejected(`oidc: required claim ${rule.claim} not present in ID token`);
    const value = stringClaim(claims, rule.claim);
    if (value === undefined) return rejected(`oidc: parse claim ${rule.claim}: not a string`);
    if (value !== rule.requiredValue) return rejected(`oidc: required claim ${rule.claim} value does not match`);
  }

  const username = stringClaim(claims, config.username.claim);
  if (username === undefined) return rejected(`oidc: claim ${JSON.stringify(config.username.claim)} not present or not a string`);
  if (config.username.claim === "email" && "email_verified" in claims) {
    // A present email_verified must be true; an absent one is accepted, as upstream.
    if (typeof claims.email_verified !== "boolean") return rejected("oidc: parse 'email_verified' claim: not a boolean");
    if (!claims.email_verified) return rejected("oidc: email not verified");
  }
  const user: UserInfo = { username: config.username.prefix + username, groups: [] };
  if (config.groups) {
    const groups = groupsClaim(claims, config.groups.claim);
    if (groups === "invalid") return rejected(`oidc: parse groups claim ${JSON.stringify(config.groups.claim)}: not a string or list of strings`);
    user.groups = groups.map((g) => config.groups!.prefix + g);
  }
  if (config.uid) {
    const uid = stringClaim(claims, config.uid.claim);
    if (uid === undefined) return rejected(`oidc: uid claim ${JSON.stringify(config.uid.claim)} not present or not a string`);
    user.uid = uid;
  }
  return { authenticated: true, user };
}

/**
 * A claim read into a Go string, as upstream's unmarshalClaim: JSON null leaves it "" without
 * an error; absent or any other type is undefined (an error upstream).
 */
function stringClaim(claims: JwtClaims, name: string): string | undefined {
  if (!(name in claims)) return undefined;
  const value = claims[name];
  if (value === null) return "";
  return typeof value === "string" ? value : undefined;
}

/**
 * A groups claim as upstream's stringOrArray: one string or a list of strings; absent or
 * null means no groups, and a null inside the list reads as "" (Go's json leaves it zero).
 */
function groupsClaim(claims: JwtClaims, name: string): string[] | "invalid" {
  const value = claims[name];
  if (value === undefined || value === null) return [];
  if (typeof value === "string") return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === "string" || v === null)) return value.map((v: unknown) => (typeof v === "string" ? v : ""));
  return "invalid";
}
