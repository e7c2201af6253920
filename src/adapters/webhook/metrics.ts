/**
 * Prometheus metrics of the webhook server: requests, latency (buckets down to 50µs, as
 * admission work is sub-millisecond), server-side policy evaluation time, and decisions by
 * policy, rule and outcome.
 *
 * Hot path: the label sets a request touches are few (endpoint × status code, policy × rule ×
 * outcome), so their bound children are made once and reused; a request does no label
 * lookups beyond one Map hit per metric.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { DecisionRecord } from "../../admission/pipeline.js";

/** Sub-millisecond work: 10µs … 1s. */
const POLICY_BUCKETS = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.00075, 0.001, 0.002, 0.005, 0.01, 0.025, 0.1, 1];

interface CounterChild {
  inc(value?: number): void;
}
interface HistogramChild {
  observe(value: number): void;
}

export class WebhookMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<"endpoint" | "code">;
  readonly latency: Histogram<"endpoint">;
  /** Time spent judging an admission request (policies, exceptions, response), per endpoint. */
  readonly policyLatency: Histogram<"endpoint">;
  readonly decisions: Counter<"policy" | "rule" | "outcome">;
  readonly accessDecisions: Counter<"endpoint" | "rule" | "result">;
  /** Uses per exception id: an exception that stays at zero is a stale permission to remove. */
  readonly exceptionUses: Counter<"exception">;
  /** Seconds until the serving certificate in use ends (negative once it has): alert well before zero. */
  readonly servingCertificateExpiry: Gauge;
  private servingNotAfter: Date | undefined;

  private readonly requestChildren = new Map<string, CounterChild>();
  private readonly latencyChildren = new Map<string, HistogramChild>();
  private readonly policyChildren = new Map<string, HistogramChild>();
  private readonly decisionChildren = new Map<string, CounterChild>();
  private readonly exceptionChildren = new Map<string, CounterChild>();

  constructor(options: { defaultMetrics?: boolean } = {}) {
    this.requests = new Counter({ name: "palisade_webhook_requests_total", help: "Webhook HTTP requests by endpoint and HTTP status code", labelNames: ["endpoint", "code"], registers: [this.registry] });
    this.latency = new Histogram({
      name: "palisade_webhook_request_duration_seconds",
      help: "Time from request received to response written, by endpoint",
      labelNames: ["endpoint"],
      buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.00075, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [this.registry],
    });
    this.policyLatency = new Histogram({
      name: "palisade_admission_policy_duration_seconds",
      help: "Server-side time spent judging one admission request (every policy, exceptions, response), by endpoint; excludes TLS, HTTP and JSON decoding",
      labelNames: ["endpoint"],
      buckets: POLICY_BUCKETS,
      registers: [this.registry],
    });
    this.decisions = new Counter({ name: "palisade_admission_decisions_total", help: "Admission policy decisions by policy, rule and outcome (deny, warn, audit, dry-run, excepted, patch)", labelNames: ["policy", "rule", "outcome"], registers: [this.registry] });
    this.accessDecisions = new Counter({ name: "palisade_access_decisions_total", help: "TokenReview and SubjectAccessReview answers by rule and result", labelNames: ["endpoint", "rule", "result"], registers: [this.registry] });
    this.exceptionUses = new Counter({ name: "palisade_exception_uses_total", help: "Requests in which a policy exception applied, by exception id", labelNames: ["exception"], registers: [this.registry] });
    const servingNotAfter = () => this.servingNotAfter;
    this.servingCertificateExpiry = new Gauge({
      name: "palisade_webhook_serving_certificate_expiry_seconds",
      help: "Seconds until the notAfter of the serving certificate in use (negative once expired); kube-apiserver refuses the handshake from then on",
      // Computed at scrape time, so that it keeps counting down between certificate reloads.
      collect() {
        const notAfter = servingNotAfter();
        if (notAfter) this.set((notAfter.getTime() - Date.now()) / 1000);
      },
      // Across workers, the certificate that ends first (a worker may not have reloaded yet); never a sum.
      aggregator: "min",
      registers: [this.registry],
    });
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: "palisade_" });
  }

  /** The serving certificate now in use (at start and after each reload). */
  setServingCertificate(notAfter: Date): void {
    this.servingNotAfter = notAfter;
  }

  /** One answered HTTP request: its status code and its duration in seconds. */
  recordRequest(endpoint: string, code: number, seconds: number): void {
    this.countRequest(endpoint, code);
    let histogram = this.latencyChildren.get(endpoint);
    if (!histogram) this.latencyChildren.set(endpoint, (histogram = this.latency.labels(endpoint)));
    histogram.observe(seconds);
  }

  /**
   * A request the client ended before it could be answered (408 timed out, 499 closed by the
   * client): counted, but kept out of the latency histogram, which measures answers.
   */
  recordUnanswered(endpoint: string, code: 408 | 499): void {
    this.countRequest(endpoint, code);
  }

  private countRequest(endpoint: string, code: number): void {
    const key = `${endpoint} ${code}`;
    let counter = this.requestChildren.get(key);
    if (!counter) this.requestChildren.set(key, (counter = this.requests.labels(endpoint, String(code))));
    counter.inc();
  }

  /** Time the engine took to judge one admission request, in seconds. */
  recordPolicyTime(endpoint: string, seconds: number): void {
    let histogram = this.policyChildren.get(endpoint);
    if (!histogram) this.policyChildren.set(endpoint, (histogram = this.policyLatency.labels(endpoint)));
    histogram.observe(seconds);
  }

  recordDecisions(records: readonly DecisionRecord[], exceptionsUsed: readonly string[] = []): void {
    for (const r of records) {
      const key = `${r.policy}\n${r.rule}\n${r.outcome}`;
      let counter = this.decisionChildren.get(key);
      if (!counter) {
        counter = this.decisions.labels(r.policy, r.rule, r.outcome);
        // Rule ids come from the policies, not from requests, but stay bounded anyway.
        if (this.decisionChildren.size < 10_000) this.decisionChildren.set(key, counter);
      }
      counter.inc();
    }
    for (const id of exceptionsUsed) {
      let counter = this.exceptionChildren.get(id);
      if (!counter) {
        counter = this.exceptionUses.labels(id);
        if (this.exceptionChildren.size < 10_000) this.exceptionChildren.set(id, counter);
      }
      counter.inc();
    }
  }
}
