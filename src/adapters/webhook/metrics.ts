/**
 * Prometheus metrics of the webhook server: requests, latency (buckets down to 50µs, as
 * admission work is sub-millisecond), and decisions by policy, rule and outcome.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { DecisionRecord } from "../../admission/pipeline.js";

export class WebhookMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<"endpoint" | "code">;
  readonly latency: Histogram<"endpoint">;
  readonly decisions: Counter<"policy" | "rule" | "outcome">;
  readonly accessDecisions: Counter<"endpoint" | "rule" | "result">;
  /** Uses per exception id: an exception that stays at zero is a stale permission to remove. */
  readonly exceptionUses: Counter<"exception">;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    this.requests = new Counter({ name: "palisade_webhook_requests_total", help: "Webhook HTTP requests by endpoint and HTTP status code", labelNames: ["endpoint", "code"], registers: [this.registry] });
    this.latency = new Histogram({
      name: "palisade_webhook_request_duration_seconds",
      help: "Time from request body received to response written, by endpoint",
      labelNames: ["endpoint"],
      buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.00075, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [this.registry],
    });
    this.decisions = new Counter({ name: "palisade_admission_decisions_total", help: "Admission policy decisions by policy, rule and outcome (deny, warn, audit, dry-run, excepted, patch)", labelNames: ["policy", "rule", "outcome"], registers: [this.registry] });
    this.accessDecisions = new Counter({ name: "palisade_access_decisions_total", help: "TokenReview and SubjectAccessReview answers by rule and result", labelNames: ["endpoint", "rule", "result"], registers: [this.registry] });
    this.exceptionUses = new Counter({ name: "palisade_exception_uses_total", help: "Requests in which a policy exception applied, by exception id", labelNames: ["exception"], registers: [this.registry] });
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: "palisade_" });
  }

  recordDecisions(records: readonly DecisionRecord[], exceptionsUsed: readonly string[] = []): void {
    for (const r of records) this.decisions.inc({ policy: r.policy, rule: r.rule, outcome: r.outcome });
    for (const id of exceptionsUsed) this.exceptionUses.inc({ exception: id });
  }
}
