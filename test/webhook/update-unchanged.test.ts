/**
 * The QA reproductions of "every UPDATE is re-judged", over real HTTPS with the example
 * configuration (images from allowed registries only, digests required, latest forbidden;
 * tenancy; Pod Security; PSP-free): each request is an UPDATE that changes nothing a policy
 * governs, and must be allowed. (Pod Security still warns about a workload template on each
 * update, as PSA does: a warning, never a refusal.)
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseWebhookConfig } from "../../src/admission/config.js";
import { createEngine } from "../../src/adapters/webhook/engine.js";
import { repoRoot } from "../support/conformance.js";
import { startTestServer, type TestServer } from "./support.js";

const CONFIG = resolve(repoRoot, "examples/admission-config.yaml");
let server: TestServer;

beforeAll(async () => {
  const readFile = (path: string, relativeTo: string) => {
    const file = resolve(dirname(relativeTo), path);
    return { file, text: readFileSync(file, "utf8") };
  };
  const engine = createEngine({ config: parseWebhookConfig(CONFIG, readFileSync(CONFIG, "utf8"), readFile), now: () => new Date("2026-06-01T00:00:00Z") });
  server = await startTestServer(engine);
});
afterAll(async () => server?.close());

const POD = { kind: { group: "", version: "v1", kind: "Pod" }, resource: { group: "", version: "v1", resource: "pods" } };
const ALICE = { username: "alice", groups: ["system:authenticated"] };
const review = (request: Record<string, unknown>) => ({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { dryRun: false, ...request } });
const nginxPod = (metadata: Record<string, unknown>, securityContext?: Record<string, unknown>) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "p1", namespace: "default", ...metadata },
  spec: { containers: [{ name: "c", image: "nginx:latest", ...(securityContext ? { securityContext } : {}) }] },
});
const replicaSet = (replicas: number) => ({
  apiVersion: "apps/v1",
  kind: "ReplicaSet",
  metadata: { name: "web-5d8f", namespace: "default" },
  spec: { replicas, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "docker.io/library/nginx:1.27" }] } } },
});

// /tmp/qa-serve/rs-scale-update.json, pod-finalizer-removal.json, pod-priv-update-labels.json, pod-priv-delete.json
const CASES: [string, Record<string, unknown>][] = [
  [
    "the deployment controller scales a ReplicaSet from a registry outside allowedRegistries",
    {
      uid: "rs-scale-1",
      kind: { group: "apps", version: "v1", kind: "ReplicaSet" },
      resource: { group: "apps", version: "v1", resource: "replicasets" },
      name: "web-5d8f",
      namespace: "default",
      operation: "UPDATE",
      userInfo: { username: "system:serviceaccount:kube-system:deployment-controller", groups: ["system:serviceaccounts", "system:authenticated"] },
      object: replicaSet(1),
      oldObject: replicaSet(3),
    },
  ],
  [
    "a terminating pod on nginx:latest loses its last finalizer",
    { uid: "fin-1", ...POD, name: "p1", namespace: "default", operation: "UPDATE", userInfo: ALICE, object: nginxPod({ deletionTimestamp: "2026-11-30T10:00:00Z" }), oldObject: nginxPod({ deletionTimestamp: "2026-11-30T10:00:00Z", finalizers: ["example.com/cleanup"] }) },
  ],
  [
    "a privileged pod on nginx:latest gets a label",
    { uid: "upd-1", ...POD, name: "p1", namespace: "default", operation: "UPDATE", userInfo: ALICE, object: nginxPod({ labels: { x: "y" } }, { privileged: true }), oldObject: nginxPod({}, { privileged: true }) },
  ],
  ["a privileged pod on nginx:latest is deleted", { uid: "del-1", ...POD, name: "p1", namespace: "default", operation: "DELETE", userInfo: ALICE, object: null, oldObject: nginxPod({}, { privileged: true }) }],
];

describe("POST /validate: updates and deletes of content that predates the policies", () => {
  it.each(CASES)("%s: allowed", async (_title, request) => {
    const res = await server.post("/validate", review(request));
    expect(res.status).toBe(200);
    const { response } = res.body as { response: { uid: string; allowed: boolean; status?: unknown; warnings?: string[] } };
    expect(response).toMatchObject({ uid: request.uid, allowed: true });
    expect(response.status).toBeUndefined();
    for (const warning of response.warnings ?? []) expect(warning).toMatch(/^would violate PodSecurity "restricted:latest": /);
  });

  it("the same ReplicaSet created anew is still refused by the images policy (the test can fail)", async () => {
    const res = await server.post("/validate", review({ ...CASES[0]![1], uid: "rs-create", operation: "CREATE", oldObject: null }));
    const body = res.body as { response: { allowed: boolean; status: { message: string } } };
    expect(body.response.allowed).toBe(false);
    expect(body.response.status.message).toContain('container "web" image "docker.io/library/nginx:1.27" is from docker.io/library/nginx, not an allowed registry');
  });
});
