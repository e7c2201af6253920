/**
 * ingress/plain-http: the hosts of an Ingress that are answered on plain HTTP.
 *
 * A rule host is served with TLS when a spec.tls entry covers it. ingress-nginx looks a host
 * up in spec.tls by name, case aside, and failing that asks each entry's certificate
 * (extractTLSSecretName in internal/ingress/controller/controller.go, which calls Go's
 * x509 VerifyHostname): a wildcard name there covers exactly one label. Palisade reads no
 * certificate, so a tls host stands for a certificate naming it.
 *
 * ingress-nginx then redirects HTTP to HTTPS for a host with TLS (ssl-redirect, true by
 * default in its ConfigMap) and, with force-ssl-redirect, for one without; both are
 * location annotations read with strconv.ParseBool, a value it cannot parse leaving the
 * ConfigMap's default (internal/ingress/annotations/rewrite/main.go).
 *
 * For ingress-nginx, TLS belongs to the host, not to the Ingress: createServers (controller.go)
 * merges every Ingress it serves into one server per host, whose certificate comes from the
 * first of them with a spec.tls, and its Lua redirects a request when a certificate is held
 * for the request's host or the wildcard one label above it (configured_for_current_request
 * in rootfs/etc/nginx/lua/certificate.lua). Each location keeps the annotations of the Ingress
 * that defines it (locationApplyAnnotations), so ssl-redirect stays per Ingress. Canary
 * Ingresses are left out of the servers, so their spec.tls gives no host a certificate.
 * Other controllers are judged per Ingress: Palisade has read no upstream basis for more.
 */
import type { Finding, Rule } from "../../findings/types.js";
import { findingAt } from "../../findings/finding-at.js";
import { isRecord, type FieldPath, type LoadedObject } from "../../k8s/types.js";
import type { ControllerVerdict } from "../../k8s/ingress-class.js";
import { INGRESS_RULE } from "./rules.js";
import { NGINX_PREFIX } from "./snippets.js";

const RULE = INGRESS_RULE.get("ingress/plain-http") as Rule;
const SSL_REDIRECT = `${NGINX_PREFIX}ssl-redirect`;
const FORCE_SSL_REDIRECT = `${NGINX_PREFIX}force-ssl-redirect`;
const CANARY = `${NGINX_PREFIX}canary`;

/** Go's strconv.ParseBool; undefined where it returns an error. */
export function parseGoBool(value: unknown): boolean | undefined {
  if (typeof value !== "string") return undefined;
  if (["1", "t", "T", "TRUE", "true", "True"].includes(value)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(value)) return false;
  return undefined;
}

/** What the spec.tls entries cover: the hosts they name, or everything when one names none. */
interface TlsCoverage {
  everything: boolean;
  hosts: string[];
}

function tlsCoverage(tls: unknown): TlsCoverage {
  const coverage: TlsCoverage = { everything: false, hosts: [] };
  if (!Array.isArray(tls)) return coverage;
  for (const entry of tls) {
    if (!isRecord(entry)) continue;
    // IngressTLS.hosts "defaults to the wildcard host setting" of the controller: an entry without hosts is taken as covering all.
    if (entry.hosts === undefined || entry.hosts === null || (Array.isArray(entry.hosts) && entry.hosts.length === 0)) coverage.everything = true;
    else if (Array.isArray(entry.hosts)) for (const host of entry.hosts) if (typeof host === "string") coverage.hosts.push(host.toLowerCase());
  }
  return coverage;
}

/** Whether a tls host names this rule host: the same name, or a wildcard one label above it. */
export function tlsHostCovers(tlsHost: string, host: string): boolean {
  const tls = tlsHost.toLowerCase();
  const name = host.toLowerCase();
  if (tls === name) return true;
  if (!tls.startsWith("*.")) return false;
  const suffix = tls.slice(1);
  const label = name.slice(0, name.length - suffix.length);
  return name.endsWith(suffix) && label !== "" && !label.includes(".") && !label.includes("*");
}

interface ServedHost {
  host: string;
  path: FieldPath;
}

/** Each host the Ingress serves, once, at the first field that serves it; "" is the catch-all. */
function servedHosts(spec: Record<string, unknown>): ServedHost[] {
  const served = new Map<string, FieldPath>();
  if (Array.isArray(spec.rules)) {
    spec.rules.forEach((rule, r) => {
      if (!isRecord(rule)) return;
      const host = rule.host === undefined || rule.host === null ? "" : rule.host;
      // A host of another type is manifest/string-expected's; it serves nothing that can be named.
      if (typeof host !== "string") return;
      const key = host.toLowerCase();
      if (!served.has(key)) served.set(key, host === "" ? ["spec", "rules", r] : ["spec", "rules", r, "host"]);
    });
  }
  if (isRecord(spec.defaultBackend) && !served.has("")) served.set("", ["spec", "defaultBackend"]);
  return [...served].map(([host, path]) => ({ host, path }));
}

const annotationsOf = (loaded: LoadedObject): Record<string, unknown> => (isRecord(loaded.object.metadata?.annotations) ? loaded.object.metadata.annotations : {});

/** Host (lower case) -> the label of the Ingress whose spec.tls gives ingress-nginx a certificate for it. */
export type NginxCertifiedHosts = ReadonlyMap<string, string>;

/** The hosts the given ingress-nginx Ingresses (of one snapshot) give a certificate: a host one of them serves and covers in its own spec.tls. */
export function nginxCertifiedHosts(ingresses: Iterable<{ loaded: LoadedObject; label: string }>): NginxCertifiedHosts {
  const certified = new Map<string, string>();
  for (const { loaded, label } of ingresses) {
    const spec = loaded.object.spec;
    // The canary annotation is read with strconv.ParseBool (internal/ingress/annotations/canary).
    if (!isRecord(spec) || parseGoBool(annotationsOf(loaded)[CANARY]) === true) continue;
    const coverage = tlsCoverage(spec.tls);
    for (const { host } of servedHosts(spec)) {
      // The catch-all server keeps ingress-nginx's default certificate, which names no host a request carries.
      if (host === "" || certified.has(host)) continue;
      if (coverage.everything || coverage.hosts.some((tlsHost) => tlsHostCovers(tlsHost, host))) certified.set(host, label);
    }
  }
  return certified;
}

/** The Ingress whose certificate ingress-nginx uses for this host: one for the host itself, else for the wildcard one label above it. */
function certifiedBy(certified: NginxCertifiedHosts, host: string): string | undefined {
  const dot = host.indexOf(".");
  return certified.get(host) ?? (dot > 0 ? certified.get(`*${host.slice(dot)}`) : undefined);
}

/**
 * The plain-HTTP findings of one Ingress. For an ingress-nginx Ingress, `certified` holds the
 * hosts that the ingress-nginx Ingresses of the same input give a certificate (nginxCertifiedHosts).
 */
export function plainHttpFindings(loaded: LoadedObject, label: string, controller: ControllerVerdict, certified: NginxCertifiedHosts = new Map()): Finding[] {
  const spec = loaded.object.spec;
  if (!isRecord(spec)) return [];
  const coverage = tlsCoverage(spec.tls);
  const annotations = annotationsOf(loaded);
  const sslRedirect = controller.nginx ? (parseGoBool(annotations[SSL_REDIRECT]) ?? true) : true;
  const forceRedirect = controller.nginx && parseGoBool(annotations[FORCE_SSL_REDIRECT]) === true;
  const assumed = controller.assumed ? ` (the class was assumed: ${controller.assumed})` : "";
  const findings: Finding[] = [];
  // With force-ssl-redirect, ingress-nginx answers every HTTP request of the Ingress with a redirect.
  if (forceRedirect) return findings;
  const unredirected: string[] = [];
  for (const { host, path } of servedHosts(spec)) {
    const name = host === "" ? "the catch-all (requests for any host no rule names)" : `host ${JSON.stringify(host)}`;
    const covered = coverage.everything || (host !== "" && coverage.hosts.some((tlsHost) => tlsHostCovers(tlsHost, host)));
    const elsewhere = !covered && controller.nginx && host !== "" ? certifiedBy(certified, host) : undefined;
    if (covered || elsewhere !== undefined) {
      if (!sslRedirect) unredirected.push(elsewhere === undefined ? name : `${name} (its certificate from ${elsewhere}'s spec.tls)`);
      continue;
    }
    const fix = host === "" ? "give the rule a host listed in spec.tls, or remove the catch-all" : `list ${JSON.stringify(host)} (or a wildcard one label above it) in a spec.tls entry with a certificate for it`;
    findings.push(findingAt(RULE, loaded, path, `${label} serves ${name} without TLS: no spec.tls entry covers it, so credentials and cookies cross the network in clear text; ${fix}`));
  }
  if (unredirected.length > 0) {
    findings.push(
      findingAt(
        RULE,
        loaded,
        ["metadata", "annotations", SSL_REDIRECT],
        `${label} has TLS for ${unredirected.join(", ")}, but ${SSL_REDIRECT} is false, so ingress-nginx serves their HTTP requests in clear text instead of redirecting them to HTTPS${assumed}; remove the annotation`,
      ),
    );
  }
  return findings;
}
