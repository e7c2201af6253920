/**
 * Service-account token authentication as kube-apiserver does it: bound (projected) tokens
 * with the `kubernetes.io` private claims, and legacy Secret-based tokens from the
 * `kubernetes/serviceaccount` issuer. Offline, so the live lookups upstream adds (the Secret,
 * Pod or Node still exists with the same UID) are reported as warnings, not performed.
 */
import { effectiveApiAudiences } from "./api-audiences.js";
import { audiencesOf, isoTime, peekClaims, verifyJws, ASYMMETRIC_ALGORITHMS, type JsonWebKeySet, type JwtClaims } from "./jwt.js";
import { rejected, type AuthenticationResult, type TokenAuthenticator, type UserInfo } from "./types.js";
import { isRecord } from "../../k8s/types.js";

export const LEGACY_SERVICE_ACCOUNT_ISSUER = "kubernetes/serviceaccount";
/** go-jose's default leeway, which upstream's bound-token validator uses for exp, nbf and iat. */
const LEEWAY_MS = 60_000;

export interface ServiceAccountTokenOptions {
  /** --service-account-issuer values; the first signs, all are accepted. */
  issuers: string[];
  /** --api-audiences; upstream defaults it to every issuer (effectiveApiAudiences). */
  apiAudiences?: string[];
  /** Public keys from --service-account-key-file, each with its kid (see service-account-keys.ts). */
  keys: JsonWebKeySet;
  /** Whether legacy Secret-based tokens are accepted (upstream: yes, with the same keys). */
  acceptLegacy?: boolean;
}

export function serviceAccountUsername(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

export function serviceAccountGroups(namespace: string): string[] {
  return ["system:serviceaccounts", `system:serviceaccounts:${namespace}`];
}

export function serviceAccountAuthenticator(options: ServiceAccountTokenOptions, now: () => Date): TokenAuthenticator {
  const apiAudiences = effectiveApiAudiences(options.apiAudiences, options.issuers);
  return {
    name: "serviceaccount",
    async authenticateToken(token) {
      const peeked = peekClaims(token);
      if (!peeked) return rejected("not a JWT");
      const legacy = peeked.iss === LEGACY_SERVICE_ACCOUNT_ISSUER;
      if (legacy ? options.acceptLegacy === false : !options.issuers.includes(peeked.iss as string)) {
        return rejected(`issuer ${JSON.stringify(peeked.iss ?? null)} is not a service-account issuer here (accepted: ${[...options.issuers, ...(options.acceptLegacy === false ? [] : [LEGACY_SERVICE_ACCOUNT_ISSUER])].join(", ")})`);
      }
      // Upstream's static key getter: a token's kid selects only the keys with that kid.
      const verified = await verifyJws(token, options.keys, ASYMMETRIC_ALGORITHMS);
      if (!verified.ok) return rejected(`serviceaccount: ${verified.reason}`);
      const claims = verified.claims;
      const auds = audiencesOf(claims);
      if (auds === undefined) return rejected("serviceaccount: aud claim is neither a string nor a list of strings");
      // Tokens without an audience (legacy ones) are taken as meant for the API server itself.
      const tokenAudiences = auds.length > 0 ? auds : apiAudiences;
      if (!tokenAudiences.some((a) => apiAudiences.includes(a))) {
        return rejected(`serviceaccount: token audiences ${JSON.stringify(tokenAudiences)} are invalid for the target audiences ${JSON.stringify(apiAudiences)}`);
      }
      return legacy ? legacyUser(claims) : boundUser(claims, now().getTime());
    },
  };
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Upstream's SplitUsername: "system:serviceaccount:<namespace>:<name>" with a namespace that
 * is a DNS label and a name that is a DNS subdomain, or undefined.
 */
function splitServiceAccountUsername(username: string): { namespace: string; name: string } | undefined {
  const prefix = "system:serviceaccount:";
  if (!username.startsWith(prefix)) return undefined;
  const parts = username.slice(prefix.length).split(":");
  if (parts.length !== 2) return undefined;
  const [namespace, name] = parts as [string, string];
  if (namespace.length > 63 || !DNS1123_LABEL.test(namespace) || name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) return undefined;
  return { namespace, name };
}

function legacyUser(claims: JwtClaims): AuthenticationResult {
  // The legacy validator requires sub before anything else, and that it names the same account.
  if (typeof claims.sub !== "string" || claims.sub === "") return rejected("serviceaccount: legacy token has no sub claim");
  const namespace = claims["kubernetes.io/serviceaccount/namespace"];
  const secretName = claims["kubernetes.io/serviceaccount/secret.name"];
  const name = claims["kubernetes.io/serviceaccount/service-account.name"];
  const uid = claims["kubernetes.io/serviceaccount/service-account.uid"];
  for (const [claim, value] of [
    ["namespace", namespace],
    ["secret.name", secretName],
    ["service-account.name", name],
    ["service-account.uid", uid],
  ] as const) {
    if (typeof value !== "string" || value === "") return rejected(`serviceaccount: legacy token has no ${claim} claim`);
  }
  const ns = namespace as string;
  const subject = splitServiceAccountUsername(claims.sub);
  if (!subject || subject.namespace !== ns || subject.name !== name) {
    return rejected(`serviceaccount: legacy token's sub claim does not name the service account ${ns}/${String(name)} of its kubernetes.io claims`);
  }
  const user: UserInfo = { username: serviceAccountUsername(ns, name as string), uid: uid as string, groups: serviceAccountGroups(ns) };
  return {
    authenticated: true,
    user,
    warnings: [
      `legacy Secret-based token (secret ${ns}/${String(secretName)}): it never expires; kube-apiserver also requires the Secret to still exist, which this offline check cannot see`,
    ],
  };
}

function reference(value: unknown): { name: string; uid: string } | undefined | "invalid" {
  if (value === undefined) return undefined;
  if (!isRecord(value) || typeof value.name !== "string" || typeof value.uid !== "string") return "invalid";
  return { name: value.name, uid: value.uid };
}

/**
 * A NumericDate as go-jose's *NumericDate reads it: null is absent, a JSON number is cut to
 * whole seconds, anything else (a string too) fails to decode.
 */
function goJoseDate(claims: Record<string, unknown>, name: string): number | undefined | "invalid" {
  const value = claims[name];
  if (value === undefined || value === null) return undefined;
  return typeof value === "number" && Number.isFinite(value) ? Math.trunc(value) : "invalid";
}

function boundUser(claims: JwtClaims, nowMs: number): AuthenticationResult {
  const exp = goJoseDate(claims, "exp");
  const nbf = goJoseDate(claims, "nbf");
  const iat = goJoseDate(claims, "iat");
  if (exp === "invalid" || nbf === "invalid" || iat === "invalid") return rejected("serviceaccount: exp, nbf and iat must be numbers");
  // go-jose's order and comparisons, against the full clock rather than whole seconds.
  if (nbf !== undefined && nowMs + LEEWAY_MS < nbf * 1000) return rejected(`serviceaccount: token is not valid yet (nbf ${isoTime(nbf)})`);
  if (exp !== undefined && nowMs - LEEWAY_MS > exp * 1000) return rejected(`serviceaccount: token has expired (exp ${isoTime(exp)})`);
  if (iat !== undefined && nowMs + LEEWAY_MS < iat * 1000) return rejected(`serviceaccount: token issued in the future (iat ${isoTime(iat)})`);
  const k8s = claims["kubernetes.io"];
  if (!isRecord(k8s)) return rejected("serviceaccount: token does not carry the kubernetes.io claims");
  const namespace = k8s.namespace;
  const serviceAccount = reference(k8s.serviceaccount);
  if (typeof namespace !== "string" || namespace === "") return rejected("serviceaccount: kubernetes.io.namespace claim missing");
  if (serviceAccount === undefined || serviceAccount === "invalid" || serviceAccount.name === "") return rejected("serviceaccount: kubernetes.io.serviceaccount claim missing or malformed");
  const username = serviceAccountUsername(namespace, serviceAccount.name);
  const extra: Record<string, string[]> = {};
  const warnings: string[] = [];
  // Upstream names the user from the kubernetes.io claims and ignores sub; a mismatch is only odd.
  if (claims.sub !== undefined && claims.sub !== username) warnings.push(`sub ${JSON.stringify(claims.sub)} differs from the kubernetes.io claims (${username}); the latter decide`);
  const liveChecks = [`serviceaccount ${namespace}/${serviceAccount.name} (uid ${serviceAccount.uid})`];
  for (const bound of ["pod", "secret", "node"] as const) {
    const ref = reference(k8s[bound]);
    if (ref === "invalid") return rejected(`serviceaccount: kubernetes.io.${bound} claim is malformed`);
    if (!ref) continue;
    if (bound !== "secret") {
      extra[`authentication.kubernetes.io/${bound}-name`] = [ref.name];
      extra[`authentication.kubernetes.io/${bound}-uid`] = [ref.uid];
    }
    liveChecks.push(`${bound} ${bound === "node" ? ref.name : `${namespace}/${ref.name}`} (uid ${ref.uid})`);
  }
  warnings.push(`not checked offline: kube-apiserver also requires ${liveChecks.join(", ")} to still exist with that uid`);
  if (typeof claims.jti === "string" && claims.jti !== "") extra["authentication.kubernetes.io/credential-id"] = [`JTI=${claims.jti}`];
  const warnAfter = goJoseDate(k8s, "warnafter");
  if (typeof warnAfter === "number" && warnAfter !== 0 && nowMs > warnAfter * 1000) {
    warnings.push(`stale token: past its warnafter time ${isoTime(warnAfter)}; the client should have refreshed it`);
  }
  if (exp === undefined) warnings.push("token has no exp: it never expires");
  const user: UserInfo = { username, uid: serviceAccount.uid, groups: serviceAccountGroups(namespace) };
  if (Object.keys(extra).length > 0) user.extra = extra;
  return { authenticated: true, user, ...(warnings.length ? { warnings } : {}) };
}
