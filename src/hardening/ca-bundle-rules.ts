/**
 * The caBundle kube-apiserver verifies a webhook or aggregated API server with (callouts.ts),
 * judged as kubectl's certificate-authority-data is: client-go loads it with Go's
 * CertPool.AppendCertsFromPEM (transport.rootCertPool), and crypto/tls verifies the server's
 * certificate against that pool, for the callout's server name, with Verify's default usage,
 * serverAuth. A caBundle that is not base64 at all is manifest/invalid-base64's to report; these
 * rules start from one that decodes. No message holds certificate bytes.
 */
import type { Pillar, Rule, Severity } from "../findings/types.js";
import type { FieldPath } from "../k8s/types.js";
import { appendCertsFromPem } from "./pki/cert-pool.js";
import type { TrustBundle } from "./pki/client-ca.js";
import { goRefusal } from "./pki/client-chain.js";
import { pinnedMismatchMessage, pinnedNameMismatches } from "./pki/pinned-names.js";
import { trustAnchorFindings } from "./pki/trust-anchors.js";
import { certificateFromDer } from "./x509.js";
import type { TlsCallout } from "./callouts.js";

export interface CalloutVerdict {
  path: FieldPath;
  message: string;
  severity?: Severity;
}

export interface CalloutRule extends Rule {
  check(callout: TlsCallout): CalloutVerdict[];
}

/** Each callout's caBundle as read: all three rules judge the same reading, and a hostile bundle of a megabyte takes long to read. */
const readings = new WeakMap<TlsCallout, CaBundleReading | undefined>();

type CaBundleReading = ReturnType<typeof parseCaBundle>;

/** The caBundle of a callout, read once. */
function readCaBundle(callout: TlsCallout): CaBundleReading | undefined {
  if (!readings.has(callout)) readings.set(callout, callout.caBundle ? parseCaBundle(callout.caBundle, callout.described) : undefined);
  return readings.get(callout);
}

/** The caBundle as client-go's pool reads it: the certificates it takes and the blocks it skips, each with its line in the decoded data. */
function parseCaBundle(caBundle: Buffer, described: string) {
  const reading = appendCertsFromPem(caBundle.toString("latin1"), (der, line) => {
    const facts = certificateFromDer(der);
    if (!facts) throw new Error("not X.509");
    return { facts, line };
  });
  // Go's parser refuses some certificates Node reads: the pool skips them as well.
  const loadable = reading.certificates.filter((c) => goRefusal(c.facts) === undefined);
  const bundle: TrustBundle = { file: "caBundle", described: `the caBundle of ${described}`, entries: reading.certificates, decoded: true };
  return { reading, loadable, bundle };
}

/** Blocks named one by one in a finding: a garbled caBundle can hold tens of thousands, and one message must stay readable. */
const MAX_BLOCKS_SHOWN = 5;

/** Why the pool took nothing, block by block, in words (never the blocks' bytes). */
function nothingLoaded(read: CaBundleReading): string {
  const { reading } = read;
  if (reading.blocks === 0) return "its decoded bytes hold no PEM block: base64 of PEM text is expected, not of DER or of anything else";
  const skipped = reading.skipped.map((s) => ({ line: s.line, why: s.message }));
  const refused = reading.certificates.map((c) => ({ line: c.line, why: `certificate ${c.facts.commonName ?? "without a CommonName"}: Go cannot parse it (${goRefusal(c.facts) ?? "refused"})` }));
  const blocks = [...skipped, ...refused].sort((a, b) => a.line - b.line);
  const shown = blocks.slice(0, MAX_BLOCKS_SHOWN).map((b) => `line ${b.line} of the decoded data: ${b.why}`);
  const rest = blocks.length - shown.length;
  return rest > 0 ? `${shown.join("; ")}; and ${rest} more block${rest === 1 ? "" : "s"} Go skips` : shown.join("; ");
}

function rule(id: string, title: string, severity: Severity, pillar: Pillar, description: string, remediation: string, check: CalloutRule["check"]): CalloutRule {
  return { id: `webhook/${id}`, title, family: "hardening", pillar, severity, docs: { description, remediation, helpUri: "https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#contacting-the-webhook" }, check };
}

const COVERS =
  "admission webhooks (clientConfig.caBundle), CustomResourceDefinition conversion webhooks (spec.conversion.webhook.clientConfig.caBundle) and APIServices (spec.caBundle); not of an object a CA injector fills (annotated cert-manager.io/inject-ca-from, inject-ca-from-secret or inject-apiserver-ca, or service.beta.openshift.io/inject-cabundle: \"true\"), whose committed caBundle is a placeholder the injector overwrites";
const COST =
  "For an admission webhook with failurePolicy: Ignore every call is skipped and the requests go through, so the policy is silently off (high for a validating webhook; medium for a mutating one, which adds to requests rather than stops them, as webhook/fail-open weighs it); with Fail (the v1 default) every request it matches is refused (medium). A conversion webhook's custom resources, or an APIService's group and version, stop being served (medium); an APIService still shows Available, as its probe does not verify certificates.";

export const CA_BUNDLE_RULES: readonly CalloutRule[] = [
  rule(
    "ca-bundle-missing",
    "A server reached through a service with no caBundle",
    "medium",
    "platform",
    `kube-apiserver dials a service-referenced admission or conversion webhook, or an APIService with spec.service, as <name>.<namespace>.svc and verifies its certificate with client-go against the caBundle; with no caBundle at all (absent, null or "") client-go builds no pool (transport rootCertPool) and Go's crypto/tls verifies against the system roots of kube-apiserver's host. No public CA issues certificates for a .svc name, so unless the host's trust store holds the private CA that signed the server's certificate (or the admission configuration's kubeconfig gives one for that name, which a manifest cannot show), every TLS handshake fails. APIService validation does not refuse a service with neither caBundle nor insecureSkipTLSVerify, so this is accepted and then fails at every call. Reported for ${COVERS}; a webhook reached by url is not reported, since the system roots may rightly verify a public host. Read from a live cluster, a caBundle still empty under an injector's annotation means the injector has not done its work, and is reported. ${COST} In a manifest it is reported at low: a job or controller may patch the caBundle in after it is applied without any annotation (ingress-nginx's kube-webhook-certgen, Gatekeeper's and Istio's controllers do).`,
    "Set caBundle to the base64 of the PEM CA that signed the server's certificate (issued for <service>.<namespace>.svc), or let a CA injector fill it (cert-manager.io/inject-ca-from); if something patches it in after apply, check it did: kubectl get the object and look at its caBundle.",
    (callout) => {
      const missing = callout.missingCaBundle;
      const target = callout.target;
      // A url's host may hold a certificate from a public CA the system roots rightly trust.
      if (!missing || target?.via !== "service") return [];
      const injector = missing.injectorAnnotation ? ` although it is annotated ${missing.injectorAnnotation}: the CA injector has not filled it` : "";
      const verdict = `${callout.described} has no caBundle${injector}, so kube-apiserver verifies the ${callout.server}'s certificate for ${target.name} against its host's system roots (client-go: no CA data), and no public CA issues for a .svc name: unless those roots hold the CA that signed it, every TLS handshake fails: ${callout.outage.noHandshake}`;
      if (missing.live) return [{ path: missing.path, severity: callout.outage.severity, message: verdict }];
      return [{ path: missing.path, severity: "low", message: `${verdict}; low in a manifest, since a job or controller may patch the caBundle in after it is applied` }];
    },
  ),
  rule(
    "ca-bundle-unusable",
    "A caBundle that holds no certificate Go can load",
    "high",
    "platform",
    `kube-apiserver loads the caBundle of ${COVERS} with Go's CertPool.AppendCertsFromPEM: a caBundle that decodes to bytes with no PEM CERTIFICATE block Go parses (base64 of DER, a key, a certificate with PEM headers or one Go's parser refuses) loads nothing, so client-go refuses to build the client at all ("unable to load root certificates") and every call fails. ${COST}`,
    "Put the base64 of the PEM CA certificate that signed the server's certificate in caBundle (base64 -w0 < ca.crt), or let cert-manager's CA injector (cert-manager.io/inject-ca-from) fill it.",
    (callout) => {
      const read = readCaBundle(callout);
      if (!read || read.loadable.length > 0) return [];
      const message = `the caBundle of ${callout.described} holds no certificate Go can load (${nothingLoaded(read)}), so kube-apiserver cannot build a client for the ${callout.server} (client-go: unable to load root certificates): ${callout.outage.noClient}`;
      return [{ path: callout.caBundlePath, severity: callout.outage.severity, message }];
    },
  ),
  rule(
    "ca-cannot-sign",
    "A caBundle certificate Go never accepts for the server",
    "medium",
    "platform",
    `kube-apiserver verifies the server's certificate for ${COVERS} with Go's crypto/x509, asking serverAuth. A certificate there that Go never accepts as an issuer (not a CA by basicConstraints, a keyUsage without keyCertSign, an RSA key under 1024 bits, a critical extension Go does not handle, an extended key usage without serverAuth, or one Go cannot parse, which the pool skips) makes every server certificate that chains only to it refused; when nothing there is usable, every TLS handshake fails. ${COST} Judged as kubeconfig/ca-cannot-sign judges certificate-authority-data: a certificate that may not sign is still trusted for itself, as a pinned server certificate, reported at info.`,
    "Put the CA that signed the server's certificate in caBundle; reissue a CA that lacks basicConstraints CA:TRUE, keyCertSign or serverAuth in its extended key usage, or has an RSA key under 2048 bits.",
    (callout) => {
      const read = readCaBundle(callout);
      // Nothing loads: ca-bundle-unusable says so.
      if (!read || read.loadable.length === 0) return [];
      const audience = { server: callout.server, refusers: "kube-apiserver refuses" };
      return trustAnchorFindings([read.bundle], [], "servers", audience).map((f) =>
        // The whole bundle is dead: every handshake fails, which costs what the callout says.
        f.kind === "File" ? { path: callout.caBundlePath, severity: callout.outage.severity, message: `${f.message}: ${callout.outage.noHandshake}` } : { path: callout.caBundlePath, message: f.message, ...(f.severity ? { severity: f.severity } : {}) },
      );
    },
  ),
  rule(
    "server-name-mismatch",
    "A pinned caBundle certificate that does not name the server",
    "high",
    "platform",
    `A certificate in the caBundle of ${COVERS} that may not sign anything (not a CA) is trusted only when the server presents exactly that certificate, and Go still verifies the server's name against it first (crypto/x509 VerifyHostname): for a service, the name kube-apiserver dials, <name>.<namespace>.svc; for a url, its host (an IP address is matched only against IP subjectAltNames). The CommonName is never consulted. A pinned certificate that cannot match is of no use: when nothing else in the caBundle verifies a server every call fails (high for a validating webhook with failurePolicy: Ignore, medium otherwise); otherwise it is dead weight (low). ${COST}`,
    "Reissue the server's certificate with <service>.<namespace>.svc (or the url's host) in its subjectAltName, or put the CA that signs it in caBundle instead of the server's own certificate.",
    (callout) => {
      const read = readCaBundle(callout);
      const target = callout.target;
      if (!read || read.loadable.length === 0 || !target) return [];
      const { mismatched, anotherWay } = pinnedNameMismatches(read.loadable, target.name);
      const wording = {
        bundle: `the caBundle of ${callout.described}`,
        verifier: "kube-apiserver",
        server: callout.server,
        serverName: target.name,
        nameOrigin: target.origin,
        restOfBundle: "the rest of the caBundle",
        nothingElse: "nothing else in the caBundle",
        noConnection: `every call fails: ${callout.outage.noHandshake}`,
      };
      return mismatched.map((mismatch) => ({ path: target.path, severity: anotherWay ? ("low" as const) : callout.outage.severity, message: pinnedMismatchMessage(mismatch, anotherWay, wording) }));
    },
  ),
];
