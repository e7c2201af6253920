import { describe, expect, it } from "vitest";
import { parseWebhookConfig } from "../../src/admission/config.js";
import { validateAdmission } from "../../src/admission/pipeline.js";
import { secretsPolicy } from "../../src/admission/policies/secrets.js";
import type { AdmissionException } from "../../src/admission/exceptions.js";
import { defaultPsaConfig, defaultServerConfig, installManifests } from "../../src/install/manifests.js";
import type { K8sObject } from "../../src/k8s/types.js";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { secretsFamily } from "../../src/secrets/family.js";
import { emptySnapshot } from "../../src/k8s/snapshot.js";
import { review } from "./fixtures.js";

const NOW = new Date("2026-06-01T00:00:00Z");
const deployment = (env: Record<string, unknown>[]): K8sObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "api", namespace: "shop" },
  spec: { template: { spec: { containers: [{ name: "api", image: "x", env }, { name: "sidecar", image: "y", args: ["--upstream=https://u:pa55@example.com"] }] } } },
});

describe("the secrets admission policy", () => {
  it("denies what the scan's secrets family finds, rule by rule and container by container, and never quotes the value", () => {
    const object = deployment([{ name: "DB_PASSWORD", value: "pa55word" }, { name: "DB_HOST", value: "db" }]);
    const decision = validateAdmission(review(object), { policies: [secretsPolicy("enforce")], now: NOW });
    expect(decision.response.allowed).toBe(false);
    expect(decision.records.map((r) => r.rule)).toEqual(["inline-credential", "known-credential"]);
    expect(JSON.stringify(decision)).not.toContain("pa55");
    // The scan finds the same, in the same order.
    const loaded = parseYamlFile("d.yaml", JSON.stringify(object)).objects;
    const scanned = secretsFamily.check({ ...emptySnapshot(), objects: loaded }, {});
    expect(scanned.map((f) => f.ruleId)).toEqual(decision.records.map((r) => `secrets/${r.rule}`));
  });

  it("admits Secrets, subresources and clean objects; warns in warn mode", () => {
    const secret: K8sObject = { apiVersion: "v1", kind: "Secret", metadata: { name: "db", namespace: "shop" }, stringData: { password: "pa55word" } };
    expect(validateAdmission(review(secret), { policies: [secretsPolicy("enforce")], now: NOW }).response.allowed).toBe(true);
    const object = deployment([{ name: "DB_PASSWORD", value: "pa55word" }]);
    expect(validateAdmission(review(object, { operation: "UPDATE", oldObject: object, subResource: "status" }), { policies: [secretsPolicy("enforce")], now: NOW }).response.allowed).toBe(true);
    expect(validateAdmission(review(deployment([{ name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } }])), { policies: [secretsPolicy("enforce")], now: NOW }).records.map((r) => r.rule)).toEqual(["known-credential"]);
    const warned = validateAdmission(review(object), { policies: [secretsPolicy("warn")], now: NOW });
    expect(warned.response.allowed).toBe(true);
    expect(warned.response.warnings?.join("\n")).toContain('container "api" env DB_PASSWORD is named as a credential');
  });

  it("refuses an update only for the credentials it adds", () => {
    const before = deployment([{ name: "DB_PASSWORD", value: "pa55word" }]);
    const relabelled = { ...before, metadata: { ...before.metadata, labels: { team: "shop" } } };
    const policies = [secretsPolicy("enforce")];
    expect(validateAdmission(review(relabelled, { operation: "UPDATE", oldObject: before }), { policies, now: NOW }).response.allowed).toBe(true);
    const more = deployment([{ name: "DB_PASSWORD", value: "pa55word" }, { name: "API_TOKEN", value: "t0ken-t0ken" }]);
    const decision = validateAdmission(review(more, { operation: "UPDATE", oldObject: before }), { policies, now: NOW });
    expect(decision.response.allowed).toBe(false);
    expect(decision.response.status?.message).toContain("env API_TOKEN");
    expect(decision.response.status?.message).not.toContain("env DB_PASSWORD");
    // A credential replaced by another in the same place is new material, refused as an added one is, never echoed.
    const rotated = deployment([{ name: "DB_PASSWORD", value: "n3w-pa55word" }]);
    const changed = validateAdmission(review(rotated, { operation: "UPDATE", oldObject: before }), { policies, now: NOW });
    expect(changed.response.allowed).toBe(false);
    expect(changed.response.status?.message).toContain("env DB_PASSWORD");
    expect(JSON.stringify(changed.response)).not.toMatch(/pa55word/);
  });

  it("honours an exception for its rule and container", () => {
    const exception: AdmissionException = { id: "legacy", policy: "secrets", rule: "*", namespace: "shop", container: "sidecar", owner: "o@example.com", reason: "vendor", expires: new Date("2999-01-01") };
    const decision = validateAdmission(review(deployment([])), { policies: [secretsPolicy("enforce")], exceptions: [exception], now: NOW });
    expect(decision.response.allowed).toBe(true);
    expect(decision.exceptionsUsed).toEqual(["legacy"]);
  });

  it("is configured by policies.secrets, and palisade install then sends ConfigMaps to the validating webhook", () => {
    const config = defaultServerConfig().replace("policies:\n", "policies:\n  secrets: { mode: enforce }\n");
    const parsed = parseWebhookConfig("c.yaml", config, () => ({ file: "psa.yaml", text: defaultPsaConfig("palisade-system") }));
    expect(parsed.policies.map((p) => p.name)).toContain("secrets");
    const resources = (judgesConfigMaps: boolean) => {
      const objects = installManifests({ namespace: "palisade-system", image: "i", replicas: 2, apiserverCidrs: [], configFiles: { "config.yaml": config }, judgesConfigMaps });
      const validating = objects.find((o) => o.kind === "ValidatingWebhookConfiguration") as { webhooks: Array<{ name: string; rules: Array<{ resources: string[] }> }> };
      return validating.webhooks.find((w) => w.name === "validate.palisade.dev")!.rules.flatMap((r) => r.resources);
    };
    expect(resources(true)).toContain("configmaps");
    expect(resources(false)).not.toContain("configmaps");
    expect(() => parseWebhookConfig("c.yaml", config.replace("{ mode: enforce }", "{ mode: enforce, values: all }"), () => ({ file: "psa.yaml", text: defaultPsaConfig("palisade-system") }))).toThrow(/values/);
  });
});
