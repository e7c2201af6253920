/**
 * The HTTPS listener: TLS 1.2+ only, certificate and key from files and re-read when they
 * change (setSecureContext, so a cert-manager rotation needs no restart), optional
 * verification of the API server's client certificate, and timeouts that cut off slow
 * clients (headers and whole-request deadlines, checked every 250 ms).
 */
import { constants } from "node:crypto";
import { unwatchFile, watchFile } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { answerClientError } from "./client-gone.js";
import { createHandler, type HandlerOptions } from "./handler.js";
import { judgeServingCertificate } from "./serving-certificate.js";
import { readTlsFiles } from "./tls-files.js";

export interface TlsMaterial {
  certPem: string;
  keyPem: string;
  /** CA bundle that API server client certificates must chain to. */
  clientCaPem?: string;
}

export interface TlsFiles {
  certFile: string;
  keyFile: string;
  clientCAFile?: string;
}

export interface ServerOptions extends HandlerOptions {
  address: string;
  port: number;
  tls: TlsMaterial | TlsFiles;
  requestTimeoutSeconds: number;
  /** Host names kube-apiserver dials (`serve --server-name`): a reloaded certificate that does not cover one is warned about. */
  serverNames?: readonly string[];
  /** How often certificate files are polled for changes. */
  certificatePollMs?: number;
  logger: Logger;
}

export interface RunningServer {
  server: Server;
  port: number;
  /** Re-read the certificate files now (also done automatically when they change). */
  reloadCertificates(): void;
  /** Close at once, cutting every connection (tests, failed starts). */
  close(): Promise<void>;
  /**
   * Graceful stop (SIGTERM): stop accepting connections, answer every request already
   * received or being received, close keep-alive connections as they fall idle, /readyz 503.
   * Resolves once every connection has closed; connections still open after `graceMs`
   * (default: the request timeout plus 2 s) are cut. Calling it again returns the same promise.
   */
  shutdown(graceMs?: number): Promise<void>;
}

/** Files are checked (parse, key matches certificate) before use: a bad pair throws TlsFileError. */
function readTls(tls: TlsMaterial | TlsFiles): TlsMaterial {
  if ("certPem" in tls) return tls;
  return readTlsFiles(tls);
}

/** The listening socket could not be had (port taken, no permission, address not on this host). */
export class ListenError extends Error {
  constructor(
    readonly code: string,
    readonly address: string,
    readonly port: number,
  ) {
    super(`cannot listen on ${address}:${port}: ${code}`);
    this.name = "ListenError";
  }
}

/**
 * With a client CA, every client is asked for a certificate but the handshake does not
 * require one: the kubelet's probes have none. Each request is judged by path instead
 * (client-certificate.ts). No session tickets and no renegotiation: each connection proves
 * its certificate in one full handshake, so a resumed session that never showed one cannot
 * pass for verified (Node reports such a TLS 1.3 resumption as authorized). The cost, a full
 * handshake per new connection, is small: kube-apiserver keeps its webhook connections alive.
 */
function secureOptions(material: TlsMaterial) {
  return {
    cert: material.certPem,
    key: material.keyPem,
    minVersion: "TLSv1.2" as const,
    ...(material.clientCaPem
      ? { ca: material.clientCaPem, requestCert: true, rejectUnauthorized: false, secureOptions: constants.SSL_OP_NO_TICKET | constants.SSL_OP_NO_RENEGOTIATION }
      : {}),
  };
}

/**
 * The certificate now served: its end for the expiry gauge and, after a reload, a warning for
 * whatever will make kube-apiserver refuse it. At start the primary warns once (serve-startup.ts).
 */
function servingCertificateLoaded(material: TlsMaterial, options: ServerOptions, reloaded: boolean): void {
  let report;
  try {
    report = judgeServingCertificate(material.certPem, new Date(), options.serverNames ?? []);
  } catch {
    return; // node:crypto accepted it; a parser disagreeing is no reason to stop serving.
  }
  options.metrics.setServingCertificate(report.notAfter);
  if (reloaded) for (const warning of report.warnings) options.logger.warn({ notAfter: report.notAfter.toISOString() }, `reloaded certificate: ${warning}`);
}

export function startServer(options: ServerOptions): Promise<RunningServer> {
  const { logger } = options;
  const material = readTls(options.tls);
  servingCertificateLoaded(material, options, false);
  const timeoutMs = options.requestTimeoutSeconds * 1000;
  const server = createServer(
    {
      ...secureOptions(material),
      requestTimeout: timeoutMs,
      headersTimeout: Math.min(timeoutMs, 10_000),
      keepAliveTimeout: 30_000,
      connectionsCheckingInterval: 250,
    },
    // Whether certificates are checked is fixed at start: a reload re-reads the same files.
    createHandler({ ...options, clientCertificates: Boolean(material.clientCaPem), draining: () => draining !== undefined }),
  );
  let draining: Promise<void> | undefined;
  // A TLS handshake that never completes must not hold a socket forever either.
  server.on("secureConnection", (socket) => socket.setTimeout(Math.max(timeoutMs, 30_000), () => socket.destroy()));
  server.on("tlsClientError", (err) => logger.debug({ err: err.message }, "TLS handshake failed"));
  server.on("clientError", (err: NodeJS.ErrnoException, socket) => answerClientError(err, socket, logger));

  const reloadCertificates = () => {
    try {
      const reloaded = readTls(options.tls);
      server.setSecureContext(secureOptions(reloaded));
      logger.info("serving certificate reloaded");
      servingCertificateLoaded(reloaded, options, true);
    } catch (err) {
      // Keep serving with the previous certificate; a half-written file is retried on the next change.
      logger.error({ err: err instanceof Error ? err.message : String(err) }, "certificate reload failed; keeping the previous certificate");
    }
  };
  const watched: string[] = [];
  if (!("certPem" in options.tls)) {
    const files = [options.tls.certFile, options.tls.keyFile, ...(options.tls.clientCAFile ? [options.tls.clientCAFile] : [])];
    for (const file of files) {
      watchFile(file, { interval: options.certificatePollMs ?? 2000, persistent: false }, (now, before) => {
        if (now.mtimeMs !== before.mtimeMs || now.size !== before.size || now.ino !== before.ino) reloadCertificates();
      });
      watched.push(file);
    }
  }

  return new Promise((resolve, reject) => {
    const failed = (err: NodeJS.ErrnoException) => {
      for (const file of watched) unwatchFile(file);
      reject(err.syscall === "listen" || err.syscall === "bind" ? new ListenError(err.code ?? "error", options.address, options.port) : err);
    };
    server.once("error", failed);
    server.listen(options.port, options.address, () => {
      server.off("error", failed);
      const port = (server.address() as AddressInfo).port;
      resolve({
        server,
        port,
        reloadCertificates,
        close: () =>
          new Promise<void>((done) => {
            for (const file of watched) unwatchFile(file);
            server.close(() => done());
            server.closeAllConnections();
          }),
        shutdown: (graceMs = timeoutMs + 2000) =>
          (draining ??= new Promise<void>((done) => {
            for (const file of watched) unwatchFile(file);
            // Node's close() also stops the request and header timeouts: the grace timer bounds slow clients instead.
            const idle = setInterval(() => server.closeIdleConnections(), 100);
            const cut = setTimeout(() => server.closeAllConnections(), graceMs);
            server.close(() => {
              clearInterval(idle);
              clearTimeout(cut);
              done();
            });
          })),
      });
    });
  });
}
