/**
 * What makes kube-apiserver refuse an AuthenticationConfiguration at start-up, so that it does not
 * run: the strict decoding (authentication-config-decoding.ts), then the structural rules of
 * ValidateAuthenticationConfiguration (k8s.io/apiserver pkg/apis/apiserver/validation). Both
 * `palisade authn verify-token --authn-config` and the scan's hardening findings read the file
 * through this one module, so they refuse the same files for the same reasons.
 *
 * Left out: CEL compilation (Palisade has no CEL compiler) and the rules that need it (the
 * email_verified requirement of an expression using claims.email); feature gates (the file is
 * judged as for a kube-apiserver that has them on); the overlap with --service-account-issuer,
 * which depends on the flags and is the caller's.
 */
import type * as Crypto from "node:crypto";
import { isRecord, type FieldPath } from "../../k8s/types.js";
import { lazyModule } from "../../lazy-module.js";
import { readGoUrl } from "../../hardening/kubeconfig/proxy-url.js";
import { appendCertsFromPem } from "../../hardening/pki/cert-pool.js";
import { firstTypeError, unknownFields } from "./authentication-config-decoding.js";

// Only a file with a certificateAuthority needs it; a scan imports this module whatever it reads.
const crypto = lazyModule<typeof Crypto>("node:crypto");

export interface AuthenticationConfigRefusal {
  /** The field, as upstream's field path names it (jwt[0].issuer.discoveryURL). */
  path: FieldPath;
  /**
   * What is wrong, in upstream's words where it has them. Never the field's value: an issuer URL
   * may carry credentials, and a certificateAuthority is reported as upstream does, "<omitted>".
   */
  detail: string;
  /** wrong-type and unknown-field stop the decoding; the others are validation errors. */
  kind: "wrong-type" | "unknown-field" | "https" | "prefix-required" | "invalid";
  /** For kind https: the scheme found ("" when there is none). */
  scheme?: string;
}

// ValidateAuthenticationConfiguration's bound on the number of jwt authenticators.
const MAX_JWT_AUTHENTICATORS = 64;
const EGRESS_SELECTOR_TYPES = ["controlplane", "cluster"];

/** Every reason kube-apiserver refuses the document, in the order it finds them; [] when it loads. */
export function authenticationConfigRefusals(doc: Record<string, unknown>): AuthenticationConfigRefusal[] {
  const typeError = firstTypeError(doc);
  if (typeError) return [{ path: typeError.path, kind: "wrong-type", detail: `must be ${typeError.expected === "object" ? "an object" : `a ${typeError.expected}`}` }];
  const unknown = unknownFields(doc);
  if (unknown.length > 0) return unknown.map((path) => ({ path, kind: "unknown-field", detail: "unknown field" }));
  return validate(doc);
}

const text = (value: unknown): string => (typeof value === "string" ? value : "");
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const record = (value: unknown): Record<string, unknown> => (isRecord(value) ? value : {});

function validate(doc: Record<string, unknown>): AuthenticationConfigRefusal[] {
  const refusals: AuthenticationConfigRefusal[] = [];
  const invalid = (path: FieldPath, detail: string) => refusals.push({ path, detail, kind: "invalid" });
  const jwt = list(doc.jwt);
  if (jwt.length > MAX_JWT_AUTHENTICATORS) {
    invalid(["jwt"], `must have at most ${MAX_JWT_AUTHENTICATORS} items`);
    return refusals;
  }
  const seenIssuers = new Set<string>();
  const seenDiscoveryURLs = new Set<string>();
  jwt.forEach((entry, i) => {
    const authenticator = record(entry);
    const issuer = record(authenticator.issuer);
    refusals.push(...issuerRefusals(issuer, ["jwt", i, "issuer"]));
    refusals.push(...claimValidationRuleRefusals(list(authenticator.claimValidationRules), ["jwt", i, "claimValidationRules"]));
    refusals.push(...claimMappingRefusals(record(authenticator.claimMappings), ["jwt", i, "claimMappings"]));
    refusals.push(...userValidationRuleRefusals(list(authenticator.userValidationRules), ["jwt", i, "userValidationRules"]));
    // Each issuer URL (and discovery URL) names one authenticator: a token's iss picks it.
    const url = text(issuer.url);
    if (seenIssuers.has(url)) invalid(["jwt", i, "issuer", "url"], "duplicate issuer URL");
    seenIssuers.add(url);
    const discoveryURL = text(issuer.discoveryURL);
    if (discoveryURL !== "") {
      if (seenDiscoveryURLs.has(discoveryURL)) invalid(["jwt", i, "issuer", "discoveryURL"], "duplicate discoveryURL");
      seenDiscoveryURLs.add(discoveryURL);
    }
  });
  const anonymous = doc.anonymous;
  if (isRecord(anonymous) && anonymous.enabled !== true && list(anonymous.conditions).length > 0) {
    invalid(["anonymous", "conditions"], "enabled should be set to true when conditions are defined");
  }
  return refusals;
}

function issuerRefusals(issuer: Record<string, unknown>, at: FieldPath): AuthenticationConfigRefusal[] {
  const refusals: AuthenticationConfigRefusal[] = [];
  const url = text(issuer.url);
  if (url === "") refusals.push({ path: [...at, "url"], kind: "invalid", detail: "required" });
  else refusals.push(...urlRefusals(url, [...at, "url"]));
  const discoveryURL = text(issuer.discoveryURL);
  if (discoveryURL !== "") {
    // The discovery document's issuer must equal url, so fetching it from url itself needs no override.
    if (url !== "" && url.replace(/\/+$/, "") === discoveryURL.replace(/\/+$/, "")) {
      refusals.push({ path: [...at, "discoveryURL"], kind: "invalid", detail: "discoveryURL must be different from URL" });
    }
    refusals.push(...urlRefusals(discoveryURL, [...at, "discoveryURL"]));
  }
  refusals.push(...audienceRefusals(issuer, at));
  const ca = text(issuer.certificateAuthority);
  if (ca !== "") {
    const problem = certificateAuthorityProblem(ca);
    if (problem) refusals.push({ path: [...at, "certificateAuthority"], kind: "invalid", detail: problem });
  }
  const egress = text(issuer.egressSelectorType);
  if (egress !== "" && !EGRESS_SELECTOR_TYPES.includes(egress)) {
    refusals.push({ path: [...at, "egressSelectorType"], kind: "invalid", detail: "egress selector must be either controlplane or cluster" });
  }
  return refusals;
}

/** validateURL over Go's url.Parse reading (the one net/url reader, proxy-url.ts); the value is never shown. */
function urlRefusals(url: string, at: FieldPath): AuthenticationConfigRefusal[] {
  const reading = readGoUrl(url);
  if ("refused" in reading) return [{ path: at, kind: "invalid", detail: `Go's net/url cannot parse it: it finds ${reading.refused}` }];
  const refusals: AuthenticationConfigRefusal[] = [];
  if (reading.scheme !== "https") refusals.push({ path: at, kind: "https", scheme: reading.scheme, detail: "URL scheme must be https" });
  // u.User is set by any "@" in the authority, an empty user info too.
  if (reading.hasUser) refusals.push({ path: at, kind: "invalid", detail: "URL must not contain a username or password" });
  if (reading.rawQuery !== "") refusals.push({ path: at, kind: "invalid", detail: "URL must not contain a query" });
  if (reading.fragment !== "") refusals.push({ path: at, kind: "invalid", detail: "URL must not contain a fragment" });
  return refusals;
}

function audienceRefusals(issuer: Record<string, unknown>, at: FieldPath): AuthenticationConfigRefusal[] {
  const audiences = list(issuer.audiences).map(text);
  if (audiences.length === 0) return [{ path: [...at, "audiences"], kind: "invalid", detail: "at least one audience is required" }];
  const refusals: AuthenticationConfigRefusal[] = [];
  const seen = new Set<string>();
  audiences.forEach((audience, j) => {
    if (audience === "") refusals.push({ path: [...at, "audiences", j], kind: "invalid", detail: "required" });
    if (seen.has(audience)) refusals.push({ path: [...at, "audiences", j], kind: "invalid", detail: "duplicate audience" });
    seen.add(audience);
  });
  const policy = text(issuer.audienceMatchPolicy);
  if (audiences.length > 1 && policy !== "MatchAny") {
    refusals.push({ path: [...at, "audienceMatchPolicy"], kind: "invalid", detail: "audienceMatchPolicy must be MatchAny for multiple audiences" });
  }
  if (audiences.length === 1 && policy !== "" && policy !== "MatchAny") {
    refusals.push({ path: [...at, "audienceMatchPolicy"], kind: "invalid", detail: "audienceMatchPolicy must be empty or MatchAny for single audience" });
  }
  return refusals;
}

/**
 * client-go's cert.NewPoolFromBytes (ParseCertsPEM): CERTIFICATE blocks without headers are read,
 * others skipped; one that is not X.509 stops the reading; none at all is an error.
 */
function certificateAuthorityProblem(pem: string): string | undefined {
  const reading = appendCertsFromPem(pem, (der) => new (crypto().X509Certificate)(der));
  const unparsable = reading.skipped.find((s) => s.reason === "not-x509");
  if (unparsable) return `PEM block ${unparsable.index} is a CERTIFICATE that does not parse as X.509`;
  if (reading.certificates.length === 0) return "data does not contain any valid RSA or ECDSA certificates";
  return undefined;
}

function claimValidationRuleRefusals(rules: unknown[], at: FieldPath): AuthenticationConfigRefusal[] {
  const refusals: AuthenticationConfigRefusal[] = [];
  const invalid = (path: FieldPath, detail: string) => refusals.push({ path, detail, kind: "invalid" });
  const seenClaims = new Set<string>();
  const seenExpressions = new Set<string>();
  rules.forEach((entry, j) => {
    const rule = record(entry);
    const here = [...at, j];
    const claim = text(rule.claim);
    const expression = text(rule.expression);
    if (claim !== "" && expression !== "") invalid(here, "claim and expression can't both be set");
    else if (claim === "" && expression === "") invalid(here, "claim or expression is required");
    else if (claim !== "") {
      if (text(rule.message) !== "") invalid([...here, "message"], "may not be specified when claim is set");
      if (seenClaims.has(claim)) invalid([...here, "claim"], "duplicate claim");
      seenClaims.add(claim);
    } else {
      if (text(rule.requiredValue) !== "") invalid([...here, "requiredValue"], "may not be specified when expression is set");
      if (seenExpressions.has(expression)) invalid([...here, "expression"], "duplicate expression");
      seenExpressions.add(expression);
    }
  });
  return refusals;
}

function claimMappingRefusals(mappings: Record<string, unknown>, at: FieldPath): AuthenticationConfigRefusal[] {
  const refusals = [...prefixedClaimRefusals(record(mappings.username), [...at, "username"], true), ...prefixedClaimRefusals(record(mappings.groups), [...at, "groups"], false)];
  const uid = record(mappings.uid);
  if (text(uid.claim) !== "" && text(uid.expression) !== "") refusals.push({ path: [...at, "uid"], kind: "invalid", detail: "claim and expression can't both be set" });
  const seenKeys = new Set<string>();
  list(mappings.extra).forEach((entry, k) => {
    const extra = record(entry);
    const keyAt = [...at, "extra", k, "key"];
    const key = text(extra.key);
    for (const detail of extraKeyProblems(key)) refusals.push({ path: keyAt, kind: "invalid", detail });
    if (seenKeys.has(key)) {
      refusals.push({ path: keyAt, kind: "invalid", detail: "duplicate key" });
      return;
    }
    seenKeys.add(key);
    if (text(extra.valueExpression) === "") refusals.push({ path: [...at, "extra", k, "valueExpression"], kind: "invalid", detail: "required" });
  });
  return refusals;
}

/** validatePrefixClaimOrExpression: claim or expression (username needs one), a prefix beside a claim and never beside an expression. */
function prefixedClaimRefusals(mapping: Record<string, unknown>, at: FieldPath, required: boolean): AuthenticationConfigRefusal[] {
  const claim = text(mapping.claim);
  const expression = text(mapping.expression);
  const prefixSet = typeof mapping.prefix === "string";
  if (claim !== "" && expression !== "") return [{ path: at, kind: "invalid", detail: "claim and expression can't both be set" }];
  if (claim === "" && expression === "") return required ? [{ path: at, kind: "invalid", detail: "claim or expression is required" }] : [];
  if (expression !== "") return prefixSet ? [{ path: [...at, "prefix"], kind: "invalid", detail: "may not be specified when expression is set" }] : [];
  return prefixSet ? [] : [{ path: [...at, "prefix"], kind: "prefix-required", detail: 'required when claim is set (prefix: "" for none)' }];
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// RFC 3986 path characters, as IsDomainPrefixedPath allows them after the domain.
const HTTP_PATH = /^[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/;

/** IsDomainPrefixedPath, then lowercase, then not a Kubernetes domain: extra keys are namespaced to their owner. */
function extraKeyProblems(key: string): string[] {
  if (key === "") return ["required"];
  const slash = key.indexOf("/");
  const domain = slash < 0 ? "" : key.slice(0, slash);
  const path = slash < 0 ? "" : key.slice(slash + 1);
  const problems: string[] = [];
  if (domain === "" || path === "") problems.push('must be a domain-prefixed path (such as "acme.io/foo")');
  else {
    if (domain.length > 253) problems.push("the domain must be no more than 253 characters");
    if (!DNS1123_SUBDOMAIN.test(domain)) problems.push("the domain must be a lowercase RFC 1123 subdomain: lower case alphanumeric characters, '-' or '.', starting and ending with an alphanumeric character");
    if (!HTTP_PATH.test(path)) problems.push("the part after the domain must be a valid HTTP path");
  }
  if (key !== key.toLowerCase()) problems.push("must be lowercase");
  if (/^(.+\.)?(kubernetes\.io|k8s\.io)$/.test(domain)) problems.push("k8s.io, kubernetes.io and their subdomains are reserved for Kubernetes use");
  return problems;
}

function userValidationRuleRefusals(rules: unknown[], at: FieldPath): AuthenticationConfigRefusal[] {
  const refusals: AuthenticationConfigRefusal[] = [];
  const seen = new Set<string>();
  rules.forEach((entry, j) => {
    const expression = text(record(entry).expression);
    if (expression === "") refusals.push({ path: [...at, j, "expression"], kind: "invalid", detail: "required" });
    else if (seen.has(expression)) refusals.push({ path: [...at, j, "expression"], kind: "invalid", detail: "duplicate expression" });
    seen.add(expression);
  });
  return refusals;
}
