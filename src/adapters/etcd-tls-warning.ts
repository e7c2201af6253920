import { isIP } from "node:net";

/**
 * grpc-js sets the TLS server name (SNI) to the endpoint's host even when that host is an IP
 * address (channel-credentials.js, getConnectionOptions), and Node answers with a one-time
 * "[DEP0123] DeprecationWarning: Setting the TLS ServerName to an IP address is not permitted
 * by RFC 6066" on stderr, on every etcd command against https://127.0.0.1:2379 (kubeadm's
 * --etcd-servers). grpc-js has no option to leave the server name unset: its
 * ssl_target_name_override only swaps in another name. The handshake and the certificate check
 * are right as they are (the IP is verified against the certificate's IP SANs), so for an IP
 * endpoint exactly this warning is dropped; every other warning still reaches stderr.
 */
const IP_SERVERNAME_WARNING = "DEP0123";

let installed = false;

/** Whether `endpoint` is `https://<IP literal>[:port]`, the form that makes grpc-js send an IP as SNI. */
export function isHttpsIpEndpoint(endpoint: string): boolean {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return false;
  }
  return url.protocol === "https:" && isIP(url.hostname.replace(/^\[(.*)\]$/, "$1")) !== 0;
}

/** Drops Node's DEP0123 warning for the rest of this process when some endpoint is https://<IP>. */
export function quietIpServerNameWarning(endpoints: readonly string[]): void {
  if (installed || !endpoints.some(isHttpsIpEndpoint)) return;
  installed = true;
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  // process.emitWarning(warning, type, code) or (warning, { type, code }), as Node documents it.
  process.emitWarning = ((warning: unknown, typeOrOptions?: unknown, code?: unknown, ...rest: unknown[]) => {
    const options = typeof typeOrOptions === "object" && typeOrOptions !== null ? (typeOrOptions as { code?: unknown }) : undefined;
    const warningCode = options ? options.code : code ?? (warning as { code?: unknown } | undefined)?.code;
    if (warningCode === IP_SERVERNAME_WARNING) return;
    emit(warning, typeOrOptions, code, ...rest);
  }) as typeof process.emitWarning;
}
