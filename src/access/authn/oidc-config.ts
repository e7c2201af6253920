/**
 * OIDC authenticator configuration, from kube-apiserver's `--oidc-*` flags or from the `jwt`
 * section of an AuthenticationConfiguration (apiserver.config.k8s.io/v1beta1 or v1). Both
 * become one JwtAuthenticatorConfig, the way upstream turns the flags into structured config.
 * CEL expressions and other features Palisade does not evaluate are refused by name rather
 * than silently ignored: an authenticator that skips a rule would accept tokens upstream rejects.
 */
import { UserError } from "../../errors.js";
import { formatFieldPath, isRecord, type FieldPath } from "../../k8s/types.js";
import type { SourcePosition } from "../../findings/types.js";
import { ASYMMETRIC_ALGORITHMS } from "./jwt.js";
import { authenticationConfigRefusals, type AuthenticationConfigRefusal } from "./authentication-config-validation.js";

export interface ClaimValidationRule {
  claim: string;
  requiredValue: string;
}

export interface JwtAuthenticatorConfig {
  issuerUrl: string;
  audiences: string[];
  /** "MatchAny" (the only policy upstream has); one audience may leave it unset. */
  audienceMatchPolicy: "MatchAny";
  username: { claim: string; prefix: string };
  groups?: { claim: string; prefix: string };
  uid?: { claim: string };
  claimValidationRules: ClaimValidationRule[];
  signingAlgorithms: string[];
}

export interface OidcFlags {
  issuerUrl?: string;
  clientId?: string;
  usernameClaim?: string;
  usernamePrefix?: string;
  groupsClaim?: string;
  groupsPrefix?: string;
  /** `key=value` pairs, as --oidc-required-claim repeats. */
  requiredClaims?: string[];
  signingAlgs?: string[];
}

function flagError(message: string, hint?: string): UserError {
  return new UserError(message, hint ? { hint } : {});
}

function validateIssuerUrl(url: string, where: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw flagError(`${where}: ${JSON.stringify(url)} is not a URL`, "use the issuer's https:// URL exactly as it appears in the tokens' iss claim");
  }
  if (parsed.protocol !== "https:") throw flagError(`${where}: ${JSON.stringify(url)} must use the https scheme`, "kube-apiserver only accepts https issuers");
  if (parsed.username || parsed.password) throw flagError(`${where}: must not contain a username or password`);
  if (parsed.search || parsed.hash) throw flagError(`${where}: must not contain a query or fragment`);
}

/** The flags as kube-apiserver validates and converts them. */
export function configFromFlags(flags: OidcFlags): JwtAuthenticatorConfig {
  const issuerUrl = flags.issuerUrl ?? "";
  if (issuerUrl === "") throw flagError("--oidc-issuer-url is required", "pass the issuer URL that appears in the tokens' iss claim");
  validateIssuerUrl(issuerUrl, "--oidc-issuer-url");
  if (!flags.clientId) throw flagError("--oidc-client-id must be set when --oidc-issuer-url is", "it is the audience the tokens are issued for");
  const usernameClaim = flags.usernameClaim || "sub";
  // Upstream: unless a prefix is given, every claim but email is prefixed with "<issuer>#"; "-" means none.
  let usernamePrefix = flags.usernamePrefix ?? "";
  if (usernamePrefix === "" && usernameClaim !== "email") usernamePrefix = `${issuerUrl}#`;
  if (usernamePrefix === "-") usernamePrefix = "";
  const algorithms = flags.signingAlgs && flags.signingAlgs.length > 0 ? flags.signingAlgs : ["RS256"];
  for (const alg of algorithms) {
    if (!(ASYMMETRIC_ALGORITHMS as readonly string[]).includes(alg)) {
      throw flagError(`--oidc-signing-algs: unsupported signing algorithm ${JSON.stringify(alg)}`, `supported: ${ASYMMETRIC_ALGORITHMS.join(", ")}`);
    }
  }
  // component-base's MapStringString: each flag may hold comma-separated pairs, keys and values
  // are trimmed, and a repeated key keeps its last value (it is a map).
  const required = new Map<string, string>();
  for (const flag of flags.requiredClaims ?? []) {
    for (const pair of flag.split(",")) {
      if (pair === "") continue;
      const eq = pair.indexOf("=");
      if (eq < 0 || pair.slice(0, eq).trim() === "") throw flagError(`--oidc-required-claim: ${JSON.stringify(pair)} is not key=value`);
      required.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }
  const claimValidationRules: ClaimValidationRule[] = [...required].map(([claim, requiredValue]) => ({ claim, requiredValue }));
  const config: JwtAuthenticatorConfig = {
    issuerUrl,
    audiences: [flags.clientId],
    audienceMatchPolicy: "MatchAny",
    username: { claim: usernameClaim, prefix: usernamePrefix },
    claimValidationRules,
    signingAlgorithms: algorithms,
  };
  if (flags.groupsClaim) config.groups = { claim: flags.groupsClaim, prefix: flags.groupsPrefix ?? "" };
  return config;
}

const SUPPORTED_API_VERSIONS = ["apiserver.config.k8s.io/v1alpha1", "apiserver.config.k8s.io/v1beta1", "apiserver.config.k8s.io/v1"];

/**
 * The `jwt` authenticators of an AuthenticationConfiguration document. `where` names the
 * file for messages; `locate` turns a field path into its file position (the caller has the YAML).
 * A file kube-apiserver refuses (authentication-config-validation.ts) is refused first, with its
 * first reason; then what Palisade cannot evaluate (CEL) is refused by name.
 */
export function configsFromAuthenticationConfiguration(doc: unknown, where: string, locate?: (path: FieldPath) => SourcePosition): JwtAuthenticatorConfig[] {
  if (!isRecord(doc)) throw new UserError(`${where}: expected an AuthenticationConfiguration object`);
  if (doc.kind !== "AuthenticationConfiguration" || typeof doc.apiVersion !== "string" || !SUPPORTED_API_VERSIONS.includes(doc.apiVersion)) {
    throw new UserError(`${where}: expected kind AuthenticationConfiguration with apiVersion ${SUPPORTED_API_VERSIONS.join(" or ")}`, {
      hint: `found ${String(doc.apiVersion)} ${String(doc.kind)}`,
    });
  }
  // Messages name the field as upstream does (jwt[0].issuer.url); the position, when known, says where it is.
  const fieldError = (path: FieldPath, detail: string, hint: string) => {
    const message = `${formatFieldPath(path)}: ${detail}`;
    return locate ? new UserError(message, { position: locate(path), hint }) : new UserError(`${where}: ${message}`, { hint });
  };
  const [refusal] = authenticationConfigRefusals(doc);
  if (refusal) throw fieldError(refusal.path, refusal.detail, REFUSAL_HINTS[refusal.kind]);
  const jwt = Array.isArray(doc.jwt) ? doc.jwt : [];
  return jwt.map((entry, i) => {
    try {
      return jwtEntry(entry as Record<string, unknown>, i);
    } catch (err) {
      throw err instanceof FieldRefusal ? fieldError(err.path, err.message, err.hint) : err;
    }
  });
}

const REFUSAL_HINTS: Record<AuthenticationConfigRefusal["kind"], string> = {
  "wrong-type": "kube-apiserver cannot decode the file and does not start",
  "unknown-field": "kube-apiserver decodes the file strictly (strict decoding error: unknown field) and does not start: remove the field or correct its spelling",
  https: "kube-apiserver accepts only https issuer and discovery URLs, and does not start",
  "prefix-required": 'kube-apiserver requires a prefix beside a mapped claim (prefix: "" for none), and does not start',
  invalid: "kube-apiserver's validation (ValidateAuthenticationConfiguration) refuses the file, and it does not start",
};

const CEL_HINT = "CEL expressions and the features listed here are refused so that no rule is silently skipped; use claim/prefix mappings and claim/requiredValue rules";

/** A field of a file kube-apiserver would load that Palisade still cannot use; the caller adds the file and position. */
class FieldRefusal extends Error {
  constructor(
    readonly path: FieldPath,
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

/** CEL, which kube-apiserver evaluates and Palisade cannot: refused so that no rule is silently skipped. */
const unsupported = (path: FieldPath, feature: string) => new FieldRefusal(path, `${feature} is not supported by Palisade`, CEL_HINT);

/** One authenticator of a file that already passed kube-apiserver's decoding and validation, so its shape is known. */
function jwtEntry(authenticator: Record<string, unknown>, i: number): JwtAuthenticatorConfig {
  const issuer = authenticator.issuer as Record<string, unknown>;
  const issuerUrl = issuer.url as string;
  // Go's url.Parse accepts more than WHATWG's URL; tokens' iss is matched against the URL as Palisade reads it.
  if (!URL.canParse(issuerUrl)) throw new FieldRefusal(["jwt", i, "issuer", "url"], `${JSON.stringify(issuerUrl)} is not a URL`, "use the issuer's https:// URL exactly as it appears in the tokens' iss claim");
  const mappings = (authenticator.claimMappings ?? {}) as Record<string, unknown>;
  const at = (...rest: Array<string | number>): FieldPath => ["jwt", i, ...rest];
  // Validation guarantees a username claim or expression; an expression is refused here.
  const username = mapping(mappings.username, at("claimMappings", "username"))!;
  const groups = mapping(mappings.groups, at("claimMappings", "groups"));
  const uid = mapping(mappings.uid, at("claimMappings", "uid"));
  if (Array.isArray(mappings.extra) && mappings.extra.length > 0) throw unsupported(at("claimMappings", "extra"), "extra (CEL valueExpression)");
  const userRules = authenticator.userValidationRules;
  if (Array.isArray(userRules) && userRules.length > 0) throw unsupported(at("userValidationRules"), "userValidationRules (CEL)");
  const rules: ClaimValidationRule[] = [];
  const ruleList = (Array.isArray(authenticator.claimValidationRules) ? authenticator.claimValidationRules : []) as Array<Record<string, unknown> | null>;
  for (const [j, rule] of ruleList.entries()) {
    if (typeof rule?.expression === "string" && rule.expression !== "") throw unsupported(at("claimValidationRules", j, "expression"), "a CEL claim validation expression");
    rules.push({ claim: String(rule?.claim ?? ""), requiredValue: typeof rule?.requiredValue === "string" ? rule.requiredValue : "" });
  }
  const config: JwtAuthenticatorConfig = {
    issuerUrl,
    audiences: (issuer.audiences as Array<string | null>).map((a) => a ?? ""),
    audienceMatchPolicy: "MatchAny",
    username: { claim: username.claim, prefix: username.prefix ?? "" },
    claimValidationRules: rules,
    // Structured config does not restrict algorithms; the JWKS's asymmetric keys decide.
    signingAlgorithms: [...ASYMMETRIC_ALGORITHMS],
  };
  if (groups) config.groups = { claim: groups.claim, prefix: groups.prefix ?? "" };
  if (uid) config.uid = { claim: uid.claim };
  return config;
}

/** A claim mapping as validated (claim XOR expression, prefix beside a claim); an expression is CEL. */
function mapping(value: unknown, at: FieldPath): { claim: string; prefix?: string } | undefined {
  if (!isRecord(value)) return undefined;
  if (typeof value.expression === "string" && value.expression !== "") throw unsupported([...at, "expression"], "a CEL claim mapping expression");
  if (typeof value.claim !== "string" || value.claim === "") return undefined;
  return typeof value.prefix === "string" ? { claim: value.claim, prefix: value.prefix } : { claim: value.claim };
}

/**
 * An OpenID discovery document read from disk: its issuer must equal the configured issuer
 * exactly, as go-oidc insists ("issuer did not match the issuer returned by provider").
 */
export function checkDiscoveryDocument(doc: unknown, issuerUrl: string, where: string): void {
  if (!isRecord(doc) || typeof doc.issuer !== "string") throw new UserError(`${where}: expected an OpenID discovery document with an issuer field`);
  if (doc.issuer !== issuerUrl) {
    throw new UserError(`${where}: discovery document's issuer ${JSON.stringify(doc.issuer)} does not match ${JSON.stringify(issuerUrl)}`, {
      hint: "kube-apiserver refuses a provider whose discovery issuer differs from --oidc-issuer-url / issuer.url",
    });
  }
}
