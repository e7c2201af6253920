/**
 * `palisade scan --admission-config`: the webhook's tenancy policy judges every template,
 * after its mutation, as the webhook would; without the configuration only the placement
 * facts that need no model are reported.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { palisade } from "../support/cli-in-process.js";

const IMAGE = "registry.example.com/app@sha256:0000000000000000000000000000000000000000000000000000000000000000";
const MANIFESTS = `apiVersion: v1
kind: Namespace
metadata: {name: blue-apps, labels: {palisade.dev/tenant: blue}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: placed-by-webhook, namespace: blue-apps}
spec:
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: a}}
    spec:
      containers: [{name: app, image: "${IMAGE}"}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: reaches-green, namespace: blue-apps}
spec:
  selector: {matchLabels: {app: b}}
  template:
    metadata: {labels: {app: b}}
    spec:
      containers: [{name: app, image: "${IMAGE}"}]
      tolerations:
        - {key: palisade.dev/tenant, operator: Equal, value: green, effect: NoSchedule}
`;
const config = (mode: string) => `apiVersion: palisade.dev/v1alpha1
kind: WebhookServerConfiguration
policies:
  tenancy:
    mode: ${mode}
    tenants:
      - name: blue
        taint: {key: palisade.dev/tenant, value: blue}
        nodeLabel: {key: node-restriction.kubernetes.io/tenant, value: blue}
      - name: green
        taint: {key: palisade.dev/tenant, value: green}
        nodeLabel: {key: node-restriction.kubernetes.io/tenant, value: green}
`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "palisade-tenancy-scan-"));
  writeFileSync(join(dir, "apps.yaml"), MANIFESTS);
  writeFileSync(join(dir, "enforce.yaml"), config("enforce"));
  writeFileSync(join(dir, "warn.yaml"), config("warn"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Report = { findings: { ruleId: string; severity: string; object: { name: string }; fieldPath: string; position: { line: number; column: number } }[] };
const tenancyFindings = (stdout: string) =>
  (JSON.parse(stdout) as Report).findings.filter((f) => f.ruleId.startsWith("tenancy/")).map((f) => [f.object.name, f.ruleId, f.severity, f.fieldPath, `${f.position.line}:${f.position.column}`]);

describe("palisade scan --admission-config with a tenancy policy", () => {
  it("refuses, as the webhook would, the toleration of another tenant's taint, and not the template its mutation places", async () => {
    const r = await palisade(["scan", join(dir, "apps.yaml"), "--admission-config", join(dir, "enforce.yaml"), "-o", "json", "--fail-on", "high"]);
    expect(tenancyFindings(r.stdout)).toEqual([["reaches-green", "tenancy/foreign-toleration", "high", "spec.template.spec.tolerations[0]", "25:11"]]);
    expect(r.code).toBe(1);
  });

  it("in warn mode nothing is placed nor refused: the missing placement and the foreign toleration are warnings", async () => {
    const r = await palisade(["scan", join(dir, "apps.yaml"), "--admission-config", join(dir, "warn.yaml"), "-o", "json", "--fail-on", "high"]);
    expect(tenancyFindings(r.stdout)).toEqual([
      ["placed-by-webhook", "tenancy/missing-tenant-placement", "medium", "spec.template.spec", "12:5"],
      ["reaches-green", "tenancy/missing-tenant-placement", "medium", "spec.template.spec", "22:5"],
      ["reaches-green", "tenancy/foreign-toleration", "medium", "spec.template.spec.tolerations[0]", "25:11"],
    ]);
    expect(r.code).toBe(0);
  });

  it("without the configuration, no tenant is known and none of its rules is judged", async () => {
    const r = await palisade(["scan", join(dir, "apps.yaml"), "-o", "json"]);
    expect(tenancyFindings(r.stdout)).toEqual([]);
  });
});
