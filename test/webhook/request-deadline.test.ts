/**
 * The API server's `?timeout=` bounds the webhook's slow work: when a Namespace's enforce
 * level tightens, existing pods are judged within half of what is left of the request (at
 * most a second), as the pod-security webhook does with its request context.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseWebhookConfig } from "../../src/admission/config.js";
import { LIST_FAILED_WARNING } from "../../src/admission/policies/pod-security-existing-pods.js";
import { createEngine } from "../../src/adapters/webhook/engine.js";
import { namespace, pod, reviewBody } from "../admission/fixtures.js";
import { startTestServer, type TestServer } from "./support.js";

const CONFIG = "apiVersion: palisade.dev/v1alpha1\nkind: WebhookServerConfiguration\npolicies:\n  podSecurity: {mode: enforce}\n";

let server: TestServer;

beforeAll(async () => {
  const engine = createEngine({ config: parseWebhookConfig("config.yaml", CONFIG, (path) => { throw new Error(`this configuration reads no files (asked for ${path})`); }) });
  engine.cluster.seed([namespace("open"), pod("p1", "open", { hostNetwork: true }), pod("p2", "open", { hostNetwork: true })]);
  server = await startTestServer(engine);
});
afterAll(async () => server?.close());

async function tightenWith(query: string): Promise<string[]> {
  const res = await server.post(`/validate${query}`, reviewBody(namespace("open", { "pod-security.kubernetes.io/enforce": "baseline" }), { operation: "UPDATE", oldObject: namespace("open") }));
  expect(res.status).toBe(200);
  const review = res.body as { response: { allowed: boolean; warnings?: string[] } };
  expect(review.response.allowed).toBe(true);
  return review.response.warnings ?? [];
}

const JUDGED = ['existing pods in namespace "open" violate the new PodSecurity enforce level "baseline:latest"', "p1 (and 1 other pod): host namespaces"];

describe("the request's ?timeout= bounds the existing-pods check", () => {
  it("judges the pods when the API server allows the usual 10 s, or says nothing of time", async () => {
    expect(await tightenWith("?timeout=10s")).toEqual(JUDGED);
    expect(await tightenWith("")).toEqual(JUDGED);
  });

  it("ignores a timeout that is not a Go duration, as the pod-security webhook does", async () => {
    expect(await tightenWith("?timeout=ten")).toEqual(JUDGED);
    expect(await tightenWith("?timeout=10")).toEqual(JUDGED);
  });

  it("leaves no time to list pods when the API server has already stopped waiting", async () => {
    expect(await tightenWith("?timeout=0s")).toEqual([LIST_FAILED_WARNING]);
    expect(await tightenWith("?other=1&timeout=-1s")).toEqual([LIST_FAILED_WARNING]);
  });
});
