/**
 * `palisade install` with server.clientCAFile: the Deployment keeps HTTPS probes on /readyz
 * and /healthz (so readiness still waits for the first namespace list), the notes say what
 * needs the certificate, and a real `palisade serve` run from exactly the shipped files
 * answers those probes as the kubelet sends them (no client certificate, no verification)
 * while refusing /validate without kube-apiserver's certificate.
 * install runs in-process (src/); serve is the built CLI.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createCertificateAuthority, issueCertificate, type Issued } from "../../src/adapters/webhook/certificates.js";
import { palisade } from "../support/cli-in-process.js";
import { startServe } from "../support/serve-process.js";
import { restrictedPod, reviewBody } from "../admission/fixtures.js";

type Obj = { kind: string; metadata: { name: string; annotations?: Record<string, string> } } & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const NOTE =
  "palisade install: note: server.clientCAFile is set: every caller of /validate, /mutate, /authenticate and /authorize must present a client certificate signed by it, " +
  "kube-apiserver for admission too (an AdmissionConfiguration kubeconfig, specs/webhooks.md §5.2); /healthz, /readyz and /metrics answer without one, so the kubelet's HTTPS probes work\n";

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

/** An HTTPS request as the kubelet (no certificate, nothing verified) or kube-apiserver (its client certificate) sends it. */
function send(port: number, path: string, options: { body?: unknown; client?: Issued } = {}): Promise<{ status: number; text: string }> {
  const text = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: "127.0.0.1",
        port,
        path,
        method: text === undefined ? "GET" : "POST",
        rejectUnauthorized: false,
        agent: false,
        ...(options.client ? { cert: options.client.certPem, key: options.client.keyPem } : {}),
        headers: text === undefined ? {} : { "Content-Type": "application/json" },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      },
    );
    req.on("error", reject);
    req.end(text);
  });
}

describe("palisade install with server.clientCAFile", () => {
  it("ships HTTPS probes that a real serve answers without a certificate, while admission needs the API server's", async () => {
    const src = mkdtempSync(join(tmpdir(), "palisade-install-client-ca-"));
    const apiserverCa = await createCertificateAuthority("apiserver-client-ca");
    const apiserver = await issueCertificate(apiserverCa, { commonName: "kube-apiserver", usage: "client" });
    writeFileSync(join(src, "apiserver-ca.crt"), apiserverCa.certPem);
    writeFileSync(
      join(src, "config.yaml"),
      "apiVersion: palisade.dev/v1alpha1\nkind: WebhookServerConfiguration\nserver:\n  port: 9443\n  clientCAFile: apiserver-ca.crt\npolicies:\n  nodeRestriction: { mode: enforce }\naccess:\n  guardrails:\n    production: { key: env, value: prod }\n",
    );
    const result = await palisade(["install", "--apiserver-cidr", "10.0.0.0/24", "-o", "json", "--config", join(src, "config.yaml")]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(NOTE);
    const objects = (JSON.parse(result.stdout) as { items: Obj[] }).items;
    const deployment = objects.find((o) => o.kind === "Deployment")!;
    const container = deployment.spec.template.spec.containers[0];
    expect(container.readinessProbe).toEqual({ httpGet: { path: "/readyz", port: 9443, scheme: "HTTPS" }, periodSeconds: 10, timeoutSeconds: 2 });
    expect(container.livenessProbe).toEqual({ httpGet: { path: "/healthz", port: 9443, scheme: "HTTPS" }, periodSeconds: 10, timeoutSeconds: 2 });
    expect(JSON.stringify(deployment)).not.toContain("tcpSocket");
    const apiserverFiles = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "palisade-apiserver-webhooks")!;
    expect(apiserverFiles.data["authz-webhook.kubeconfig"]).toContain("client-certificate: /etc/kubernetes/palisade/apiserver-client.crt");
    expect(apiserverFiles.metadata.annotations!["palisade.dev/caller-authentication"]).toBe("server.clientCAFile is set: kube-apiserver must present apiserver-client.crt/.key, signed by that CA");

    // The pod's files, as the Deployment mounts them: the ConfigMap at config/, the TLS Secret at tls/.
    const data = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "palisade-webhook-config")!.data as Record<string, string>;
    expect(Object.keys(data).sort()).toEqual(["apiserver-ca.crt", "config.yaml"]);
    const root = mkdtempSync(join(tmpdir(), "palisade-install-client-ca-pod-"));
    mkdirSync(join(root, "config"));
    mkdirSync(join(root, "tls"));
    for (const [key, text] of Object.entries(data)) writeFileSync(join(root, "config", key), text);
    const servingCa = await createCertificateAuthority("serving-ca");
    const serving = await issueCertificate(servingCa, { commonName: "localhost", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"], usage: "server" });
    writeFileSync(join(root, "tls", "tls.crt"), serving.certPem);
    writeFileSync(join(root, "tls", "tls.key"), serving.keyPem);

    const server = await startServe(join(root, "config", "config.yaml"), { ca: servingCa.certPem });
    try {
      for (const probe of [container.readinessProbe, container.livenessProbe]) expect(await send(server.port, probe.httpGet.path)).toEqual({ status: 200, text: "ok" });
      const review = reviewBody(restrictedPod("web", "default"));
      const refused = await send(server.port, "/validate", { body: review });
      expect(refused.status).toBe(401);
      expect(JSON.parse(refused.text)).toEqual({
        apiVersion: "v1",
        kind: "Status",
        metadata: {},
        status: "Failure",
        code: 401,
        reason: "Unauthorized",
        message:
          "/validate is served only to callers presenting a client certificate signed by the CA in server.clientCAFile (kube-apiserver: client-certificate and client-key in its webhook kubeconfig); none was presented",
      });
      const answered = await send(server.port, "/validate", { body: review, client: apiserver });
      expect(answered.status).toBe(200);
      expect(JSON.parse(answered.text)).toMatchObject({ kind: "AdmissionReview", response: { uid: (review.request as { uid: string }).uid, allowed: true } });
      // Without a clientCAFile the shipped configuration would have made serve warn; with one it must not.
      expect(server.output()).not.toMatch(/any caller that can reach the port/);
    } finally {
      await server.stop();
    }
  }, 60_000);
});
