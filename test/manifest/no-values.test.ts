import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { K8sObject } from "../../src/k8s/types.js";
import { manifestFamily } from "../../src/manifest/family.js";
import { palisade } from "../support/cli-in-process.js";
import { snapshotOf } from "../support/snapshot.js";

// The QA reproduction: a credential's value written as a number, where kubectl then fails.
const REPRODUCTION = `apiVersion: v1
kind: ConfigMap
metadata:
  name: cm
  annotations:
    db-password: 55554444333
data:
  DB_PASSWORD: 11112222333
---
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: c
    image: x
    env:
    - {name: API_KEY, value: 987654321987}
    args: ["--password", 66667777888, "--token=abc"]
    command: [app, --db-password, 99990000111]
---
apiVersion: v1
kind: Secret
metadata: {name: s}
stringData: {pin: 424242424242}
data: [c2VjcmV0]
`;
const VALUES = /987654321987|55554444333|11112222333|66667777888|99990000111|424242424242|c2VjcmV0/;

describe("values are never printed in manifest findings (they may be credentials)", () => {
  it.each(["text", "wide", "json", "yaml", "sarif", "junit", "github"])("says what was read and to quote it, in %s output, without the value", async (format) => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-values-"));
    writeFileSync(join(dir, "s3.yaml"), REPRODUCTION);
    const { stdout } = await palisade(["scan", join(dir, "s3.yaml"), "-o", format, "--no-color", "--rules", "manifest/*"]);
    expect(stdout).toContain("spec.containers[0].env[0].value is a number where Kubernetes expects text (quote it)");
    expect(stdout).not.toMatch(VALUES);
  });

  // A value a person could have written under a field that carries secrets: a number (which
  // Kubernetes refuses there) or text, alone or inside a list or a mapping where text belongs.
  const number = fc.oneof(fc.integer({ min: 100_000, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: -100_000 }), fc.double({ min: 1000, max: 1e12, noNaN: true }).filter((n) => !Number.isInteger(n)));
  // A capital Q starts no word of any message, so the text cannot be found there by chance.
  const text = fc.stringMatching(/^[a-z0-9+/=]{6,20}$/).map((s) => `Q${s}`);
  const value = fc.oneof(number, text);
  const shaped = fc.oneof(value, value.map((v) => [v]), value.map((v) => ({ key: v })), value.map((v) => ({ key: [v] })));
  type Placed = { objects: K8sObject[]; values: Array<number | string> };
  const placements = fc.tuple(shaped, shaped, shaped, shaped, shaped, shaped, shaped, fc.constantFrom("v1 Pod", "apps/v1 Deployment", "extensions/v1beta1 Deployment", "argoproj.io/v1alpha1 Rollout")).map(([env, args, command, data, stringData, annotation, annotations, workload]): Placed => {
    const container = { name: "c", image: "x", env: [{ name: "E", value: env }], args, command };
    const pod = { containers: [container] };
    const [apiVersion, kind] = workload.split(" ") as [string, string];
    const spec = kind === "Pod" ? pod : { selector: { matchLabels: { app: "a" } }, template: { metadata: { labels: { app: "a" } }, spec: pod } };
    const objects = [
      { apiVersion, kind, metadata: { name: "w", annotations: { note: annotation } }, spec },
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm", annotations }, data },
      { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, data, stringData },
    ] as K8sObject[];
    const values = [env, args, command, data, stringData, annotation, annotations].flatMap(function leaves(v: unknown): Array<number | string> {
      if (typeof v === "number" || typeof v === "string") return [v];
      return Object.values(v as object).flatMap(leaves);
    });
    return { objects, values };
  });

  it("no finding's JSON holds a number or text written under env values, args, command, data, stringData or annotations (property)", () => {
    fc.assert(
      fc.property(placements, ({ objects, values }) => {
        const findings = manifestFamily.check(snapshotOf(...objects), {});
        // Not vacuous: a number anywhere there is a finding (text in a text field is none).
        if (values.some((v) => typeof v === "number")) expect(findings.length).toBeGreaterThan(0);
        const json = JSON.stringify(findings);
        for (const v of values) expect(json).not.toContain(String(v));
      }),
      { numRuns: 300 },
    );
  });
});
