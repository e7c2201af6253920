/**
 * The HTTP side of the webhook: routing, body limits, JSON decoding, error answers, metrics
 * and logs around the pure engine. Every failure becomes an HTTP answer (400/404/405/413/
 * 415/500 with a metav1.Status body); nothing a client sends can throw out of here.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { AdmissionDecision } from "../../admission/pipeline.js";
import { admissionReviewResponse, parseAdmissionReview, ReviewError, statusBody, type AdmissionRequest } from "../../admission/review.js";
import { parseTokenReview, tokenReviewResponse, type TokenReviewRequest, type TokenVerdict } from "../../admission/access/token-review.js";
import { parseSubjectAccessReview, subjectAccessReviewResponse, type AccessDecision, type SubjectAccessRequest } from "../../admission/access/subject-access-review.js";
import type { WebhookMetrics } from "./metrics.js";

/** What the server calls; built from the configuration by engine.ts. */
export interface WebhookEngine {
  validate(request: AdmissionRequest): AdmissionDecision;
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
  if (res.headersSent) return;
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(code, { "Content-Type": contentType, "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

/** Read the whole body, refusing more than `limit` bytes (Content-Length or streamed). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new HttpError(413, `request body of ${declared} bytes exceeds the limit of ${limit} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(new HttpError(413, `request body exceeds the limit of ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (!failed) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    });
    req.on("error", (err) => {
      if (!failed) reject(err);
    });
  });
}

function decodeJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    throw new ReviewError("body is not valid JSON");
  }
}

export function createHandler(options: HandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { engine, logger, metrics } = options;

  async function route(endpoint: string, req: IncomingMessage, res: ServerResponse): Promise<number> {
    if (endpoint === "/healthz") {
      send(res, 200, "ok", "text/plain");
      return 200;
    }
    if (endpoint === "/readyz") {
      const ready = options.ready ? options.ready() : true;
      send(res, ready ? 200 : 503, ready ? "ok" : "not ready", "text/plain");
      return ready ? 200 : 503;
    }
    if (endpoint === "/metrics") {
      const { contentType, body } = options.metricsText ? await options.metricsText() : { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() };
      send(res, 200, body, contentType);
      return 200;
    }
    if (req.method !== "POST") {
      res.setHeader("Allow", "POST");
      throw new HttpError(405, `${endpoint} accepts POST only`);
    }
    const contentType = req.headers["content-type"];
    if (contentType !== undefined && !/^application\/json\b/i.test(contentType)) throw new HttpError(415, `expected Content-Type application/json, got ${contentType.slice(0, 100)}`);
    const body = decodeJson(await readBody(req, options.maxBodyBytes));
    switch (endpoint) {
      case "/validate":
      case "/mutate": {
        const request = parseAdmissionReview(body);
        const preparing = endpoint === "/validate" ? engine.prepare?.(request) : undefined;
        if (preparing) await preparing;
        const decision = endpoint === "/validate" ? engine.validate(request) : engine.mutate(request);
        metrics.recordDecisions(decision.records, decision.exceptionsUsed);
        // Validating webhooks run last: what they allow is what the API server persists.
        if (endpoint === "/validate" && decision.response.allowed) engine.observe(request);
        send(res, 200, admissionReviewResponse(decision.response));
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
          allowed: decision.response.allowed,
          code: decision.response.status?.code,
          rules: decision.records.map((r) => `${r.policy}/${r.rule}:${r.outcome}`),
          exceptions: decision.exceptionsUsed,
          patched: decision.response.patch !== undefined,
        };
        if (decision.response.allowed) logger.debug(log, "admission");
        else logger.info(log, "admission denied");
        return 200;
      }
      case "/authenticate": {
        if (!engine.authenticate) throw new HttpError(404, "token authentication is not configured (access.tokenFile)");
        const review = parseTokenReview(body);
        const verdict = await engine.authenticate(review);
        metrics.accessDecisions.inc({ endpoint: "authenticate", rule: "token", result: verdict.authenticated ? "authenticated" : "rejected" });
        send(res, 200, tokenReviewResponse(review, verdict));
        logger.info({ endpoint, authenticated: verdict.authenticated, user: verdict.authenticated ? verdict.user.username : undefined }, "token review");
        return 200;
      }
      case "/authorize": {
        if (!engine.authorize) throw new HttpError(404, "authorization is not configured (access)");
        const review = parseSubjectAccessReview(body);
        const decision = engine.authorize(review);
        metrics.accessDecisions.inc({ endpoint: "authorize", rule: decision.rule, result: decision.denied ? "denied" : decision.allowed ? "allowed" : "no-opinion" });
        send(res, 200, subjectAccessReviewResponse(review, decision));
        const ra = review.resource;
        logger.info({ endpoint, user: review.user, verb: ra?.verb ?? review.nonResource?.verb, resource: ra ? `${ra.group}/${ra.resource}${ra.subresource ? `/${ra.subresource}` : ""}` : review.nonResource?.path, namespace: ra?.namespace, allowed: decision.allowed, denied: decision.denied, rule: decision.rule }, "access review");
        return 200;
      }
    }
    throw new HttpError(404, `no such endpoint ${endpoint}`);
  }

  return (req, res) => {
    const started = process.hrtime.bigint();
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q < 0 ? url : url.slice(0, q);
    const endpoint = ENDPOINTS.has(path) ? path : "other";
    const finish = (code: number) => {
      metrics.requests.inc({ endpoint, code: String(code) });
      metrics.latency.observe({ endpoint }, Number(process.hrtime.bigint() - started) / 1e9);
    };
    route(path, req, res).then(finish, (err: unknown) => {
      let code = 500;
      let message = "internal error";
      if (err instanceof HttpError || err instanceof ReviewError) {
        code = err.code;
        message = err.message;
      } else logger.error({ endpoint, err: err instanceof Error ? { message: err.message, stack: err.stack } : String(err) }, "request failed");
      if (code >= 400 && code < 500) logger.info({ endpoint, code, reason: message }, "bad request");
      if (code === 413) res.setHeader("Connection", "close");
      send(res, code, statusBody(code, message));
      // A client sending more than we read must not keep the socket busy.
      if (code === 413) res.on("finish", () => req.destroy());
      finish(code);
    });
  };
}
