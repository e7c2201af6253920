/**
 * `palisade install` with server.clientCAFile: the Deployment keeps HTTPS probes on /readyz
 * and /healthz (so readiness still waits for the first namespace list), the notes say what
 * needs the certificate, and a real `palisade serve` run from exactly the shipped files
 * answers those probes as the kubelet sends them (no client certificate, no verification)
 * while refusing /validate without kube-apiserver's certificate.
 * install runs in-process (src/); serve is the built CLI.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createCertificateAuthority, issueCertificate } from "../../src/adapters/webhook/certificates.js";
import { palisade } from "../support/cli-in-process.js";
import { startServe } from "../support/serve-process.js";
import { restrictedPod, reviewBody } from "../admission/fixtures.js";
import { send, withoutWebhookUrlWarning, writeServingCertificate, type Obj } from "./support.js";

const NOTE =
  "palisade install: note: server.clientCAFile is set: every caller of /validate, /mutate, /authenticate and /authorize must present a client certificate signed by it, " +
  "kube-apiserver for admission too (admission-configuration.yaml and admission-webhooks.kubeconfig in ConfigMap palisade-apiserver-webhooks, specs/webhooks.md §5.2); /healthz, /readyz and /metrics answer without one, so the kubelet's HTTPS probes work\n";

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

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
    expect(withoutWebhookUrlWarning(result.stderr)).toBe(NOTE);
    const objects = (JSON.parse(result.stdout) as { items: Obj[] }).items;
    const deployment = objects.find((o) => o.kind === "Deployment")!;
    const container = deployment.spec.template.spec.containers[0];
    expect(container.readinessProbe).toEqual({ httpGet: { path: "/readyz", port: 9443, scheme: "HTTPS" }, periodSeconds: 10, timeoutSeconds: 2 });
    expect(container.livenessProbe).toEqual({ httpGet: { path: "/healthz", port: 9443, scheme: "HTTPS" }, periodSeconds: 10, timeoutSeconds: 2 });
    expect(JSON.stringify(deployment)).not.toContain("tcpSocket");
    const apiserverFiles = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "palisade-apiserver-webhooks")!;
    expect(apiserverFiles.data["authz-webhook.kubeconfig"]).toContain("client-certificate: /etc/kubernetes/palisade/apiserver-client.crt");
    expect(apiserverFiles.metadata.annotations!["palisade.dev/caller-authentication"]).toBe("server.clientCAFile is set: kube-apiserver must present apiserver-client.crt/.key, signed by that CA");
    // Admission too: kube-apiserver presents a client certificate to admission webhooks only through an AdmissionConfiguration kubeconfig.
    expect(apiserverFiles.data["admission-webhooks.kubeconfig"]).toContain("client-certificate: /etc/kubernetes/palisade/apiserver-client.crt");
    expect(apiserverFiles.data["kube-apiserver-flags.txt"]).toContain("--admission-control-config-file=/etc/kubernetes/palisade/admission-configuration.yaml\n");

    // The pod's files, as the Deployment mounts them: the ConfigMap at config/, the TLS Secret at tls/.
    const data = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "palisade-webhook-config")!.data as Record<string, string>;
    expect(Object.keys(data).sort()).toEqual(["apiserver-ca.crt", "config.yaml"]);
    const root = mkdtempSync(join(tmpdir(), "palisade-install-client-ca-pod-"));
    mkdirSync(join(root, "config"));
    for (const [key, text] of Object.entries(data)) writeFileSync(join(root, "config", key), text);
    const servingCa = await writeServingCertificate(join(root, "tls"));

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
