/**
 * kubeconfig/server-name-mismatch: a certificate the cluster's CA field pins (one Go trusts only
 * for itself, trust-anchors.ts) is accepted only if it also names the server. crypto/tls verifies
 * the server's certificate for tls.Config.ServerName (Verify with DNSName, which checks the name
 * before any chain, a chain of one included); client-go sets it to the cluster's tls-server-name,
 * and when that is empty net/http takes the server URL's host (Transport's tlsHost: the host of
 * URL.Hostname, IDNA-encoded, an IPv6 address in brackets, which VerifyHostname strips).
 */
import type { CertificateFacts } from "../x509.js";
import { pinnedNameMismatches, subjectAltNamesText } from "../pki/pinned-names.js";
import type { FieldPath } from "../../k8s/types.js";
import type { Severity } from "../../findings/types.js";
import type { KubeconfigCluster } from "./read.js";
import { reachedOverTls } from "./client-go-refusals.js";

/**
 * The host of a server URL as net/http dials it over TLS, or undefined when it is not reached
 * over TLS or its host is one this reading does not follow Go on (non-ASCII, percent-encoded).
 * Only an https:// server is reached over TLS: clientcmd asks rest.IsConfigTransportTLS before
 * it merges any TLS setting, so a server without a scheme is taken as http:// whatever CA the
 * cluster names (client-go-refusals.ts, reachedOverTls).
 */
export function tlsHostOf(server: string): string | undefined {
  if (!reachedOverTls(server)) return undefined;
  const rest = server.slice("https://".length);
  const authority = rest.split(/[/?#]/, 1)[0] as string;
  const hostPort = authority.slice(authority.lastIndexOf("@") + 1);
  if (hostPort === "" || /[%\s]|[^\x21-\x7e]/.test(hostPort)) return undefined;
  if (hostPort.startsWith("[")) {
    const close = hostPort.indexOf("]");
    if (close < 0 || !/^(:\d*)?$/.test(hostPort.slice(close + 1))) return undefined;
    const host = hostPort.slice(1, close);
    return host === "" ? undefined : host;
  }
  const colon = hostPort.lastIndexOf(":");
  if (colon >= 0 && !/^:\d*$/.test(hostPort.slice(colon))) return undefined;
  const host = colon >= 0 ? hostPort.slice(0, colon) : hostPort;
  return host === "" ? undefined : host;
}

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
  return mismatched.map(({ facts, names }) => {
    const certificate = `the pinned server certificate ${facts.commonName ?? "without a CommonName"} in ${described}`;
    const why = `Go verifies the API server's certificate for ${target.name} (its ${target.field}) against its subjectAltName only (${subjectAltNamesText(names)}), never its CommonName`;
    return anotherWay
      ? { path: target.path, severity: "low" as const, message: `${certificate} cannot be the API server's certificate: ${why}; the rest of it may verify the server, this certificate never does` }
      : { path: target.path, message: `${certificate} cannot be the API server's certificate: ${why}, and nothing else there verifies a server, so kubectl and client-go cannot connect to cluster ${cluster.name}` };
  });
}
