/** A real HTTPS webhook server on 127.0.0.1 with certificates generated at test time, and a client for it. */
import { request as httpsRequest } from "node:https";
import { Writable } from "node:stream";
import { connect as tlsConnect } from "node:tls";
import { createCertificateAuthority, issueCertificate, type CertificateAuthority, type Issued } from "../../src/adapters/webhook/certificates.js";
import type { WebhookEngine } from "../../src/adapters/webhook/handler.js";
import { createLogger } from "../../src/adapters/webhook/logger.js";
import { WebhookMetrics } from "../../src/adapters/webhook/metrics.js";
import { startServer, type RunningServer, type TlsFiles, type TlsMaterial } from "../../src/adapters/webhook/server.js";

export interface Pki {
  ca: CertificateAuthority;
  server: Issued;
}

let shared: Promise<Pki> | undefined;

/** One CA and serving certificate per test file (key generation is the slow part). */
export function testPki(): Promise<Pki> {
  shared ??= (async () => {
    const ca = await createCertificateAuthority("palisade-test-ca");
    const server = await issueCertificate(ca, { commonName: "localhost", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"], usage: "server" });
    return { ca, server };
  })();
  return shared;
}

export interface TestServer {
  running: RunningServer;
  port: number;
  logs: string[];
  metrics: WebhookMetrics;
  post(path: string, body: unknown, options?: { headers?: Record<string, string>; raw?: boolean; client?: Issued; method?: string }): Promise<{ status: number; body: unknown; text: string; headers: Record<string, unknown> }>;
  close(): Promise<void>;
}

export async function startTestServer(engine: WebhookEngine, options: { maxBodyBytes?: number; requestTimeoutSeconds?: number; tls?: TlsMaterial | TlsFiles; certificatePollMs?: number; ready?: () => boolean; serverNames?: readonly string[] } = {}): Promise<TestServer> {
  const pki = await testPki();
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const logger = createLogger("debug", sink);
  const metrics = new WebhookMetrics({ defaultMetrics: false });
  const running = await startServer({
    engine,
    logger,
    metrics,
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
    address: "127.0.0.1",
    port: 0,
    tls: options.tls ?? { certPem: pki.server.certPem, keyPem: pki.server.keyPem },
    requestTimeoutSeconds: options.requestTimeoutSeconds ?? 10,
    certificatePollMs: options.certificatePollMs ?? 100,
    ...(options.ready ? { ready: options.ready } : {}),
    ...(options.serverNames ? { serverNames: options.serverNames } : {}),
  });
  return {
    running,
    port: running.port,
    logs,
    metrics,
    post(path, body, postOptions = {}) {
      const text = postOptions.raw ? String(body) : JSON.stringify(body);
      return new Promise((resolve, reject) => {
        const req = httpsRequest(
          {
            host: "127.0.0.1",
            port: running.port,
            path,
            method: postOptions.method ?? "POST",
            ca: pki.ca.certPem,
            servername: "localhost",
            agent: false,
            ...(postOptions.client ? { cert: postOptions.client.certPem, key: postOptions.client.keyPem } : {}),
            headers: { "Content-Type": "application/json", ...(postOptions.method === "GET" ? {} : { "Content-Length": Buffer.byteLength(text) }), ...postOptions.headers },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => {
              const responseText = Buffer.concat(chunks).toString("utf8");
              let parsed: unknown = responseText;
              try {
                parsed = JSON.parse(responseText);
              } catch {
                // plain-text endpoints
              }
              resolve({ status: res.statusCode ?? 0, body: parsed, text: responseText, headers: res.headers });
            });
          },
        );
        req.on("error", reject);
        if (postOptions.method !== "GET") req.end(text);
        else req.end();
      });
    },
    close: () => running.close(),
  };
}

/** The common name of the certificate a server on 127.0.0.1:`port` presents now (each call a new handshake). */
export function servingCommonName(port: number, caPem: string): Promise<string> {
  return new Promise<string>((done, reject) => {
    const socket = tlsConnect({ host: "127.0.0.1", port, ca: caPem, servername: "localhost" }, () => {
      done(String(socket.getPeerCertificate().subject.CN));
      socket.end();
    });
    socket.on("error", reject);
  });
}
