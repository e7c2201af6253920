/**
 * Same verdict everywhere: every object goes through the pure evaluation (what `palisade scan`
 * uses) and through the running HTTPS server (/mutate, patch applied, /validate); the answers
 * must be identical, uid aside.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import fastJsonPatch from "fast-json-patch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClusterState } from "../../src/admission/cluster-state.js";
import { parseWebhookConfig, type WebhookConfig } from "../../src/admission/config.js";
import { admissionMutations, admissionVerdict, createRequestFor } from "../../src/admission/scan-bridge.js";
import { createEngine } from "../../src/adapters/webhook/engine.js";
import type { K8sObject } from "../../src/k8s/types.js";
import { repoRoot } from "../support/conformance.js";
import { deployment, namespace, pod, restrictedPod } from "../admission/fixtures.js";
import { startTestServer, type TestServer } from "./support.js";

const NOW = new Date("2026-06-01T00:00:00Z");
const CONFIG = resolve(repoRoot, "examples/admission-config.yaml");
const config: WebhookConfig = parseWebhookConfig(CONFIG, readFileSync(CONFIG, "utf8"), (path, from) => {
  const file = resolve(dirname(from), path);
  return { file, text: readFileSync(file, "utf8") };
});
const seed: K8sObject[] = [
  namespace("blue-app", { "palisade.dev/tenant": "blue", "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/warn": "restricted" }),
  namespace("billing", { "pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/audit": "restricted" }),
  namespace("plain"),
];
const digest = "registry.example.com/app@sha256:" + "a".repeat(64);
const objects: K8sObject[] = [
  restrictedPod("ok", "blue-app"),
  restrictedPod("tolerates-all", "blue-app", { tolerations: [{ operator: "Exists" }] }),
  pod("privileged", "blue-app", { containers: [{ name: "app", image: digest, securityContext: { privileged: true } }] }),
  pod("latest", "plain", { containers: [{ name: "app", image: "nginx:latest" }] }),
  pod("host-net", "billing", { hostNetwork: true, containers: [{ name: "app", image: digest }] }),
  { ...pod("legacy-billing-abc12-xyz", "billing", { hostNetwork: true, containers: [{ name: "app", image: digest }] }, { labels: { "pod-template-hash": "abc12" }, ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "legacy-billing-abc12", uid: "1" }] }) },
  deployment("web", "blue-app", { containers: [{ name: "app", image: digest, securityContext: { privileged: true } }] }),
  deployment("web", "plain", { containers: [{ name: "app", image: digest }] }),
  namespace("new-team", { "pod-security.kubernetes.io/enforce": "restricted" }),
  namespace("typo", { "pod-security.kubernetes.io/enforce": "restrictd" }),
];

let server: TestServer;
beforeAll(async () => {
  const cluster = new ClusterState();
  cluster.seed(structuredClone(seed));
  server = await startTestServer(createEngine({ config, cluster, now: () => NOW }));
});
afterAll(async () => server?.close());

function withoutUid(response: Record<string, unknown>): Record<string, unknown> {
  const { uid: _uid, ...rest } = response;
  return rest;
}

async function overHttps(object: K8sObject) {
  const post = async (path: string, obj: K8sObject) => {
    const request = { ...createRequestFor(obj), uid: randomUUID() };
    const res = await server.post(path, { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request });
    expect(res.status).toBe(200);
    const response = (res.body as { response: Record<string, unknown> }).response;
    expect(response.uid).toBe(request.uid);
    return response;
  };
  const mutation = await post("/mutate", structuredClone(object));
  const ops = typeof mutation.patch === "string" ? JSON.parse(Buffer.from(mutation.patch, "base64").toString("utf8")) : [];
  const mutated = fastJsonPatch.applyPatch(structuredClone(object), ops, true, false).newDocument as K8sObject;
  const validation = await post("/validate", mutated);
  return { mutation, validation };
}

describe("shared verdict: pure evaluation == HTTPS server", () => {
  it.each(objects.map((o) => [`${o.kind}/${o.metadata?.namespace ?? ""}/${o.metadata?.name}`, o] as const))("%s", async (_name, object) => {
    const cluster = new ClusterState();
    cluster.seed(structuredClone(seed));
    const pure = admissionVerdict(config, structuredClone(object), cluster, NOW);
    const remote = await overHttps(object);
    expect(withoutUid(remote.mutation)).toEqual(withoutUid({ ...pure.mutation.response }));
    expect(withoutUid(remote.validation)).toEqual(withoutUid({ ...pure.validation.response }));
  });

  it("covers allowed, denied, warned, audited, excepted and mutated outcomes", () => {
    const outcomes = new Set<string>();
    for (const object of objects) {
      const cluster = new ClusterState();
      cluster.seed(structuredClone(seed));
      const v = admissionVerdict(config, structuredClone(object), cluster, NOW);
      outcomes.add(v.validation.response.allowed ? "allowed" : "denied");
      if (v.validation.response.warnings) outcomes.add("warned");
      if (v.validation.response.auditAnnotations) outcomes.add("audited");
      if (v.validation.exceptionsUsed.length > 0) outcomes.add("excepted");
      if (v.mutation.response.patch) outcomes.add("mutated");
    }
    expect([...outcomes].sort()).toEqual(["allowed", "audited", "denied", "excepted", "mutated", "warned"]);
  });

  it("counts exception uses in /metrics (unused ones stay at zero)", async () => {
    const metrics = (await server.post("/metrics", "", { method: "GET" })).text;
    expect(metrics).toMatch(/palisade_exception_uses_total\{exception="legacy-billing-host-network"\} 1\n/);
  });

  it("admissionMutations gives scan the patched object", () => {
    const cluster = new ClusterState();
    cluster.seed(structuredClone(seed));
    const { object, patch } = admissionMutations(config)(restrictedPod("ok", "blue-app"), cluster);
    expect(patch.length).toBe(2);
    expect((object.spec as { nodeSelector: Record<string, string> }).nodeSelector).toEqual({ "node-restriction.kubernetes.io/tenant": "blue" });
  });
});
