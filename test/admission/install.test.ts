import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { kubernetesYaml } from "../../src/k8s/yaml-out.js";
import { describe, expect, it } from "vitest";
import { parseWebhookConfig } from "../../src/admission/config.js";
import { installManifests } from "../../src/install/manifests.js";
import { shipServerConfig } from "../../src/install/server-config.js";
import { loadSnapshot } from "../../src/k8s/load.js";
import type { K8sObject } from "../../src/k8s/types.js";
import { runScan } from "../../src/scan/run.js";
import { repoRoot } from "../support/conformance.js";

// The default configuration, shipped as `palisade install` ships it.
const shipped = await shipServerConfig({
  namespace: "palisade-system",
  read: () => {
    throw new Error("the default configuration reads no file");
  },
  isFile: () => true,
  checkManifests: async () => undefined,
});
const objects = installManifests({
  namespace: "palisade-system",
  image: "ghcr.io/palisade-dev/palisade@sha256:" + "0".repeat(64),
  replicas: 2,
  apiserverCidrs: ["10.0.0.10/32"],
  configFiles: shipped.files,
  port: shipped.port,
});
const byKind = (kind: string) => objects.filter((o) => o.kind === kind) as (K8sObject & Record<string, any>)[]; // eslint-disable-line @typescript-eslint/no-explicit-any

describe("palisade install", () => {
  it("runs at least two hardened replicas, spread, with a disruption budget", () => {
    const [deployment] = byKind("Deployment");
    expect(deployment!.spec.replicas).toBeGreaterThanOrEqual(2);
    const pod = deployment!.spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.topologySpreadConstraints.map((t: { topologyKey: string }) => t.topologyKey)).toContain("kubernetes.io/hostname");
    const container = pod.containers[0];
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ["ALL"] } });
    expect(container.resources.limits).toBeDefined();
    expect(byKind("PodDisruptionBudget")[0]!.spec.minAvailable).toBe(1);
  });

  it("registers webhooks the way the API server requires", () => {
    for (const kind of ["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"]) {
      const [config] = byKind(kind);
      expect(config!.metadata!.annotations?.["cert-manager.io/inject-ca-from"]).toBe("palisade-system/palisade-webhook");
      for (const hook of config!.webhooks) {
        expect(hook).toMatchObject({ failurePolicy: "Fail", sideEffects: "None", admissionReviewVersions: ["v1"], matchPolicy: "Equivalent" });
        expect(hook.timeoutSeconds).toBeGreaterThanOrEqual(1);
        expect(hook.timeoutSeconds).toBeLessThanOrEqual(30);
        expect(hook.clientConfig.service).toMatchObject({ name: "palisade-webhook", namespace: "palisade-system", port: 443 });
      }
      expect(config!.webhooks[0].namespaceSelector.matchExpressions[0]).toEqual({ key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["kube-system", "palisade-system"] });
    }
    const withCa = installManifests({ namespace: "p", image: "i", replicas: 2, apiserverCidrs: ["10.0.0.1/32"], caBundlePem: "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n", configFiles: {} });
    const hook = (withCa.find((o) => o.kind === "ValidatingWebhookConfiguration") as Record<string, any>).webhooks[0]; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(Buffer.from(hook.clientConfig.caBundle, "base64").toString()).toContain("BEGIN CERTIFICATE");
    expect(withCa.some((o) => o.kind === "Certificate")).toBe(false);
  });

  it("admits only the API server and ships a configuration the server accepts", () => {
    const [policy] = byKind("NetworkPolicy");
    expect(policy!.spec.ingress).toEqual([{ from: [{ ipBlock: { cidr: "10.0.0.10/32" } }], ports: [{ protocol: "TCP", port: 8443 }] }]);
    const [config] = byKind("ConfigMap").filter((c) => c.metadata!.name === "palisade-webhook-config");
    const parsed = parseWebhookConfig("/etc/palisade/config/config.yaml", config!.data["config.yaml"], (path: string) => ({ file: path, text: config!.data[path] }));
    expect(parsed.policies.map((p) => p.name).sort()).toEqual(["images", "node-restriction", "pod-security"]);
    const files = byKind("ConfigMap").find((c) => c.metadata!.name === "palisade-apiserver-webhooks")!.data;
    expect(files["authz-webhook.kubeconfig"]).toContain("server: https://palisade-webhook.palisade-system.svc:443/authorize");
    expect(files["kube-apiserver-flags.txt"]).toContain("--authorization-webhook-version=v1");
  });

  it("passes palisade scan, Dockerfile included", async () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-install-"));
    // As `palisade install` prints them.
    writeFileSync(join(dir, "palisade.yaml"), objects.map((o) => kubernetesYaml(o, { lineWidth: 0 })).join("---\n"));
    copyFileSync(resolve(repoRoot, "deploy/Dockerfile"), join(dir, "Dockerfile"));
    const snapshot = await loadSnapshot({ paths: [dir] });
    expect(snapshot.problems).toEqual([]);
    expect(snapshot.textFiles.map((f) => f.kind)).toEqual(["dockerfile"]);
    const result = runScan(snapshot);
    expect(result.findings.map((f) => `${f.ruleId}: ${f.message}`)).toEqual([]);
  });
});
