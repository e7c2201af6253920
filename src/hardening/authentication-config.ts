/**
 * An AuthenticationConfiguration (apiserver.config.k8s.io, --authentication-config) judged on its
 * own, once, whether or not the kube-apiserver manifest that names it is scanned: what depends on
 * the manifest's flags (--anonymous-auth) is judged beside the manifest, in apiserver-config-files.ts.
 */
import type { Finding } from "../findings/types.js";
import { formatFieldPath, isRecord, valueAt, type LoadedObject } from "../k8s/types.js";
import { authenticationConfigRefusals, type AuthenticationConfigRefusal } from "../access/authn/authentication-config-validation.js";
import { apiserverRule, CONFIG_FILE_REFUSED, findingAt } from "./config-file-finding.js";

export const isApiserverConfig = (kind: string) => (loaded: LoadedObject) => loaded.object.kind === kind && typeof loaded.object.apiVersion === "string" && loaded.object.apiVersion.startsWith("apiserver.config.k8s.io/");

/** The file's own findings: anonymous requests to every path, and whatever makes kube-apiserver refuse the file. */
export function authenticationConfigFindings(config: LoadedObject): Finding[] {
  return [...anonymousFindings(config), ...refusalFindings(config)];
}

function anonymousFindings(config: LoadedObject): Finding[] {
  const anonymous = config.object.anonymous;
  // No section: --anonymous-auth and its default decide, which only the manifest tells.
  if (!isRecord(anonymous) || anonymous.enabled !== true) return [];
  // Conditions limit anonymous requests to the paths they name (/livez, /readyz, /healthz): the recommended setup.
  if (Array.isArray(anonymous.conditions) && anonymous.conditions.length > 0) return [];
  return [findingAt(apiserverRule("apiserver/anonymous-auth"), config, ["anonymous", "enabled"], "anonymous.enabled: true with no conditions: unauthenticated requests to every path are served as system:anonymous")];
}

/**
 * What makes kube-apiserver refuse the file at start-up: its strict decoding and the structural
 * rules of ValidateAuthenticationConfiguration, read by the module verify-token uses too. A URL
 * is never echoed (it may carry credentials), nor a certificateAuthority.
 */
function refusalFindings(config: LoadedObject): Finding[] {
  return authenticationConfigRefusals(config.object).map((refusal) => {
    // A missing prefix has no place of its own: the finding points at the mapping that lacks it.
    const path = refusal.kind === "prefix-required" ? refusal.path.slice(0, -1) : refusal.path;
    return findingAt(CONFIG_FILE_REFUSED, config, path, `${formatFieldPath(path)}${refusalText(refusal, config)}`);
  });
}

function refusalText(refusal: AuthenticationConfigRefusal, config: LoadedObject): string {
  switch (refusal.kind) {
    case "wrong-type":
      return ` ${typeText(refusal)}: kube-apiserver cannot read the file`;
    case "unknown-field":
      return " is not a field of AuthenticationConfiguration: kube-apiserver decodes the file strictly and refuses it";
    case "https":
      return ` ${refusal.scheme ? `uses the ${refusal.scheme} scheme` : "has no scheme"}: kube-apiserver accepts only https issuers and refuses the file`;
    case "prefix-required": {
      // Unlike --oidc-username-claim, the file gives the email claim no exception: the prefix must be written, "" for none.
      const claim = valueAt(config.object, refusal.path.slice(0, -1).concat("claim"));
      return ` maps the claim ${JSON.stringify(claim)} without a prefix: kube-apiserver requires one (prefix: "" for none) and refuses the file`;
    }
    case "invalid":
      return `: ${refusal.detail}: kube-apiserver refuses the file`;
  }
}

/** The two shapes a hand-written jwt section most often gets wrong, in the words used since before this module. */
function typeText(refusal: AuthenticationConfigRefusal): string {
  const path = refusal.path;
  if (path.length === 1 && path[0] === "jwt") return "is not a list of authenticators";
  if (path.length === 2 && path[0] === "jwt") return "is not an authenticator object";
  return `is not ${refusal.detail.replace(/^must be /, "")}`;
}

