/**
 * Pinned certificates against the name a Go client verifies a server for. crypto/tls verifies
 * the server's certificate for tls.Config.ServerName with crypto/x509's VerifyHostname before it
 * builds any chain, a chain of one included; so a certificate a CA bundle trusts only for itself
 * (anchorRole "pinned") is of use only if its subjectAltNames hold that name. What clients set as
 * the name (kubeconfig: tls-server-name or the server URL's host; kube-apiserver's webhooks and
 * aggregated APIs: the service's DNS name or the URL's host) is the caller's to say.
 */
import type * as Ipaddr from "ipaddr.js";
import { lazyModule } from "../../lazy-module.js";
import type { CertificateFacts } from "../x509.js";
import { namesOf } from "./name-constraints.js";
import { anchorRole } from "./trust-anchors.js";
import { verifyHostname, type HostNames } from "./verify-hostname.js";

const ipaddr = lazyModule<typeof Ipaddr>("ipaddr.js");

export interface PinnedMismatch {
  facts: CertificateFacts;
  names: HostNames;
}

export interface PinnedNameJudgement {
  /** Pinned certificates that can never be the server's: VerifyHostname refuses them for the name. */
  mismatched: PinnedMismatch[];
  /** Whether something else in the bundle may still verify the server: an issuer, or a pinned certificate that names it. */
  anotherWay: boolean;
}

/** The pinned certificates of a bundle that VerifyHostname refuses for `serverName`, and whether anything else there may verify the server. */
export function pinnedNameMismatches(certificates: ReadonlyArray<{ facts: CertificateFacts }>, serverName: string): PinnedNameJudgement {
  const judged = certificates.map(({ facts }) => {
    const role = anchorRole(facts, "servers");
    const sans = namesOf(facts).subjectAltNames;
    const names: HostNames = { dns: sans?.dns ?? [], ips: sans?.ips ?? [] };
    return { facts, role, names, matches: role !== "refused" && verifyHostname(names, serverName) };
  });
  const mismatched = judged.filter((c) => c.role === "pinned" && !c.matches).map(({ facts, names }) => ({ facts, names }));
  const anotherWay = judged.some((c) => c.role === "issuer" || (c.role === "pinned" && c.matches));
  return { mismatched, anotherWay };
}

function listed(names: readonly string[]): string {
  if (names.length === 0) return "none";
  const shown = names.slice(0, 5).join(", ");
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown;
}

function ipText(ip: Uint8Array): string {
  return ipaddr().fromByteArray([...ip]).toString();
}

/** "DNS names: a, b; IP addresses: none": what VerifyHostname compares the name with, at most five of each. */
export function subjectAltNamesText(names: HostNames): string {
  return `DNS names: ${listed(names.dns)}; IP addresses: ${listed(names.ips.map(ipText))}`;
}

/** What differs between the clients whose pinned certificates are judged: each says who verifies which server, and what is lost. */
export interface PinnedMismatchWording {
  /** The bundle the certificate is in: "the caBundle of APIService v1beta1.metrics.k8s.io". */
  bundle: string;
  /** Who verifies the server's certificate: "kube-apiserver", "Go". */
  verifier: string;
  /** The server it is verified as: "webhook server", "API server". */
  server: string;
  /** The name it is verified for, and where that comes from: "its server", "the host of its url". */
  serverName: string;
  nameOrigin: string;
  /** The rest of the bundle, named again: "the rest of the caBundle", "the rest of it". */
  restOfBundle: string;
  /** Nothing else in the bundle, named again: "nothing else in the caBundle", "nothing else there". */
  nothingElse: string;
  /** What fails when nothing else verifies the server: "every call fails: ...". */
  noConnection: string;
}

/** Why a pinned certificate can never be the server's; `anotherWay` as pinnedNameMismatches says. */
export function pinnedMismatchMessage({ facts, names }: PinnedMismatch, anotherWay: boolean, wording: PinnedMismatchWording): string {
  const certificate = `the pinned server certificate ${facts.commonName ?? "without a CommonName"} in ${wording.bundle}`;
  const why = `${wording.verifier} verifies the ${wording.server}'s certificate for ${wording.serverName} (${wording.nameOrigin}) against its subjectAltName only (${subjectAltNamesText(names)}), never its CommonName`;
  const refused = `${certificate} cannot be the ${wording.server}'s certificate: ${why}`;
  return anotherWay ? `${refused}; ${wording.restOfBundle} may verify the server, this certificate never does` : `${refused}, and ${wording.nothingElse} verifies a server, so ${wording.noConnection}`;
}
