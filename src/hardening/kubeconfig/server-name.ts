/**
 * kubeconfig/server-name-mismatch: a certificate the cluster's CA field pins (one Go trusts only
 * for itself, trust-anchors.ts) is accepted only if it also names the server. crypto/tls verifies
 * the server's certificate for tls.Config.ServerName (Verify with DNSName, which checks the name
 * before any chain, a chain of one included); client-go sets it to the cluster's tls-server-name,
 * and when that is empty net/http takes the server URL's host (Transport's tlsHost: the host of
 * URL.Hostname, IDNA-encoded, an IPv6 address in brackets, which VerifyHostname strips).
 */
import type { CertificateFacts } from "../x509.js";
import { pinnedMismatchMessage, pinnedNameMismatches } from "../pki/pinned-names.js";
import type { FieldPath } from "../../k8s/types.js";
import type { Severity } from "../../findings/types.js";
import type { KubeconfigCluster } from "./read.js";
import { reachedOverTls, tlsHostOf } from "../url-text.js";

/** The name client-go verifies the cluster's server certificate for, and the field it comes from. */
export function serverNameOf(cluster: KubeconfigCluster): { name: string; path: FieldPath; field: string } | undefined {
  // Over plain HTTP (a server without https://) tls-server-name is never used either.
  if (!reachedOverTls(cluster.server)) return undefined;
  if (typeof cluster.tlsServerName === "string" && cluster.tlsServerName !== "") return { name: cluster.tlsServerName, path: [...cluster.path, "tls-server-name"], field: "tls-server-name" };
  if (typeof cluster.server !== "string") return undefined;
  const host = tlsHostOf(cluster.server);
  return host === undefined ? undefined : { name: host, path: [...cluster.path, "server"], field: "server" };
}

export interface NameMismatch {
  path: FieldPath;
  message: string;
  severity?: Severity;
}

/** The pinned certificates of a cluster's CA bundle that cannot be the server's, for the name it is verified for. */
export function serverNameMismatches(cluster: KubeconfigCluster, described: string, certificates: ReadonlyArray<{ facts: CertificateFacts }>): NameMismatch[] {
  // With TLS verification off there is nothing to match (and client-go refuses a CA beside it).
  if (cluster.insecureSkipTlsVerify === true) return [];
  const target = serverNameOf(cluster);
  if (!target) return [];
  // An issuer may sign a certificate for the name; a pinned certificate that names it may be the one presented.
  const { mismatched, anotherWay } = pinnedNameMismatches(certificates, target.name);
  const wording = {
    bundle: described,
    verifier: "Go",
    server: "API server",
    serverName: target.name,
    nameOrigin: `its ${target.field}`,
    restOfBundle: "the rest of it",
    nothingElse: "nothing else there",
    noConnection: `kubectl and client-go cannot connect to cluster ${cluster.name}`,
  };
  return mismatched.map((mismatch) => {
    const message = pinnedMismatchMessage(mismatch, anotherWay, wording);
    return anotherWay ? { path: target.path, severity: "low" as const, message } : { path: target.path, message };
  });
}
