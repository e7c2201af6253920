/**
 * An AuthenticationConfiguration (apiserver.config.k8s.io, --authentication-config) judged on its
 * own, once, whether or not the kube-apiserver manifest that names it is scanned: what depends on
 * the manifest's flags (--anonymous-auth) is judged beside the manifest, in apiserver-config-files.ts.
 */
import type { Finding } from "../findings/types.js";
import { isRecord, type LoadedObject } from "../k8s/types.js";
import { apiserverRule, CONFIG_FILE_REFUSED, findingAt } from "./config-file-finding.js";

export const isApiserverConfig = (kind: string) => (loaded: LoadedObject) => loaded.object.kind === kind && typeof loaded.object.apiVersion === "string" && loaded.object.apiVersion.startsWith("apiserver.config.k8s.io/");

/** The file's own findings: anonymous requests to every path, and the JWT fields kube-apiserver rejects. */
export function authenticationConfigFindings(config: LoadedObject): Finding[] {
  return [...anonymousFindings(config), ...jwtFindings(config)];
}

function anonymousFindings(config: LoadedObject): Finding[] {
  const anonymous = config.object.anonymous;
  // No section: --anonymous-auth and its default decide, which only the manifest tells.
  if (!isRecord(anonymous) || anonymous.enabled !== true) return [];
  // Conditions limit anonymous requests to the paths they name (/livez, /readyz, /healthz): the recommended setup.
  if (Array.isArray(anonymous.conditions) && anonymous.conditions.length > 0) return [];
  return [findingAt(apiserverRule("apiserver/anonymous-auth"), config, ["anonymous", "enabled"], "anonymous.enabled: true with no conditions: unauthenticated requests to every path are served as system:anonymous")];
}

/** validateIssuerURL (https only) and validatePrefixClaimOrExpression (a mapped claim needs an explicit prefix). */
function jwtFindings(config: LoadedObject): Finding[] {
  const jwt = config.object.jwt;
  if (jwt === undefined || jwt === null) return [];
  if (!Array.isArray(jwt)) return [findingAt(CONFIG_FILE_REFUSED, config, ["jwt"], "jwt is not a list of authenticators: kube-apiserver cannot read the file")];
  const findings: Finding[] = [];
  jwt.forEach((authenticator, i) => {
    if (!isRecord(authenticator)) {
      findings.push(findingAt(CONFIG_FILE_REFUSED, config, ["jwt", i], `jwt[${i}] is not an authenticator object: kube-apiserver cannot read the file`));
      return;
    }
    const issuer = isRecord(authenticator.issuer) ? authenticator.issuer : {};
    // The scheme alone is named: the URL itself may carry credentials.
    const scheme = typeof issuer.url === "string" ? /^([a-z][a-z0-9+.-]*):/i.exec(issuer.url)?.[1]?.toLowerCase() : undefined;
    if (typeof issuer.url === "string" && issuer.url !== "" && scheme !== "https") {
      findings.push(findingAt(CONFIG_FILE_REFUSED, config, ["jwt", i, "issuer", "url"], `jwt[${i}].issuer.url ${scheme ? `uses the ${scheme} scheme` : "has no scheme"}: kube-apiserver accepts only https issuers and refuses the file`));
    }
    const mappings = isRecord(authenticator.claimMappings) ? authenticator.claimMappings : {};
    for (const which of ["username", "groups"] as const) {
      const mapping = mappings[which];
      if (!isRecord(mapping) || typeof mapping.claim !== "string" || mapping.claim === "") continue;
      // Unlike --oidc-username-claim, the file gives the email claim no exception: the prefix must be written, "" for none.
      if (mapping.prefix === undefined || mapping.prefix === null) {
        findings.push(findingAt(CONFIG_FILE_REFUSED, config, ["jwt", i, "claimMappings", which], `jwt[${i}].claimMappings.${which} maps the claim ${JSON.stringify(mapping.claim)} without a prefix: kube-apiserver requires one (prefix: "" for none) and refuses the file`));
      }
    }
  });
  return findings;
}
