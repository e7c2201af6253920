/**
 * ingress/nginx-snippet: the annotations ingress-nginx rates Critical in its annotation risk
 * table (the `Risk: parser.AnnotationRiskCritical` entries of
 * internal/ingress/annotations/{snippet,serversnippet,streamsnippet,authreq,modsecurity}/main.go,
 * listed in docs/user-guide/nginx-configuration/annotations-risk.md). Each is copied into
 * nginx.conf unvalidated (`parser.ValidateNull`).
 *
 * The annotation's value never reaches the message: a snippet often holds a password or a
 * token (proxy_set_header Authorization ...). Only its length is said.
 */
import type { Finding, Rule } from "../../findings/types.js";
import { findingAt } from "../../findings/finding-at.js";
import { isRecord, type LoadedObject } from "../../k8s/types.js";
import type { ControllerVerdict } from "../../k8s/ingress-class.js";
import { INGRESS_RULE } from "./rules.js";

/** ingress-nginx's default --annotations-prefix. */
export const NGINX_PREFIX = "nginx.ingress.kubernetes.io/";

/** The Critical annotations, with where ingress-nginx puts their text. */
const CRITICAL: ReadonlyMap<string, string> = new Map([
  ["configuration-snippet", "each location block of the Ingress"],
  ["server-snippet", "the server block of each of its hosts"],
  ["auth-snippet", "the external-authentication location"],
  ["stream-snippet", "the stream block, shared by every TCP and UDP service of the controller"],
  ["modsecurity-snippet", "the ModSecurity rules of its locations"],
]);

const RULE = INGRESS_RULE.get("ingress/nginx-snippet") as Rule;

export function snippetFindings(loaded: LoadedObject, label: string, controller: ControllerVerdict): Finding[] {
  if (!controller.nginx) return [];
  const annotations = loaded.object.metadata?.annotations;
  // Annotations that are not a map are manifest/wrong-type's; nothing here can be read from them.
  if (!isRecord(annotations)) return [];
  const findings: Finding[] = [];
  for (const [key, value] of Object.entries(annotations)) {
    if (!key.startsWith(NGINX_PREFIX)) continue;
    const where = CRITICAL.get(key.slice(NGINX_PREFIX.length));
    if (where === undefined) continue;
    const size = typeof value === "string" ? `${value.length} characters of raw NGINX configuration` : "raw NGINX configuration";
    const assumed = controller.assumed ? ` (the class was assumed: ${controller.assumed})` : "";
    findings.push(
      findingAt(
        RULE,
        loaded,
        ["metadata", "annotations", key],
        `${label} annotation ${key} injects ${size} into ${where}${assumed}: whoever may create Ingresses here can configure the shared proxy and read every Secret the controller can (CVE-2021-25742). ingress-nginx ignores it since v1.9 unless allow-snippet-annotations is true, and refuses it since v1.12 unless annotations-risk-level is Critical; replace it with a validated annotation or the controller's ConfigMap`,
      ),
    );
  }
  return findings;
}
