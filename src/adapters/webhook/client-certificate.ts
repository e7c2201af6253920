/**
 * Who may call what when server.clientCAFile is set. The TLS handshake asks every client for
 * a certificate but completes without one (rejectUnauthorized: false), because the kubelet's
 * HTTPS probes and Prometheus scrapers have none; each request is then judged here, on its own
 * connection's handshake, by path:
 *
 * - /healthz and /readyz are open, so that httpGet probes pass and readiness gates traffic
 *   until the first namespace list (until-synced.ts) instead of a TCP probe saying "ready" as
 *   soon as the port is open. They reveal up/ready only.
 * - /metrics is open too: scrapers rarely hold the API server's client certificate, and it
 *   exposes counters only, labelled by endpoint, HTTP code, policy, rule, outcome and
 *   exception id; no user, namespace, object, token or verdict of a given request.
 * - everything else (/validate, /mutate, /authenticate, /authorize, unknown paths) needs a
 *   certificate that the handshake verified against the CA.
 *
 * socket.authorized alone is not enough: on a resumed TLS 1.3 session whose first handshake
 * carried no certificate, Node reports authorized === true with no peer certificate (a
 * resumption looks to it like a PSK handshake). So a caller also needs a certificate on the
 * connection. The server turns off session tickets and renegotiation as well (server.ts), so
 * that every connection proves its certificate in a full handshake; this check holds even so.
 */
import type { TLSSocket } from "node:tls";

/** Paths answered without a client certificate (see above for why each is safe). */
export const OPEN_PATHS: ReadonlySet<string> = new Set(["/healthz", "/readyz", "/metrics"]);
/** Named in refusals; any other path is not echoed (it is the caller's text). */
const PROTECTED = new Set(["/validate", "/mutate", "/authenticate", "/authorize"]);

export interface CallerRefusal {
  /** For the caller: what is missing and which setting decides; never what it sent. */
  message: string;
  /** For the log: why, and whose certificate it was (names, never key material). */
  log: { reason: "no-certificate" | "unverified-certificate"; verifyError?: string; subject?: string; issuer?: string };
}

interface PeerCertificate {
  subject?: string;
  issuer?: string;
}

/**
 * The peer certificate of a connection, read once per connection: it cannot change within
 * one (no renegotiation), and reading it builds an object with several digests, which the
 * admission hot path should not pay on every keep-alive request.
 */
const peers = new WeakMap<TLSSocket, PeerCertificate | null>();

function commonName(name: unknown): string | undefined {
  if (typeof name !== "object" || name === null) return undefined;
  const cn = (name as { CN?: unknown }).CN;
  return typeof cn === "string" ? cn.slice(0, 200) : Array.isArray(cn) ? cn.join(",").slice(0, 200) : undefined;
}

function peerOf(socket: TLSSocket): PeerCertificate | null {
  let peer = peers.get(socket);
  if (peer === undefined) {
    // An empty object (no certificate) or null (socket destroyed): either way, nothing proven.
    const cert = socket.getPeerCertificate();
    peer = cert && Object.keys(cert).length > 0 ? { ...(commonName(cert.subject) ? { subject: commonName(cert.subject)! } : {}), ...(commonName(cert.issuer) ? { issuer: commonName(cert.issuer)! } : {}) } : null;
    peers.set(socket, peer);
  }
  return peer;
}

const NEEDS = "is served only to callers presenting a client certificate signed by the CA in server.clientCAFile (kube-apiserver: client-certificate and client-key in its webhook kubeconfig)";

/** Undefined when the request may go on; otherwise why not. Call for every request: keep-alive connections carry many. */
export function callerRefusal(path: string, socket: TLSSocket): CallerRefusal | undefined {
  if (OPEN_PATHS.has(path)) return undefined;
  const peer = peerOf(socket);
  if (socket.authorized === true && peer !== null) return undefined;
  const shown = PROTECTED.has(path) ? path : "every path but /healthz, /readyz and /metrics";
  if (peer === null) return { message: `${shown} ${NEEDS}; none was presented`, log: { reason: "no-certificate" } };
  const verifyError = socket.authorizationError ? String(socket.authorizationError) : "not verified";
  return {
    message: `${shown} ${NEEDS}; the certificate presented was not verified against it (${verifyError})`,
    log: { reason: "unverified-certificate", verifyError, ...(peer.subject ? { subject: peer.subject } : {}), ...(peer.issuer ? { issuer: peer.issuer } : {}) },
  };
}

/** The answer to a refused caller: a metav1.Status, which kube-apiserver logs and reports as the call failure's reason. */
export function refusalBody(message: string): Record<string, unknown> {
  return { apiVersion: "v1", kind: "Status", metadata: {}, status: "Failure", code: 401, reason: "Unauthorized", message };
}
