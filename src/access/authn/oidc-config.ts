/**
 * OIDC authenticator configuration, from kube-apiserver's `--oidc-*` flags or from the `jwt`
 * section of an AuthenticationConfiguration (apiserver.config.k8s.io/v1beta1 or v1). Both
 * become one JwtAuthenticatorConfig, the way upstream turns the flags into structured config.
 * CEL expressions and other features Palisade does not evaluate are refused by name rather
 * than silently ignored: an authenticator that skips a rule would accept tokens upstream rejects.
 */
import { UserError } from "../../errors.js";
import { isRecord, type FieldPath } from "../../k8s/types.js";
import type { SourcePosition } from "../../findings/types.js";
import { ASYMMETRIC_ALGORITHMS } from "./jwt.js";

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
 * file for messages; positions of individual fields are the caller's (it has the YAML).
 */
export function configsFromAuthenticationConfiguration(doc: unknown, where: string, locate?: (path: FieldPath) => SourcePosition): JwtAuthenticatorConfig[] {
  try {
    return readAuthenticationConfiguration(doc, where);
  } catch (err) {
    if (!(err instanceof UserError) || !locate || !err.message.startsWith(`${where}: `)) throw err;
    // Messages name the field as jwt[0].issuer.url; turn that back into a path for a file position.
    const rest = err.message.slice(where.length + 2);
    const fieldText = /^([A-Za-z][\w.[\]]*): /.exec(rest)?.[1];
    if (!fieldText) throw err;
    const path: Array<string | number> = [];
    for (const m of fieldText.matchAll(/([A-Za-z_]\w*)|\[(\d+)\]/g)) path.push(m[1] !== undefined ? m[1] : Number(m[2]));
    throw new UserError(rest, { position: locate(path), ...(err.hint ? { hint: err.hint } : {}) });
  }
}

function readAuthenticationConfiguration(doc: unknown, where: string): JwtAuthenticatorConfig[] {
  if (!isRecord(doc)) throw new UserError(`${where}: expected an AuthenticationConfiguration object`);
  if (doc.kind !== "AuthenticationConfiguration" || typeof doc.apiVersion !== "string" || !SUPPORTED_API_VERSIONS.includes(doc.apiVersion)) {
    throw new UserError(`${where}: expected kind AuthenticationConfiguration with apiVersion ${SUPPORTED_API_VERSIONS.join(" or ")}`, {
      hint: `found ${String(doc.apiVersion)} ${String(doc.kind)}`,
    });
  }
  const jwt = doc.jwt ?? [];
  if (!Array.isArray(jwt)) throw new UserError(`${where}: jwt must be a list`);
  const configs = jwt.map((entry, i) => jwtEntry(entry, `${where}: jwt[${i}]`));
  const seen = new Set<string>();
  for (const [i, c] of configs.entries()) {
    if (seen.has(c.issuerUrl)) throw new UserError(`${where}: jwt[${i}].issuer.url: duplicate issuer ${JSON.stringify(c.issuerUrl)}`);
    seen.add(c.issuerUrl);
  }
  return configs;
}

function refuse(path: string, feature: string): UserError {
  return new UserError(`${path}: ${feature} is not supported by Palisade`, {
    hint: "CEL expressions and the features listed here are refused so that no rule is silently skipped; use claim/prefix mappings and claim/requiredValue rules",
  });
}

function requireString(value: unknown, path: string): string {
  if (typeof value !== "string" || value === "") throw new UserError(`${path}: expected a non-empty string`);
  return value;
}

function jwtEntry(entry: unknown, path: string): JwtAuthenticatorConfig {
  if (!isRecord(entry)) throw new UserError(`${path}: expected an object`);
  const issuer = entry.issuer;
  if (!isRecord(issuer)) throw new UserError(`${path}.issuer: required`);
  const issuerUrl = requireString(issuer.url, `${path}.issuer.url`);
  validateIssuerUrl(issuerUrl, `${path}.issuer.url`);
  if (issuer.discoveryURL !== undefined) validateIssuerUrl(requireString(issuer.discoveryURL, `${path}.issuer.discoveryURL`), `${path}.issuer.discoveryURL`);
  const audiences = issuer.audiences;
  if (!Array.isArray(audiences) || audiences.length === 0) throw new UserError(`${path}.issuer.audiences: at least one audience is required`);
  const auds = audiences.map((a, i) => requireString(a, `${path}.issuer.audiences[${i}]`));
  if (new Set(auds).size !== auds.length) throw new UserError(`${path}.issuer.audiences: duplicate audience`);
  const policy = issuer.audienceMatchPolicy;
  if (auds.length > 1 && policy !== "MatchAny") throw new UserError(`${path}.issuer.audienceMatchPolicy: must be MatchAny when there are several audiences`);
  if (policy !== undefined && policy !== "" && policy !== "MatchAny") throw new UserError(`${path}.issuer.audienceMatchPolicy: ${JSON.stringify(policy)} is not MatchAny`);

  const mappings = entry.claimMappings;
  if (!isRecord(mappings)) throw new UserError(`${path}.claimMappings: required`);
  const username = mapping(mappings.username, `${path}.claimMappings.username`, true);
  if (!username) throw new UserError(`${path}.claimMappings.username: required`);
  const groups = mapping(mappings.groups, `${path}.claimMappings.groups`, true);
  const uid = mapping(mappings.uid, `${path}.claimMappings.uid`, false);
  if (mappings.extra !== undefined) throw refuse(`${path}.claimMappings.extra`, "extra (CEL valueExpression)");
  if (entry.userValidationRules !== undefined) throw refuse(`${path}.userValidationRules`, "userValidationRules (CEL)");

  const rules: ClaimValidationRule[] = [];
  const ruleList = entry.claimValidationRules ?? [];
  if (!Array.isArray(ruleList)) throw new UserError(`${path}.claimValidationRules: expected a list`);
  for (const [i, rule] of ruleList.entries()) {
    const rulePath = `${path}.claimValidationRules[${i}]`;
    if (!isRecord(rule)) throw new UserError(`${rulePath}: expected an object`);
    if (rule.expression !== undefined) throw refuse(`${rulePath}.expression`, "a CEL claim validation expression");
    const claim = requireString(rule.claim, `${rulePath}.claim`);
    const requiredValue = rule.requiredValue;
    if (requiredValue !== undefined && typeof requiredValue !== "string") throw new UserError(`${rulePath}.requiredValue: expected a string`);
    rules.push({ claim, requiredValue: requiredValue ?? "" });
  }
  const config: JwtAuthenticatorConfig = {
    issuerUrl,
    audiences: auds,
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

function mapping(value: unknown, path: string, takesPrefix: boolean): { claim: string; prefix?: string } | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value)) throw new UserError(`${path}: expected an object`);
  if (value.expression !== undefined) throw refuse(`${path}.expression`, "a CEL claim mapping expression");
  const claim = requireString(value.claim, `${path}.claim`);
  if (!takesPrefix) return { claim };
  // Upstream requires the prefix to be stated (it may be "") whenever a claim is mapped.
  if (value.prefix === undefined) throw new UserError(`${path}.prefix: required when claim is set`, { hint: 'set prefix: "" for no prefix' });
  if (typeof value.prefix !== "string") throw new UserError(`${path}.prefix: expected a string`);
  return { claim, prefix: value.prefix };
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
