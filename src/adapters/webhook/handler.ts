/**
 * The HTTP side of the webhook: routing, body limits, JSON decoding, error answers, metrics
 * and logs around the pure engine. Every failure becomes an HTTP answer (400/401/404/405/413/
 * 415/500 with a metav1.Status body), except a request the client itself ended mid-body
 * (client-gone.ts: counted as 408/499, nobody left to answer); nothing a client sends can
 * throw out of here.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";
import type { Logger } from "pino";
import type { AdmissionDecision } from "../../admission/pipeline.js";
import { admissionReviewJson, parseAdmissionReview, ReviewError, statusBody, type AdmissionRequest } from "../../admission/review.js";
import { parseTokenReview, tokenReviewResponse, type TokenReviewRequest, type TokenVerdict } from "../../admission/access/token-review.js";
import { parseSubjectAccessReview, subjectAccessReviewResponse, type AccessDecision, type SubjectAccessRequest } from "../../admission/access/subject-access-review.js";
import { parseGoDuration } from "../../k8s/go-duration.js";
import { callerRefusal, refusalBody } from "./client-certificate.js";
import { ClientGone, clientGone } from "./client-gone.js";
import type { WebhookMetrics } from "./metrics.js";

/** What the server calls; built from the configuration by engine.ts. */
export interface WebhookEngine {
  /** `deadline`: when the API server stops waiting (its ?timeout=), in performance.now() milliseconds. */
  validate(request: AdmissionRequest, deadline?: number): AdmissionDecision;
  mutate(request: AdmissionRequest): AdmissionDecision;
  /** Fetch what judging this request needs from elsewhere (worker mode: pods of a namespace). */
  prepare?(request: AdmissionRequest): Promise<void> | undefined;
  /** Learn from a request that was admitted (cluster state). */
  observe(request: AdmissionRequest): void;
  authenticate?(review: TokenReviewRequest): Promise<TokenVerdict>;
  authorize?(review: SubjectAccessRequest): AccessDecision;
}

export interface HandlerOptions {
  engine: WebhookEngine;
  logger: Logger;
  metrics: WebhookMetrics;
  maxBodyBytes: number;
  /** /metrics body; defaults to this process's registry (cluster mode aggregates). */
  metricsText?: () => Promise<{ contentType: string; body: string }>;
  ready?: () => boolean;
  /**
   * server.clientCAFile is set: every request but the probes and /metrics must come over a
   * connection whose client certificate the handshake verified (client-certificate.ts).
   */
  clientCertificates?: boolean;
  /** True once a graceful shutdown began: answers close their connection and /readyz fails. */
  draining?: () => boolean;
}

const ENDPOINTS = new Set(["/validate", "/mutate", "/authenticate", "/authorize", "/healthz", "/readyz", "/metrics"]);

class HttpError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

function send(res: ServerResponse, code: number, body: unknown, contentType = "application/json"): void {
  if (res.headersSent || res.destroyed) return;
  const text = typeof body === "string" ? body : JSON.stringify(body);
  // The array form of headers skips building and validating a header object.
  res.writeHead(code, ["Content-Type", contentType, "Content-Length", String(Buffer.byteLength(text))]);
  res.end(text);
}

/** How much of a refused body is read and dropped, and for how long, before the socket is cut. */
const DRAIN_BYTES = 64 * 1024 * 1024;
const DRAIN_MS = 10_000;

/**
 * Answer a request whose body will not be read (413 too large, 401 unverified caller) so that
 * the client can read the answer. A client that
 * sends Content-Length without `Expect: 100-continue` (kube-apiserver's Go client) is still
 * writing: closing the socket with its bytes unread makes the kernel send a reset, which can
 * discard our answer before the client reads it. So the whole answer is written at once, the
 * rest of the body is read and dropped (bounded in bytes and time), and only then does the
 * response end, closing the connection.
 */
function sendAndDrain(req: IncomingMessage, res: ServerResponse, code: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(code, ["Content-Type", "application/json", "Content-Length", String(Buffer.byteLength(text)), "Connection", "close"]);
  if (req.complete || req.destroyed) {
    res.end(text);
    return;
  }
  res.write(text);
  let drained = 0;
  const close = (cut: boolean) => {
    clearTimeout(timer);
    req.off("data", count);
    req.off("end", ended);
    res.end();
    // Past the bounds the client is sending far more than any review: stop reading it.
    if (cut) req.destroy();
  };
  const count = (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_BYTES) close(true);
  };
  const ended = () => close(false);
  const timer = setTimeout(() => close(true), DRAIN_MS);
  timer.unref();
  req.on("data", count);
  req.on("end", ended);
  req.resume();
}

/**
 * Read the whole body, refusing more than `limit` bytes (Content-Length or streamed), then
 * call `done` once. Callback style: the admission path runs without a promise per request.
 */
function collectBody(req: IncomingMessage, limit: number, done: (err: unknown, body?: Buffer) => void): void {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    done(new HttpError(413, `request body of ${declared} bytes exceeds the limit of ${limit} bytes`));
    return;
  }
  let first: Buffer | undefined;
  let chunks: Buffer[] | undefined;
  let size = 0;
  let finished = false;
  req.on("data", (chunk: Buffer) => {
    if (finished) return;
    size += chunk.length;
    if (size > limit) {
      finished = true;
      done(new HttpError(413, `request body exceeds the limit of ${limit} bytes`));
      return;
    }
    // Most bodies arrive in one chunk: keep it as is, no list and no copy.
    if (first === undefined) first = chunk;
    else (chunks ??= [first]).push(chunk);
  });
  req.on("end", () => {
    if (finished) return;
    finished = true;
    done(undefined, chunks ? Buffer.concat(chunks, size) : (first ?? Buffer.alloc(0)));
  });
  req.on("error", () => {
    if (finished) return;
    finished = true;
    done(clientGone(req));
  });
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => collectBody(req, limit, (err, body) => (err === undefined ? resolve(body!) : reject(err))));
}

/** The body is decoded once, straight from the received bytes. */
function decodeJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    throw new ReviewError("body is not valid JSON");
  }
}

const JSON_CONTENT_TYPE = /^application\/json\b/i;

/**
 * When the API server stops waiting for this call: it says so in `?timeout=` (a Go
 * duration: the webhook's timeoutSeconds), counted from the request's arrival. Absent or
 * malformed, there is none, as the pod-security webhook ignores an invalid timeout.
 */
function requestDeadline(url: string, queryAt: number, arrived: number): number | undefined {
  if (queryAt < 0) return undefined;
  const value = new URLSearchParams(url.slice(queryAt + 1)).get("timeout");
  if (!value) return undefined;
  const ms = parseGoDuration(value);
  return ms === undefined ? undefined : arrived + ms;
}

export function createHandler(options: HandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { engine, logger, metrics } = options;
  const draining = options.draining ?? (() => false);
  /** send(), closing the connection after the answer once a graceful shutdown began (as Go's Shutdown does). */
  const reply = (res: ServerResponse, code: number, body: unknown, contentType?: string) => {
    if (draining()) res.setHeader("Connection", "close");
    send(res, code, body, contentType);
  };

  /** Judge a decoded AdmissionReview and answer it (the hot path: synchronous unless the engine must prepare). */
  function admit(endpoint: "/validate" | "/mutate", body: Buffer, res: ServerResponse, deadline: number | undefined): void | Promise<void> {
    const request = parseAdmissionReview(decodeJson(body));
    const preparing = endpoint === "/validate" ? engine.prepare?.(request) : undefined;
    if (preparing) return preparing.then(() => judge(endpoint, request, res, deadline));
    judge(endpoint, request, res, deadline);
  }

  function judge(endpoint: "/validate" | "/mutate", request: AdmissionRequest, res: ServerResponse, deadline: number | undefined): void {
    const judging = performance.now();
    const decision = endpoint === "/validate" ? engine.validate(request, deadline) : engine.mutate(request);
    metrics.recordPolicyTime(endpoint, (performance.now() - judging) / 1000);
    const { response } = decision;
    if (decision.records.length > 0 || decision.exceptionsUsed.length > 0) metrics.recordDecisions(decision.records, decision.exceptionsUsed);
    // Validating webhooks run last: what they allow is what the API server persists.
    if (endpoint === "/validate" && response.allowed) engine.observe(request);
    reply(res, 200, admissionReviewJson(response, request.apiVersion));
    // Allowed requests are logged at debug only, so at info the log object is not even built.
    if (response.allowed && !logger.isLevelEnabled("debug")) return;
    const log = {
      endpoint,
      uid: request.uid,
      kind: request.kind.kind,
      namespace: request.namespace,
      name: request.name,
      operation: request.operation,
      subResource: request.subResource,
      user: request.userInfo.username,
      dryRun: request.dryRun,
      allowed: response.allowed,
      code: response.status?.code,
      rules: decision.records.map((r) => `${r.policy}/${r.rule}:${r.outcome}`),
      exceptions: decision.exceptionsUsed,
      patched: response.patch !== undefined,
    };
    if (response.allowed) logger.debug(log, "admission");
    else logger.info(log, "admission denied");
  }

  async function route(endpoint: string, req: IncomingMessage, res: ServerResponse, deadline: number | undefined): Promise<number> {
    if (endpoint === "/healthz") {
      reply(res, 200, "ok", "text/plain");
      return 200;
    }
    if (endpoint === "/readyz") {
      const ready = !draining() && (options.ready ? options.ready() : true);
      reply(res, ready ? 200 : 503, ready ? "ok" : "not ready", "text/plain");
      return ready ? 200 : 503;
    }
    if (endpoint === "/metrics") {
      const { contentType, body } = options.metricsText ? await options.metricsText() : { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() };
      reply(res, 200, body, contentType);
      return 200;
    }
    // An unknown path is 404 whatever the method (a GET was told 405 "accepts POST only").
    if (!ENDPOINTS.has(endpoint)) throw new HttpError(404, `no such endpoint ${endpoint.slice(0, 100)}`);
    checkPost(endpoint, req, res);
    const raw = await readBody(req, options.maxBodyBytes);
    if (endpoint === "/validate" || endpoint === "/mutate") {
      await admit(endpoint, raw, res, deadline);
      return 200;
    }
    const body = decodeJson(raw);
    switch (endpoint) {
      case "/authenticate": {
        if (!engine.authenticate) throw new HttpError(404, "token authentication is not configured (access.tokenFile)");
        const review = parseTokenReview(body);
        const verdict = await engine.authenticate(review);
        metrics.accessDecisions.inc({ endpoint: "authenticate", rule: "token", result: verdict.authenticated ? "authenticated" : "rejected" });
        reply(res, 200, tokenReviewResponse(review, verdict));
        // kube-apiserver asks on every request with a bearer token: a rejection is news, an
        // authentication is routine (counted in /metrics), as allowed admissions are.
        if (!verdict.authenticated) logger.info({ endpoint, authenticated: false }, "token review");
        else if (logger.isLevelEnabled("debug")) logger.debug({ endpoint, authenticated: true, user: verdict.user.username }, "token review");
        return 200;
      }
      case "/authorize": {
        if (!engine.authorize) throw new HttpError(404, "authorization is not configured (access)");
        const review = parseSubjectAccessReview(body);
        const decision = engine.authorize(review);
        metrics.accessDecisions.inc({ endpoint: "authorize", rule: decision.rule, result: decision.denied ? "denied" : decision.allowed ? "allowed" : "no-opinion" });
        reply(res, 200, subjectAccessReviewResponse(review, decision));
        // Asked for nearly every request kube-apiserver serves: only a guardrail's denial is
        // logged at info; allowed and no-opinion answers at debug (counted in /metrics).
        if (!decision.denied && !logger.isLevelEnabled("debug")) return 200;
        const ra = review.resource;
        const log = { endpoint, user: review.user, verb: ra?.verb ?? review.nonResource?.verb, resource: ra ? `${ra.group}/${ra.resource}${ra.subresource ? `/${ra.subresource}` : ""}` : review.nonResource?.path, namespace: ra?.namespace, allowed: decision.allowed, denied: decision.denied, rule: decision.rule };
        if (decision.denied) logger.info(log, "access review denied");
        else logger.debug(log, "access review");
        return 200;
      }
    }
    throw new HttpError(404, `no such endpoint ${endpoint}`);
  }

  function checkPost(endpoint: string, req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== "POST") {
      res.setHeader("Allow", "POST");
      throw new HttpError(405, `${endpoint} accepts POST only`);
    }
    const contentType = req.headers["content-type"];
    if (contentType !== undefined && !JSON_CONTENT_TYPE.test(contentType)) throw new HttpError(415, `expected Content-Type application/json, got ${contentType.slice(0, 100)}`);
  }

  const finish = (endpoint: string, started: number, code: number) => metrics.recordRequest(endpoint, code, (performance.now() - started) / 1000);

  function fail(endpoint: string, req: IncomingMessage, res: ServerResponse, started: number, err: unknown): void {
    if (err instanceof ClientGone) {
      // Nobody is left to answer (408 was already written by the server's clientError) and no
      // response time to measure: counted under its own code, never as a 5xx.
      logger.debug({ endpoint, code: err.code, reason: err.message }, "request ended by the client");
      metrics.recordUnanswered(endpoint, err.code);
      return;
    }
    let code = 500;
    let message = "internal error";
    if (err instanceof HttpError || err instanceof ReviewError) {
      code = err.code;
      message = err.message;
    } else logger.error({ endpoint, err: err instanceof Error ? { message: err.message, stack: err.stack } : String(err) }, "request failed");
    if (code >= 400 && code < 500) logger.info({ endpoint, code, reason: message }, "bad request");
    if (code === 413) sendAndDrain(req, res, code, statusBody(code, message));
    else reply(res, code, statusBody(code, message));
    finish(endpoint, started, code);
  }

  /** A caller without a verified client certificate: refused before its body is read or its path routed. */
  function refuse(path: string, req: IncomingMessage, res: ServerResponse, started: number): boolean {
    const refusal = callerRefusal(path, req.socket as TLSSocket);
    if (!refusal) return false;
    const endpoint = ENDPOINTS.has(path) ? path : "other";
    logger.warn({ endpoint, remote: req.socket.remoteAddress, ...refusal.log }, "request refused: no verified client certificate (server.clientCAFile)");
    // The connection closes after the answer: every later request on it would be refused the same way.
    sendAndDrain(req, res, 401, refusalBody(refusal.message));
    finish(endpoint, started, 401);
    return true;
  }

  const gated = options.clientCertificates === true;

  return (req, res) => {
    const started = performance.now();
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q < 0 ? url : url.slice(0, q);
    // Per request, not per connection: a keep-alive connection that carried a probe carries this too.
    if (gated && refuse(path, req, res, started)) return;
    if (path === "/validate" || path === "/mutate") {
      // Admission, the hot path: no promise unless the engine has to fetch something first.
      try {
        checkPost(path, req, res);
      } catch (err) {
        fail(path, req, res, started, err);
        return;
      }
      collectBody(req, options.maxBodyBytes, (err, body) => {
        try {
          if (err !== undefined) throw err;
          const pending = admit(path, body!, res, requestDeadline(url, q, started));
          if (pending) pending.then(() => finish(path, started, 200), (e: unknown) => fail(path, req, res, started, e));
          else finish(path, started, 200);
        } catch (e) {
          fail(path, req, res, started, e);
        }
      });
      return;
    }
    const endpoint = ENDPOINTS.has(path) ? path : "other";
    route(path, req, res, requestDeadline(url, q, started)).then(
      (code) => finish(endpoint, started, code),
      (err: unknown) => fail(endpoint, req, res, started, err),
    );
  };
}
