/**
 * `palisade install` refuses the namespaces Kubernetes creates (its Namespace labels, quotas
 * and LimitRange would apply to everything already there), and registers the mutating
 * webhook only when a configured policy mutates.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { repoRoot } from "../support/conformance.js";
import { palisade } from "../support/cli-in-process.js";
import type { Obj } from "./support.js";

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

const CIDR = ["--apiserver-cidr", "10.0.0.0/24"];

describe("palisade install --namespace", () => {
  it("refuses the namespaces Kubernetes creates, saying why and what to do, and prints nothing", async () => {
    for (const namespace of ["kube-system", "kube-public", "kube-node-lease", "default"]) {
      const result = await palisade(["install", ...CIDR, "-n", namespace]);
      expect(result.code, namespace).toBe(2);
      expect(result.stdout, namespace).toBe("");
      expect(result.stderr, namespace).toMatch(new RegExp(`^palisade: --namespace ${namespace}: install into a namespace of Palisade's own, not one Kubernetes creates: install labels it for restricted Pod Security`));
      expect(result.stderr, namespace).toContain("hint: leave out --namespace (palisade-system), or give a new namespace name");
      expect(result.stderr, namespace).not.toContain("    at ");
    }
  });

  it("installs into any other namespace, which the webhooks and the PSA exemptions then name once", async () => {
    const result = await palisade(["install", ...CIDR, "-n", "kube-guard", "-o", "json"]);
    expect(result.code, result.stderr).toBe(0);
    const items = (JSON.parse(result.stdout) as { items: Obj[] }).items;
    const psa = items.find((o) => o.kind === "ConfigMap" && o.metadata.name === "palisade-webhook-config")!.data["psa.yaml"] as string;
    expect(psa).toContain("namespaces: [kube-system, kube-guard]");
  });
});

describe("the mutating webhook", () => {
  async function kinds(...args: string[]): Promise<string[]> {
    const result = await palisade(["install", ...CIDR, "-o", "json", ...args]);
    expect(result.code, result.stderr).toBe(0);
    return (JSON.parse(result.stdout) as { items: Obj[] }).items.map((o) => o.kind);
  }

  it("is registered exactly when a configured policy mutates", async () => {
    // The default configuration (Pod Security, NodeRestriction, images) patches nothing.
    expect(await kinds()).not.toContain("MutatingWebhookConfiguration");
    expect(await kinds()).toContain("ValidatingWebhookConfiguration");
    // The example has tenancy, which adds tolerations and a node selector.
    const example = resolve(repoRoot, "examples/admission-config.yaml");
    expect(await kinds("--config", example)).toContain("MutatingWebhookConfiguration");
    // Tenancy in warn mode still needs the call: it reports what it would patch.
    const dir = mkdtempSync(join(tmpdir(), "palisade-install-mutating-"));
    const file = join(dir, "config.yaml");
    writeFileSync(
      file,
      "apiVersion: palisade.dev/v1alpha1\nkind: WebhookServerConfiguration\nserver:\n  port: 8443\npolicies:\n  tenancy:\n    mode: warn\n    namespaceLabel: palisade.dev/tenant\n    tenants:\n      - name: blue\n        taint: { key: palisade.dev/tenant, value: blue, effect: NoSchedule }\n        nodeLabel: { key: node-restriction.kubernetes.io/tenant, value: blue }\n",
    );
    expect(await kinds("--config", file)).toContain("MutatingWebhookConfiguration");
  });
});
