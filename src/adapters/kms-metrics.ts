import { createServer, type Server } from "node:http";
import { Counter, Gauge, Histogram, Registry } from "prom-client";

/** The plugin's Prometheus metrics, on a registry of its own (no global state between tests). */
export class KmsMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: "palisade_kms_requests_total",
    help: "KMS v2 gRPC requests by method and gRPC status code",
    labelNames: ["method", "code"] as const,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: "palisade_kms_request_duration_seconds",
    help: "Time to serve a KMS v2 gRPC request",
    labelNames: ["method"] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25],
    registers: [this.registry],
  });
  readonly keys = new Gauge({
    name: "palisade_kms_keyring_keys",
    help: "KEKs in the loaded keyring (the first encrypts, all decrypt)",
    registers: [this.registry],
  });
  readonly reloads = new Counter({
    name: "palisade_kms_keyring_reloads_total",
    help: "Keyring reloads by result (ok, error); an error keeps the previous keyring",
    labelNames: ["result"] as const,
    registers: [this.registry],
  });
}

/** Serves /metrics on 127.0.0.1 only: metrics are for a local scraper, not the network. */
export async function serveMetrics(metrics: KmsMetrics, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method === "GET" && req.url === "/metrics") {
      metrics.registry.metrics().then(
        (body) => {
          res.writeHead(200, { "content-type": metrics.registry.contentType });
          res.end(body);
        },
        () => {
          res.writeHead(500).end();
        },
      );
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return server;
}
