/**
 * server.clientCAFile over real HTTPS on loopback, with certificates generated here: the
 * review endpoints answer only a caller whose certificate the CA verifies (on every request of
 * every connection, whatever came before on it, and never through a resumed TLS session),
 * while the probes and /metrics answer anyone, so that the kubelet's HTTPS probes work.
 */
import { Agent, request as httpsRequest } from "node:https";
import { connect as tlsConnect, type SecureVersion, type TLSSocket } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tokenFileAuthenticator } from "../../src/access/authn/tokenfile.js";
import { parseWebhookConfig } from "../../src/admission/config.js";
import { createCertificateAuthority, issueCertificate, type Issued } from "../../src/adapters/webhook/certificates.js";
import { callerRefusal } from "../../src/adapters/webhook/client-certificate.js";
import { createEngine } from "../../src/adapters/webhook/engine.js";
import type { WebhookEngine } from "../../src/adapters/webhook/handler.js";
import { restrictedPod, reviewBody } from "../admission/fixtures.js";
import { startTestServer, testPki, type Pki, type TestServer } from "./support.js";

// Generated per run: no token material in the repo.
const TOKEN = `tok-${Math.random().toString(36).slice(2)}${Date.now()}`;
const CONFIG = `apiVersion: palisade.dev/v1alpha1
kind: WebhookServerConfiguration
policies:
  nodeRestriction: { mode: enforce }
access:
  guardrails:
    production: { key: palisade.dev/environment, value: production }
`;

const NEEDS = "is served only to callers presenting a client certificate signed by the CA in server.clientCAFile (kube-apiserver: client-certificate and client-key in its webhook kubeconfig)";
const status401 = (message: string) => ({ apiVersion: "v1", kind: "Status", metadata: {}, status: "Failure", code: 401, reason: "Unauthorized", message });

const tokenReview = { apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", spec: { token: TOKEN } };
const accessReview = { apiVersion: "authorization.k8s.io/v1", kind: "SubjectAccessReview", spec: { user: "alice", groups: ["devs"], resourceAttributes: { namespace: "prod", verb: "get", group: "", version: "v1", resource: "pods" } } };

let pki: Pki;
let apiserver: Issued;
let stranger: Issued;
let expired: Issued;
let server: TestServer;
let ready = true;
/** Engine calls, by method: a refused caller must never reach the engine. */
const calls: string[] = [];

function countingEngine(): WebhookEngine {
  const config = parseWebhookConfig("inline.yaml", CONFIG, (path) => {
    throw new Error(`unexpected read of ${path}`);
  });
  const engine = createEngine({ config, authenticator: tokenFileAuthenticator(`${TOKEN},alice,1001,devs\n`, "tokens.csv") });
  return {
    ...engine,
    validate: (r) => (calls.push("validate"), engine.validate(r)),
    mutate: (r) => (calls.push("mutate"), engine.mutate(r)),
    authenticate: (r) => (calls.push("authenticate"), engine.authenticate!(r)),
    authorize: (r) => (calls.push("authorize"), engine.authorize!(r)),
  };
}

beforeAll(async () => {
  pki = await testPki();
  const apiserverCa = await createCertificateAuthority("apiserver-client-ca");
  const otherCa = await createCertificateAuthority("some-other-ca");
  apiserver = await issueCertificate(apiserverCa, { commonName: "kube-apiserver", usage: "client" });
  stranger = await issueCertificate(otherCa, { commonName: "stranger", usage: "client" });
  expired = await issueCertificate(apiserverCa, { commonName: "old-apiserver", usage: "client", now: new Date(Date.now() - 10 * 86_400_000), days: 1 });
  server = await startTestServer(countingEngine(), { tls: { certPem: pki.server.certPem, keyPem: pki.server.keyPem, clientCaPem: apiserverCa.certPem }, ready: () => ready });
});
afterAll(async () => server?.close());

interface Answer {
  status: number;
  text: string;
  body: unknown;
  headers: Record<string, unknown>;
  reusedSocket: boolean;
}

/** One HTTPS request; `agent` to share a keep-alive connection between calls. */
function call(path: string, options: { method?: string; body?: unknown; client?: Issued; agent?: Agent } = {}): Promise<Answer> {
  const method = options.method ?? (options.body === undefined ? "GET" : "POST");
  const text = options.body === undefined ? "" : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: "127.0.0.1",
        port: server.port,
        path,
        method,
        ca: pki.ca.certPem,
        servername: "localhost",
        agent: options.agent ?? false,
        ...(options.client ? { cert: options.client.certPem, key: options.client.keyPem } : {}),
        headers: method === "GET" ? {} : { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const responseText = Buffer.concat(chunks).toString("utf8");
          let body: unknown = responseText;
          try {
            body = JSON.parse(responseText);
          } catch {
            // plain-text endpoints
          }
          resolve({ status: res.statusCode ?? 0, text: responseText, body, headers: res.headers, reusedSocket: req.reusedSocket });
        });
      },
    );
    req.on("error", reject);
    req.end(method === "GET" ? undefined : text);
  });
}

/** The log lines written since `from`, parsed. */
const logsSince = (from: number) => server.logs.slice(from).map((line) => JSON.parse(line) as Record<string, unknown>);

describe("with server.clientCAFile, the review endpoints need a verified client certificate", () => {
  it("refuses a caller without a certificate: 401 and a Status naming server.clientCAFile, the engine never called", async () => {
    calls.length = 0;
    const cases: [string, unknown][] = [
      ["/validate", reviewBody(restrictedPod("web", "default"))],
      ["/mutate", reviewBody(restrictedPod("web", "default"))],
      ["/authenticate", tokenReview],
      ["/authorize", accessReview],
    ];
    for (const [path, body] of cases) {
      const answer = await call(path, { body });
      expect(answer.status, path).toBe(401);
      expect(answer.body, path).toEqual(status401(`${path} ${NEEDS}; none was presented`));
      expect(answer.headers["content-type"]).toBe("application/json");
      expect(answer.headers.connection).toBe("close");
    }
    // Unknown paths too, without echoing the caller's path back.
    const unknown = await call("/secret-probe?x=1");
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(status401(`every path but /healthz, /readyz and /metrics ${NEEDS}; none was presented`));
    expect(calls).toEqual([]);
  });

  it("never echoes or logs the token of a refused TokenReview, and logs the refusal", async () => {
    const from = server.logs.length;
    const answer = await call("/authenticate?timeout=10s", { body: tokenReview });
    expect(answer.status).toBe(401);
    expect(answer.text).not.toContain(TOKEN);
    expect(server.logs.slice(from).join("")).not.toContain(TOKEN);
    const refusal = logsSince(from).find((line) => line.msg === "request refused: no verified client certificate (server.clientCAFile)");
    expect(refusal).toMatchObject({ level: 40, endpoint: "/authenticate", reason: "no-certificate", remote: "127.0.0.1" });
  });

  it("refuses a certificate signed by another CA, or expired, naming the verification error", async () => {
    calls.length = 0;
    const from = server.logs.length;
    const foreign = await call("/authorize", { body: accessReview, client: stranger });
    expect(foreign.status).toBe(401);
    expect(foreign.body).toEqual(status401(`/authorize ${NEEDS}; the certificate presented was not verified against it (UNABLE_TO_VERIFY_LEAF_SIGNATURE)`));
    const old = await call("/validate", { body: reviewBody(restrictedPod("web", "default")), client: expired });
    expect(old.status).toBe(401);
    expect(old.body).toEqual(status401(`/validate ${NEEDS}; the certificate presented was not verified against it (CERT_HAS_EXPIRED)`));
    expect(calls).toEqual([]);
    const logged = logsSince(from).filter((line) => line.reason === "unverified-certificate");
    expect(logged.map((line) => [line.endpoint, line.subject, line.issuer, line.verifyError])).toEqual([
      ["/authorize", "stranger", "some-other-ca", "UNABLE_TO_VERIFY_LEAF_SIGNATURE"],
      ["/validate", "old-apiserver", "apiserver-client-ca", "CERT_HAS_EXPIRED"],
    ]);
  });

  it("answers the API server's certificate on every endpoint", async () => {
    calls.length = 0;
    const review = reviewBody(restrictedPod("web", "default"));
    const validated = await call("/validate", { body: review, client: apiserver });
    expect(validated.status).toBe(200);
    expect(validated.body).toMatchObject({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response: { uid: (review.request as { uid: string }).uid, allowed: true } });
    expect((await call("/mutate", { body: review, client: apiserver })).status).toBe(200);
    const authenticated = await call("/authenticate", { body: tokenReview, client: apiserver });
    expect(authenticated.status).toBe(200);
    expect(authenticated.body).toMatchObject({ kind: "TokenReview", status: { authenticated: true, user: { username: "alice" } } });
    const authorized = await call("/authorize", { body: accessReview, client: apiserver });
    expect(authorized.status).toBe(200);
    expect(authorized.body).toMatchObject({ apiVersion: "authorization.k8s.io/v1", kind: "SubjectAccessReview", status: { allowed: false } });
    expect(calls).toEqual(["validate", "mutate", "authenticate", "authorize"]);
  });

  it("counts refusals in /metrics under their endpoint and code 401", async () => {
    const before = await server.metrics.registry.getSingleMetricAsString("palisade_webhook_requests_total");
    const count = (text: string) => Number(/palisade_webhook_requests_total\{endpoint="\/authorize",code="401"\} (\d+)/.exec(text)?.[1] ?? 0);
    await call("/authorize", { body: accessReview });
    expect(count(await server.metrics.registry.getSingleMetricAsString("palisade_webhook_requests_total"))).toBe(count(before) + 1);
  });
});

describe("with server.clientCAFile, probes and /metrics need no certificate", () => {
  it("answers /healthz, /readyz and /metrics without one, and /readyz still gates on readiness", async () => {
    expect(await call("/healthz").then((a) => [a.status, a.text])).toEqual([200, "ok"]);
    expect(await call("/readyz").then((a) => [a.status, a.text])).toEqual([200, "ok"]);
    ready = false;
    try {
      expect(await call("/readyz").then((a) => [a.status, a.text])).toEqual([503, "not ready"]);
    } finally {
      ready = true;
    }
    const metrics = await call("/metrics");
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain("palisade_webhook_requests_total");
    // A certificate from elsewhere does not stop a probe either.
    expect((await call("/healthz", { client: stranger })).status).toBe(200);
  });

  it("refuses a protected path on a keep-alive connection that carried a probe", async () => {
    calls.length = 0;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const probe = await call("/readyz", { agent });
      expect([probe.status, probe.text, probe.reusedSocket]).toEqual([200, "ok", false]);
      const review = await call("/validate", { agent, body: reviewBody(restrictedPod("web", "default")) });
      expect(review.reusedSocket).toBe(true);
      expect(review.status).toBe(401);
      expect(review.body).toEqual(status401(`/validate ${NEEDS}; none was presented`));
      expect(calls).toEqual([]);
    } finally {
      agent.destroy();
    }
  });

  it("keeps answering the API server's keep-alive connection request after request", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1, cert: apiserver.certPem, key: apiserver.keyPem });
    try {
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push(await call("/validate", { agent, body: reviewBody(restrictedPod("web", "default")) }));
      expect(answers.map((a) => [a.status, a.reusedSocket])).toEqual([[200, false], [200, true], [200, true]]);
    } finally {
      agent.destroy();
    }
  });
});

/** A raw TLS connection that sends one request and returns the answer, the session it was offered, and whether it resumed one. */
function rawRequest(options: { session?: Buffer; maxVersion: SecureVersion; client?: Issued }, head: string, body = ""): Promise<{ text: string; session?: Buffer; reused: boolean }> {
  return new Promise((resolve, reject) => {
    let session: Buffer | undefined;
    let reused = false;
    const socket: TLSSocket = tlsConnect({
      host: "127.0.0.1",
      port: server.port,
      ca: pki.ca.certPem,
      servername: "localhost",
      maxVersion: options.maxVersion,
      ...(options.session ? { session: options.session } : {}),
      ...(options.client ? { cert: options.client.certPem, key: options.client.keyPem } : {}),
    });
    socket.on("session", (s: Buffer) => (session = s));
    socket.on("secureConnect", () => {
      reused = socket.isSessionReused();
      socket.write(head + body);
    });
    let text = "";
    socket.on("data", (d: Buffer) => (text += d.toString()));
    socket.on("end", () => resolve({ text, reused, ...(session ? { session } : {}) }));
    socket.on("error", reject);
  });
}

describe("with server.clientCAFile, a resumed TLS session does not stand in for a certificate", () => {
  for (const maxVersion of ["TLSv1.3", "TLSv1.2"] as const) {
    it(`(${maxVersion}) gets no resumption and no answer on /authorize`, async () => {
      calls.length = 0;
      const body = JSON.stringify(accessReview);
      const head = `POST /authorize HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`;
      const first = await rawRequest({ maxVersion }, head, body);
      expect(first.text).toMatch(/^HTTP\/1\.1 401 Unauthorized\r\n/);
      // Offer whatever session the first connection was given (none, with tickets off) on a second one.
      const second = await rawRequest({ maxVersion, ...(first.session ? { session: first.session } : {}) }, head, body);
      // Refused whether or not the session was resumed (the per-request check)...
      expect(second.text).toMatch(/^HTTP\/1\.1 401 Unauthorized\r\n/);
      expect(JSON.parse(second.text.slice(second.text.indexOf("\r\n\r\n") + 4))).toEqual(status401(`/authorize ${NEEDS}; none was presented`));
      expect(calls).toEqual([]);
      // ...and it was not: no session tickets, every connection makes a full handshake.
      expect(second.reused).toBe(false);
    });
  }

  // Node reports a resumed TLS 1.3 session whose first handshake had no certificate as authorized, with no peer certificate.
  it("judges a connection that says authorized but holds no peer certificate as having none", () => {
    const socket = (authorized: boolean, cert: object | null, authorizationError?: string) => ({ authorized, authorizationError, getPeerCertificate: () => cert }) as unknown as TLSSocket;
    expect(callerRefusal("/authorize", socket(true, {}))).toEqual({ message: `/authorize ${NEEDS}; none was presented`, log: { reason: "no-certificate" } });
    expect(callerRefusal("/validate", socket(true, null))?.log).toEqual({ reason: "no-certificate" });
    expect(callerRefusal("/validate", socket(true, { subject: { CN: "kube-apiserver" }, issuer: { CN: "ca" } }))).toBeUndefined();
    expect(callerRefusal("/mutate", socket(false, { subject: { CN: "x" }, issuer: { CN: "y" } }, "CERT_REVOKED"))).toEqual({
      message: `/mutate ${NEEDS}; the certificate presented was not verified against it (CERT_REVOKED)`,
      log: { reason: "unverified-certificate", verifyError: "CERT_REVOKED", subject: "x", issuer: "y" },
    });
    for (const open of ["/healthz", "/readyz", "/metrics"]) expect(callerRefusal(open, socket(false, {}))).toBeUndefined();
    expect(callerRefusal("/healthz/", socket(false, {}))).toBeDefined();
  });
});

describe("without server.clientCAFile", () => {
  it("answers without a client certificate, as before", async () => {
    const open = await startTestServer(countingEngine());
    try {
      const answer = await open.post("/validate", reviewBody(restrictedPod("web", "default")));
      expect(answer.status).toBe(200);
      expect((await open.post("/authorize", accessReview)).status).toBe(200);
    } finally {
      await open.close();
    }
  });
});
