/**
 * OIDC bearer-token authentication as kube-apiserver's JWT authenticator does it, over keys
 * read from disk by the shell. `now` is a parameter so tests and TokenReview replays are exact.
 */
import { audiencesOf, isoTime, peekClaims, verifyJws, type JsonWebKeySet, type JwtClaims } from "./jwt.js";
import type { JwtAuthenticatorConfig } from "./oidc-config.js";
import { rejected, type AuthenticationResult, type TokenAuthenticator, type UserInfo } from "./types.js";

/**
 * kube-apiserver still builds on go-oidc v2 (github.com/coreos/go-oidc, not /v3), whose
 * verifier tolerates one minute of clock skew on nbf and none on exp; v3's five minutes
 * do not apply.
 */
const NOT_BEFORE_LEEWAY_MS = 60_000;

/** go-oidc reads the legacy Google issuer as the https one, for Google only. */
const GOOGLE_ISSUER = "https://accounts.google.com";
const GOOGLE_ISSUER_NO_SCHEME = "accounts.google.com";

function issuerOf(iss: unknown): unknown {
  return iss === GOOGLE_ISSUER_NO_SCHEME ? GOOGLE_ISSUER : iss;
}

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
      const issuer = issuers.find((i) => i.config.issuerUrl === issuerOf(peeked.iss));
      if (!issuer) {
        return rejected(`issuer ${JSON.stringify(peeked.iss ?? null)} is not a configured OIDC issuer (configured: ${issuers.map((i) => i.config.issuerUrl).join(", ")})`);
      }
      return authenticateWithIssuer(token, issuer, now().getTime());
    },
  };
}

async function authenticateWithIssuer(token: string, issuer: OidcIssuer, nowMs: number): Promise<AuthenticationResult> {
  const { config } = issuer;
  const verified = await verifyJws(token, issuer.keys, config.signingAlgorithms);
  if (!verified.ok) return rejected(`oidc: ${verified.reason}`);
  const claims = verified.claims;
  const malformed = malformedStandardClaim(claims);
  if (malformed) return rejected(`oidc: failed to unmarshal claims: ${malformed}`);
  if (claims.iss !== config.issuerUrl && !(config.issuerUrl === GOOGLE_ISSUER && claims.iss === GOOGLE_ISSUER_NO_SCHEME)) {
    return rejected(`oidc: id token issued by a different provider, expected ${JSON.stringify(config.issuerUrl)}`);
  }
  const audiences = audiencesOf(claims);
  if (audiences === undefined) return rejected("oidc: aud claim is neither a string nor a list of strings");
  if (!audiences.some((a) => config.audiences.includes(a))) {
    return rejected(`oidc: expected audience ${config.audiences.map((a) => JSON.stringify(a)).join(" or ")}, got ${JSON.stringify(audiences)}`);
  }
  // Both are NumericDates or absent here: malformedStandardClaim refused anything else.
  const exp = oidcTime(claims.exp) as number | undefined;
  // go-oidc reads a missing exp as the zero time, which is always in the past.
  if (exp === undefined) return rejected("oidc: token has no exp claim and counts as expired");
  if (exp * 1000 < nowMs) return rejected(`oidc: token is expired (exp ${isoTime(exp)})`);
  const nbf = claims.nbf === null ? undefined : (oidcTime(claims.nbf) as number | undefined);
  if (nbf !== undefined && nowMs + NOT_BEFORE_LEEWAY_MS < nbf * 1000) return rejected(`oidc: token is not valid before ${isoTime(nbf)}`);

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
 * A NumericDate as go-oidc's jsonTime reads it: a JSON number, or a string holding one (Go's
 * json.Number takes both), cut to whole seconds. Undefined when absent; "invalid" otherwise.
 */
function oidcTime(value: unknown): number | undefined | "invalid" {
  if (value === undefined) return undefined;
  const n = typeof value === "number" ? value : typeof value === "string" && /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(value) ? Number(value) : NaN;
  return Number.isFinite(n) ? Math.trunc(n) : "invalid";
}

/**
 * go-oidc decodes the standard claims into typed fields before anything else, so a token
 * whose iss, sub, nonce or at_hash is not a string (null is read as ""), or whose exp or iat
 * is not a NumericDate, or whose nbf is neither that nor null, fails there.
 */
function malformedStandardClaim(claims: JwtClaims): string | undefined {
  for (const name of ["iss", "sub", "nonce", "at_hash"]) {
    const value = claims[name];
    if (value !== undefined && value !== null && typeof value !== "string") return `${name} is not a string`;
  }
  for (const name of ["exp", "iat", "nbf"]) {
    if (name === "nbf" && claims.nbf === null) continue;
    if (oidcTime(claims[name]) === "invalid") return `${name} is not a NumericDate`;
  }
  return undefined;
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
