/**
 * What kube-apiserver will make of the serving certificate, judged when `palisade serve`
 * starts and whenever the certificate files are reloaded. kube-apiserver is a Go client: it
 * refuses the handshake when the certificate is outside its validity period, does not allow
 * server authentication (extended key usage), or does not name the host it dialled in a
 * subject alternative name (Go ignores the Common Name). For a webhook with clientConfig.service
 * that host is `NAME.NAMESPACE.svc` (k8s.io/apiserver/pkg/util/webhook/client.go sets it as the
 * TLS server name). Each such call then fails, and with failurePolicy Fail so does every write
 * the webhook guards.
 *
 * These are warnings, not refusals: the validity period is judged by kube-apiserver's clock,
 * not ours, and the names by the webhook configuration, which this process cannot see; and a
 * server refusing to start serves nothing, not even the renewed certificate cert-manager may be
 * writing at that moment (a reload picks it up in seconds). Pure: the clock is a parameter.
 */
// @peculiar/x509 resolves its parsers through tsyringe, which needs the Reflect metadata API.
import "reflect-metadata";
import { SubjectAlternativeNameExtension, X509Certificate } from "@peculiar/x509";
import { isIP } from "node:net";
import ipaddr from "ipaddr.js";
import { extKeyUsagesAllow } from "../../hardening/pki/chain-key-usage.js";
import { signingExtensionsOf } from "../../hardening/pki/signing-extensions.js";
import { EXPIRY_WARNING_DAYS } from "../../hardening/x509.js";

const DAY_MS = 86_400_000;

export interface ServingCertificateReport {
  notBefore: Date;
  notAfter: Date;
  /** Why kube-apiserver will (or soon will) refuse the handshake, in words; empty when it will not. */
  warnings: string[];
}

interface SubjectAltNames {
  dns: string[];
  ips: string[];
}

function altNames(cert: X509Certificate): SubjectAltNames {
  const names: SubjectAltNames = { dns: [], ips: [] };
  const extension = cert.getExtension(SubjectAlternativeNameExtension);
  for (const name of extension?.names.items ?? []) {
    if (name.type === "dns") names.dns.push(name.value);
    else if (name.type === "ip") names.ips.push(name.value);
  }
  return names;
}

/** Go's validHostname: letters, digits, '-' (not first) and '_' per label; a pattern may start with a whole '*' label. */
function validHostname(host: string, isPattern: boolean): boolean {
  const name = isPattern ? host : host.replace(/\.$/, "");
  if (name === "") return false;
  return name.split(".").every((label, i) => (isPattern && i === 0 && label === "*") || /^[A-Za-z0-9_][A-Za-z0-9_-]*$/.test(label));
}

/** Go's matchHostnames: same number of labels, a leading '*' label matches any one label, ASCII case folded. */
function matchHostnames(pattern: string, host: string): boolean {
  const patternLabels = pattern.toLowerCase().split(".");
  const hostLabels = host.replace(/\.$/, "").toLowerCase().split(".");
  if (patternLabels.length !== hostLabels.length) return false;
  return patternLabels.every((label, i) => (i === 0 && label === "*") || label === hostLabels[i]);
}

function sameIp(a: string, b: string): boolean {
  try {
    // process() folds an IPv4-mapped IPv6 address to IPv4, as Go's net.IP.Equal does.
    return ipaddr.process(a).toString() === ipaddr.process(b).toString();
  } catch {
    return false;
  }
}

/** Whether Go's Certificate.VerifyHostname accepts `host` for a certificate with these names. */
export function coversHost(names: SubjectAltNames, host: string): boolean {
  const ip = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  // Go's net.ParseIP: dotted decimal or IPv6, no zone.
  if (isIP(ip) !== 0 && !ip.includes("%")) return names.ips.some((san) => sameIp(san, ip));
  const validHost = validHostname(host, false);
  return names.dns.some((san) => {
    if (validHost && validHostname(san, true)) return matchHostnames(san, host);
    return san !== "" && san !== "." && san.toLowerCase() === host.toLowerCase();
  });
}

/** Go's test of a chain certificate's extended key usage (chain-key-usage.ts), asked for serverAuth as kube-apiserver's webhook client asks it. */
function allowsServerAuth(cert: X509Certificate): boolean {
  const read = signingExtensionsOf({ certificate: { raw: Buffer.from(cert.rawData) } });
  // One Go cannot parse fails the handshake whatever its usages: not this warning's to say.
  return "refusal" in read || extKeyUsagesAllow(read, "serverAuth");
}

/**
 * How long before its end a certificate is "expiring": 30 days, or a third of its lifetime when
 * that is shorter (cert-manager renews a certificate when a third of it is left, so a short-lived
 * one still this close to its end was not renewed).
 */
function warningWindowMs(notBefore: Date, notAfter: Date): number {
  return Math.min(EXPIRY_WARNING_DAYS * DAY_MS, (notAfter.getTime() - notBefore.getTime()) / 3);
}

function timeLeft(ms: number): string {
  const hours = Math.floor(ms / 3_600_000);
  if (hours >= 48) return `${Math.floor(hours / 24)} days`;
  return hours >= 1 ? `${hours} hour${hours === 1 ? "" : "s"}` : "less than an hour";
}

/**
 * Judges the first certificate of PEM text (the serving certificate, before its chain) as
 * kube-apiserver will at `now`, for the host names it dials (`serverNames`, may be empty).
 * Throws when the PEM cannot be parsed: call it on text readTlsFiles already accepted.
 */
export function judgeServingCertificate(certPem: string, now: Date, serverNames: readonly string[]): ServingCertificateReport {
  const cert = new X509Certificate(certPem);
  const { notBefore, notAfter } = cert;
  const warnings: string[] = [];
  const refused = "kube-apiserver refuses the TLS handshake, and with failurePolicy Fail every request the webhook guards";
  if (now < notBefore) warnings.push(`the serving certificate is not valid before ${notBefore.toISOString()} (now ${now.toISOString()}): until then ${refused}; check this host's clock and the issuer's`);
  else if (now > notAfter) warnings.push(`the serving certificate expired at ${notAfter.toISOString()}: ${refused}; renew it (cert-manager: check the Certificate's status)`);
  else if (notAfter.getTime() - now.getTime() <= warningWindowMs(notBefore, notAfter)) {
    warnings.push(`the serving certificate expires at ${notAfter.toISOString()}, in ${timeLeft(notAfter.getTime() - now.getTime())}, and has not been renewed: after that ${refused}`);
  }
  if (!allowsServerAuth(cert)) warnings.push(`the serving certificate's extended key usage does not include serverAuth: ${refused}; reissue it for server authentication`);
  const names = altNames(cert);
  if (names.dns.length === 0 && names.ips.length === 0) {
    warnings.push(`the serving certificate has no DNS or IP subject alternative names, and kube-apiserver (Go) ignores the Common Name: ${refused}; reissue it with the Service's DNS names (NAME.NAMESPACE.svc)`);
  } else {
    const uncovered = serverNames.filter((host) => !coversHost(names, host));
    if (uncovered.length > 0) {
      const has = [...names.dns, ...names.ips].join(", ");
      warnings.push(`the serving certificate does not cover ${uncovered.join(", ")} (it names ${has}): kube-apiserver dials that name, and ${refused}; reissue it with that DNS name`);
    }
  }
  return { notBefore, notAfter, warnings };
}
