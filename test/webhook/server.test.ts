import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { connect as tlsConnect } from "node:tls";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPolicy } from "../../src/access/rbac/policy.js";
import { RbacAuthorizer } from "../../src/access/rbac/authorizer.js";
import { tokenFileAuthenticator } from "../../src/access/authn/tokenfile.js";
import { rbacAccessAuthorizer } from "../../src/admission/access/rbac-adapter.js";
import { parseWebhookConfig } from "../../src/admission/config.js";
import { createEngine } from "../../src/adapters/webhook/engine.js";
import { createCertificateAuthority, issueCertificate } from "../../src/adapters/webhook/certificates.js";
import type { K8sObject } from "../../src/k8s/types.js";
import { repoRoot } from "../support/conformance.js";
import { namespace, pod, restrictedPod, reviewBody } from "../admission/fixtures.js";
import { servingCommonName, startTestServer, testPki, type TestServer } from "./support.js";

const CONFIG = resolve(repoRoot, "examples/admission-config.yaml");
const readFile = (path: string, relativeTo: string) => {
  const file = resolve(dirname(relativeTo), path);
  return { file, text: readFileSync(file, "utf8") };
};
// Generated per run: no token material in the repo.
const TOKEN = `tok-${Math.random().toString(36).slice(2)}${Date.now()}`;

function rbac() {
  const objects: K8sObject[] = [
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "secret-reader" }, rules: [{ apiGroups: [""], resources: ["secrets", "pods/exec", "pods"], verbs: ["get", "list", "create"] }] },
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", metadata: { name: "devs-read" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "secret-reader" }, subjects: [{ kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "devs" }] },
  ];
  return rbacAccessAuthorizer(new RbacAuthorizer(buildPolicy(objects.map((object) => ({ object })))));
}

let server: TestServer;
let engine: ReturnType<typeof createEngine>;

beforeAll(async () => {
  const config = parseWebhookConfig(CONFIG, readFileSync(CONFIG, "utf8"), readFile);
  engine = createEngine({
    config,
    authenticator: tokenFileAuthenticator(`${TOKEN},alice,1001,"devs,tenant:blue"\n`, "tokens.csv"),
    authorizer: rbac(),
    now: () => new Date("2026-06-01T00:00:00Z"),
  });
  engine.cluster.seed([
    namespace("blue-app", { "palisade.dev/tenant": "blue", "pod-security.kubernetes.io/enforce": "restricted" }),
    namespace("green-app", { "palisade.dev/tenant": "green", "palisade.dev/environment": "production" }),
    { apiVersion: "v1", kind: "Node", metadata: { name: "node-green-1", labels: { "node-restriction.kubernetes.io/tenant": "green" } } },
  ]);
  server = await startTestServer(engine, { maxBodyBytes: 64 * 1024, requestTimeoutSeconds: 1 });
});
afterAll(async () => server?.close());

type Review = { apiVersion: string; kind: string; response: { uid: string; allowed: boolean; patch?: string; patchType?: string; warnings?: string[]; status?: { code: number; message: string } } };

async function admit(path: "/validate" | "/mutate", body: Record<string, unknown>) {
  const res = await server.post(path, body);
  expect(res.status).toBe(200);
  const review = res.body as Review;
  expect(review.apiVersion).toBe("admission.k8s.io/v1");
  expect(review.kind).toBe("AdmissionReview");
  expect(review.response.uid).toBe((body.request as { uid: string }).uid);
  return review.response;
}

describe("admission over HTTPS", () => {
  it("mutates a tenant pod onto its nodes (base64 JSONPatch) and then admits it", async () => {
    const p = restrictedPod("web", "blue-app");
    const mutated = await admit("/mutate", reviewBody(p));
    expect(mutated.allowed).toBe(true);
    expect(mutated.patchType).toBe("JSONPatch");
    const ops = JSON.parse(Buffer.from(mutated.patch!, "base64").toString("utf8"));
    expect(ops).toEqual([
      { op: "add", path: "/spec/tolerations", value: [{ key: "palisade.dev/tenant", operator: "Equal", value: "blue", effect: "NoSchedule" }] },
      { op: "add", path: "/spec/nodeSelector", value: { "node-restriction.kubernetes.io/tenant": "blue" } },
    ]);
    const unpatched = await admit("/validate", reviewBody(p));
    expect(unpatched.allowed).toBe(false);
    expect(unpatched.status?.message).toContain("must tolerate palisade.dev/tenant=blue:NoSchedule");
    const patched = restrictedPod("web", "blue-app", { tolerations: ops[0].value, nodeSelector: ops[1].value });
    expect((await admit("/validate", reviewBody(patched))).allowed).toBe(true);
  });

  it("answers an AdmissionReview v1beta1 in v1beta1 (admissionReviewVersions: [v1beta1]), patch included", async () => {
    const p = restrictedPod("old-style", "blue-app");
    for (const path of ["/mutate", "/validate"] as const) {
      const body: Record<string, unknown> = { ...reviewBody(p), apiVersion: "admission.k8s.io/v1beta1" };
      const res = await server.post(path, body);
      expect(res.status).toBe(200);
      const review = res.body as Review;
      expect(review.apiVersion).toBe("admission.k8s.io/v1beta1");
      expect(review.kind).toBe("AdmissionReview");
      expect(review.response.uid).toBe((body.request as { uid: string }).uid);
      if (path === "/mutate") expect(review.response.patchType).toBe("JSONPatch");
      else expect(review.response.allowed).toBe(false);
    }
  });

  it("refuses pods that tolerate another tenant's taint or sit on its nodes", async () => {
    const sneaky = restrictedPod("x", "blue-app", {
      tolerations: [{ key: "palisade.dev/tenant", operator: "Equal", value: "blue", effect: "NoSchedule" }, { operator: "Exists" }],
      nodeSelector: { "node-restriction.kubernetes.io/tenant": "blue" },
    });
    const denied = await admit("/validate", reviewBody(sneaky));
    expect(denied.allowed).toBe(false);
    expect(denied.status?.code).toBe(403);
    expect(denied.status?.message).toContain('tolerates tenant "green"');
    const pinned = restrictedPod("y", "blue-app", { tolerations: [{ key: "palisade.dev/tenant", operator: "Equal", value: "blue", effect: "NoSchedule" }], nodeSelector: { "node-restriction.kubernetes.io/tenant": "blue" }, nodeName: "node-green-1" });
    expect((await admit("/validate", reviewBody(pinned))).status?.message).toContain("nodeName node-green-1 is a node of tenant");
  });

  it("enforces image policy: registry, digest, latest", async () => {
    const p = pod("img", "default", { containers: [{ name: "app", image: "nginx" }] });
    const res = await admit("/validate", reviewBody(p));
    expect(res.allowed).toBe(false);
    expect(res.status?.message).toContain("docker.io/library/nginx, not an allowed registry");
    expect(res.status?.message).toContain("uses the latest tag implicitly");
    expect(res.status?.message).toContain("not pinned by digest");
  });

  it("applies NodeRestriction to node identities (UPDATE with oldObject, DELETE)", async () => {
    const nodeUser = { username: "system:node:node-1", groups: ["system:nodes", "system:authenticated"] };
    const before = { apiVersion: "v1", kind: "Node", metadata: { name: "node-1", labels: { a: "1" } } };
    const after = { apiVersion: "v1", kind: "Node", metadata: { name: "node-1", labels: { a: "1", "node-restriction.kubernetes.io/tenant": "green" } } };
    const relabel = await admit("/validate", reviewBody(after, { operation: "UPDATE", oldObject: before, ...nodeUser }));
    expect(relabel.allowed).toBe(false);
    expect(relabel.status?.message).toContain("node-restriction.kubernetes.io/tenant");
    const other = await admit("/validate", reviewBody(null, { operation: "DELETE", oldObject: { ...before, metadata: { name: "node-2" } }, kind: "Node", ...nodeUser }));
    expect(other.allowed).toBe(false);
    expect(other.status?.message).toContain('is not allowed to modify node "node-2"');
    const foreignPod = pod("p", "default", { nodeName: "node-9" });
    const res = await admit("/validate", reviewBody(null, { operation: "DELETE", oldObject: foreignPod, kind: "Pod", ...nodeUser }));
    expect(res.allowed).toBe(false);
  });

  it("honours dryRun: a dry-run namespace teaches the server nothing", async () => {
    await admit("/validate", reviewBody(namespace("dry", { "palisade.dev/tenant": "green" }), { dryRun: true }));
    expect(engine.cluster.namespaceLabels("dry")).toBeUndefined();
    await admit("/validate", reviewBody(namespace("wet", { "palisade.dev/tenant": "green" })));
    expect(engine.cluster.namespaceLabels("wet")?.["palisade.dev/tenant"]).toBe("green");
  });

  it("ignores pod subresources such as status, judges ephemeralcontainers", async () => {
    const bad = pod("p", "blue-app", { containers: [{ name: "app", image: "nginx", securityContext: { privileged: true } }] });
    expect((await admit("/validate", reviewBody(bad, { operation: "UPDATE", oldObject: bad, subResource: "status" }))).allowed).toBe(true);
  });

  it("refuses credentials written into a ConfigMap or a workload, never echoing them, and admits them in a Secret", async () => {
    const token = `ghp_${"A1b2C3d4E5".repeat(3)}${TOKEN.replace(/[^A-Za-z0-9]/g, "").slice(0, 6).padEnd(6, "x")}`;
    const configMap = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "ci", namespace: "blue-app" }, data: { GITHUB_TOKEN: token } };
    const denied = await admit("/validate", reviewBody(configMap));
    expect(denied.allowed).toBe(false);
    expect(denied.status?.message).toContain("ConfigMap key GITHUB_TOKEN holds a GitHub token");
    const inline = restrictedPod("api", "blue-app", { containers: [{ name: "api", image: `registry.example.com/api@sha256:${"a".repeat(64)}`, env: [{ name: "DB_PASSWORD", value: `pw-${TOKEN}` }] }] });
    const refused = await admit("/validate", reviewBody(inline));
    expect(refused.allowed).toBe(false);
    expect(refused.status?.message).toContain('container "api" env DB_PASSWORD is named as a credential');
    const secret = { apiVersion: "v1", kind: "Secret", metadata: { name: "ci", namespace: "blue-app" }, stringData: { GITHUB_TOKEN: token } };
    expect((await admit("/validate", reviewBody(secret))).allowed).toBe(true);
    const said = JSON.stringify([denied, refused]) + server.logs.join("");
    expect(said).not.toContain(token);
    expect(said).not.toContain(`pw-${TOKEN}`);
  });

  it("never writes Secret data to the logs", async () => {
    const secretValue = Buffer.from(`s3cr3t-${TOKEN}`).toString("base64");
    const secret = { apiVersion: "v1", kind: "Secret", metadata: { name: "db", namespace: "blue-app" }, data: { password: secretValue }, stringData: { plain: `plain-${TOKEN}` } };
    await admit("/validate", reviewBody(secret));
    await admit("/validate", reviewBody(secret, { operation: "UPDATE", oldObject: secret }));
    const logs = server.logs.join("");
    expect(logs).toContain('"kind":"Secret"');
    expect(logs).not.toContain(secretValue);
    expect(logs).not.toContain(TOKEN);
  });
});

describe("access webhooks over HTTPS", () => {
  it("answers TokenReview v1 and v1beta1 in the request's version, never echoing the token", async () => {
    for (const apiVersion of ["authentication.k8s.io/v1", "authentication.k8s.io/v1beta1"]) {
      const res = await server.post("/authenticate", { apiVersion, kind: "TokenReview", spec: { token: TOKEN, audiences: ["https://kubernetes.default.svc"] } });
      expect(res.status).toBe(200);
      // No status.audiences: a static token is good for the API server's own audiences only, which it checks itself.
      expect(res.body).toEqual({ apiVersion, kind: "TokenReview", status: { authenticated: true, user: { username: "alice", uid: "1001", groups: ["devs", "tenant:blue"] } } });
    }
    const bad = await server.post("/authenticate", { apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", spec: { token: "wrong-token" } });
    expect((bad.body as { status: { authenticated: boolean; error: string } }).status.authenticated).toBe(false);
    expect(bad.text).not.toContain("wrong-token");
    expect(server.logs.join("")).not.toContain(TOKEN);
  });

  const sar = (apiVersion: string, resourceAttributes: Record<string, string>, groupsField = "groups", groups = ["devs", "tenant:blue"]) => ({
    apiVersion,
    kind: "SubjectAccessReview",
    spec: { resourceAttributes, user: "alice", [groupsField]: groups, uid: "1001" },
  });

  it("allows from RBAC, denies by guardrail with the rule's name, otherwise has no opinion", async () => {
    const own = await server.post("/authorize", sar("authorization.k8s.io/v1", { namespace: "blue-app", verb: "get", group: "", version: "v1", resource: "secrets", name: "db" }));
    expect((own.body as { status: unknown }).status).toMatchObject({ allowed: true });
    const cross = await server.post("/authorize", sar("authorization.k8s.io/v1", { namespace: "green-app", verb: "get", group: "", version: "v1", resource: "secrets", name: "db" }));
    expect((cross.body as { status: unknown }).status).toEqual({ allowed: false, denied: true, reason: expect.stringContaining("no-cross-tenant-secret-read") });
    const exec = await server.post("/authorize", sar("authorization.k8s.io/v1beta1", { namespace: "green-app", verb: "create", group: "", version: "v1", resource: "pods", subresource: "exec", name: "p" }, "group", ["devs"]));
    expect(exec.body).toMatchObject({ apiVersion: "authorization.k8s.io/v1beta1", status: { allowed: false, denied: true } });
    expect((exec.body as { status: { reason: string } }).status.reason).toContain("no-exec-in-production");
    const none = await server.post("/authorize", sar("authorization.k8s.io/v1", { namespace: "x", verb: "delete", group: "apps", version: "v1", resource: "deployments" }, "groups", ["others"]));
    expect((none.body as { status: Record<string, unknown> }).status.allowed).toBe(false);
    expect((none.body as { status: Record<string, unknown> }).status.denied).toBeUndefined();
    // kube-apiserver asks for nearly every request: only the guardrails' denials are logged at info (30), the rest at debug (20).
    const levels = server.logs
      .map((line) => JSON.parse(line) as { msg: string; level: number; rule?: string })
      .filter((l) => l.msg.startsWith("access review"))
      .map((l) => [l.msg, l.level, l.rule]);
    expect(levels).toEqual([
      ["access review", 20, expect.any(String)],
      ["access review denied", 30, "no-cross-tenant-secret-read"],
      ["access review denied", 30, "no-exec-in-production"],
      ["access review", 20, expect.any(String)],
    ]);
  });
});

describe("bad input never crashes the server", () => {
  const status = async (body: unknown, options: Parameters<TestServer["post"]>[2] = {}, path = "/validate") => {
    const res = await server.post(path, body, options);
    return { code: res.status, body: res.body as { kind?: string; code?: number; reason?: string; message?: string } };
  };

  it("answers malformed JSON, wrong apiVersion/kind and missing uid with a 400 Status", async () => {
    for (const [body, raw, message] of [
      ["{not json", true, "not valid JSON"],
      [{ apiVersion: "admission.k8s.io/v2", kind: "AdmissionReview", request: {} }, false, "expected apiVersion admission.k8s.io/v1"],
      [{ apiVersion: "admission.k8s.io/v1", kind: "TokenReview" }, false, "expected apiVersion"],
      [{ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { operation: "CREATE" } }, false, "request.uid is required"],
    ] as const) {
      const res = await status(body, { raw });
      expect(res.code).toBe(400);
      expect(res.body.kind).toBe("Status");
      expect(res.body.message).toContain(message);
    }
  });

  it("refuses oversized bodies with 413, wrong methods with 405, other media types with 415, unknown paths with 404", async () => {
    const huge = reviewBody(pod("big", "default", { containers: [{ name: "a", image: "x".repeat(70 * 1024) }] }));
    expect((await status(huge)).code).toBe(413);
    expect((await status("", { method: "GET" })).code).toBe(405);
    expect((await status("{}", { raw: true, headers: { "Content-Type": "text/plain" } })).code).toBe(415);
    expect((await status({}, {}, "/nope")).code).toBe(404);
    // Whatever the method: a GET of an unknown path is not "405, accepts POST only".
    const unknown = await status("", { method: "GET" }, "/nope");
    expect(unknown.code).toBe(404);
    expect(unknown.body.reason).toBe("NotFound");
  });

  it("tolerates the ?timeout= query the API server appends", async () => {
    const res = await server.post("/validate?timeout=10s", reviewBody(restrictedPod("q", "default")));
    expect(res.status).toBe(200);
  });

  it("answers every random body with a documented status and stays healthy (property)", async () => {
    const arbitraryBody = fc.oneof(
      fc.string(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.record({ apiVersion: fc.constantFrom("admission.k8s.io/v1", "x"), kind: fc.constantFrom("AdmissionReview", "Pod"), request: fc.jsonValue() }).map((v) => JSON.stringify(v)),
      fc.record({ uid: fc.string(), operation: fc.constantFrom("CREATE", "UPDATE", "DELETE", "CONNECT", "PATCH"), kind: fc.jsonValue(), resource: fc.jsonValue(), object: fc.jsonValue(), oldObject: fc.jsonValue(), userInfo: fc.jsonValue() }, { requiredKeys: ["uid", "operation"] })
        .map((request) => JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request })),
    );
    await fc.assert(
      fc.asyncProperty(arbitraryBody, fc.constantFrom("/validate", "/mutate", "/authenticate", "/authorize"), async (body, path) => {
        const res = await server.post(path, body, { raw: true });
        expect([200, 400]).toContain(res.status);
        if (res.status === 400) expect((res.body as { kind: string }).kind).toBe("Status");
      }),
      { numRuns: 100 },
    );
    expect((await server.post("/healthz", "", { method: "GET" })).status).toBe(200);
  });

  it("cuts off a slow client that never finishes its request", async () => {
    const pki = await testPki();
    const closed = await new Promise<boolean>((resolveClosed, reject) => {
      const socket = tlsConnect({ host: "127.0.0.1", port: server.port, ca: pki.ca.certPem, servername: "localhost" }, () => {
        socket.write("POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n{");
      });
      socket.on("error", reject);
      socket.on("close", () => resolveClosed(true));
      socket.resume();
    });
    expect(closed).toBe(true);
    expect((await server.post("/healthz", "", { method: "GET" })).status).toBe(200);
  });
});

describe("operations endpoints", () => {
  it("serves healthz, readyz and Prometheus metrics with decisions by policy and rule", async () => {
    expect((await server.post("/readyz", "", { method: "GET" })).text).toBe("ok");
    const metrics = (await server.post("/metrics", "", { method: "GET" })).text;
    expect(metrics).toMatch(/palisade_admission_decisions_total\{policy="images",rule="digest",outcome="deny"\} [1-9]/);
    expect(metrics).toContain('palisade_webhook_request_duration_seconds_bucket{le="0.0001",endpoint="/validate"}');
    expect(metrics).toMatch(/palisade_webhook_requests_total\{endpoint="\/validate",code="413"\} 1/);
    // Server-side policy time, per judged request: /validate and /mutate both answered above.
    expect(metrics).toMatch(/palisade_admission_policy_duration_seconds_count\{endpoint="\/validate"\} [1-9]/);
    expect(metrics).toMatch(/palisade_admission_policy_duration_seconds_count\{endpoint="\/mutate"\} [1-9]/);
    expect(metrics).toContain('palisade_admission_policy_duration_seconds_bucket{le="0.00001",endpoint="/validate"}');
  });
});

describe("TLS", () => {
  it("reloads the serving certificate when its files change", async () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-tls-"));
    const pki = await testPki();
    const first = await issueCertificate(pki.ca, { commonName: "first", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"], usage: "server" });
    writeFileSync(join(dir, "tls.crt"), first.certPem);
    writeFileSync(join(dir, "tls.key"), first.keyPem);
    const s = await startTestServer(engine, { tls: { certFile: join(dir, "tls.crt"), keyFile: join(dir, "tls.key") }, certificatePollMs: 50 });
    const peerCN = () => servingCommonName(s.port, pki.ca.certPem);
    try {
      expect(await peerCN()).toBe("first");
      const second = await issueCertificate(pki.ca, { commonName: "second", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"], usage: "server" });
      writeFileSync(join(dir, "tls.key"), second.keyPem);
      writeFileSync(join(dir, "tls.crt"), second.certPem);
      let cn = await peerCN();
      for (let i = 0; i < 200 && cn !== "second"; i++) {
        await new Promise((r) => setTimeout(r, 50));
        cn = await peerCN();
      }
      expect(cn).toBe("second");
    } finally {
      await s.close();
    }
  });

  // Which paths need the client certificate, and how it is checked: client-certificate.test.ts.
  it("refuses TLS 1.1 and, with a client CA, admission callers without a certificate from it", async () => {
    const pki = await testPki();
    const apiserverCa = await createCertificateAuthority("apiserver-client-ca");
    const client = await issueCertificate(apiserverCa, { commonName: "kube-apiserver", usage: "client" });
    const s = await startTestServer(engine, { tls: { certPem: pki.server.certPem, keyPem: pki.server.keyPem, clientCaPem: apiserverCa.certPem } });
    try {
      const review = reviewBody(restrictedPod("web", "blue-app"));
      expect((await s.post("/validate", review)).status).toBe(401);
      expect((await s.post("/validate", review, { client })).status).toBe(200);
      const old = await new Promise<string>((done) => {
        const socket = tlsConnect({ host: "127.0.0.1", port: s.port, ca: pki.ca.certPem, servername: "localhost", maxVersion: "TLSv1.1", minVersion: "TLSv1" }, () => done("connected"));
        socket.on("error", (err) => done(err.message));
      });
      expect(old).not.toBe("connected");
    } finally {
      await s.close();
    }
  });
});
