import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluateYaml } from "./evaluate-yaml.js";
import { limitRangeErrors } from "../../../src/access/quota/limitrange-validation.js";
import { readLimitRange } from "../../../src/access/quota/limitrange.js";

const errorsOf = (limits: unknown[]) => limitRangeErrors(readLimitRange("lr", { limits }, [])).map((e) => e.message);

const evaluate = evaluateYaml;

describe("LimitRange validation (upstream ValidateLimitRange, on the defaulted items)", () => {
  it("refuses a defaultRequest above the max (the max being the default limit too): it then defaults and bounds nothing", async () => {
    const result = await evaluate(`
apiVersion: v1
kind: LimitRange
metadata: {name: lr, namespace: t}
spec:
  limits:
  - type: Container
    max: {cpu: 500m}
    defaultRequest: {cpu: "1"}
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: t}
spec:
  containers:
  - {name: app, image: registry.example/app@sha256:abc, resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: 200m, memory: 64Mi}}}
`);
    expect(result.refused.map((r) => r.problem.message)).toEqual([
      "LimitRange t/lr: spec.limits[0].defaultRequest.cpu: default request value 1 is greater than max value 500m; spec.limits[0].defaultRequest.cpu: default request value 1 is greater than default limit value 500m: the API server refuses the object, so it bounds nothing and is left out of the quota totals",
    ]);
    expect(result.namespaces[0]!.limitRanges).toEqual([]);
    expect(result.findings.filter((f) => f.ruleId === "quota/limitrange-violation")).toEqual([]);
  });

  it("refuses two items of one type, defaults on a Pod item, a claim item without storage and a ratio below 1", () => {
    expect(errorsOf([{ type: "Container", max: { cpu: "1" } }, { type: "Container", min: { cpu: "10m" } }])).toEqual(['duplicate type "Container": one item per type']);
    expect(errorsOf([{ type: "Pod", max: { cpu: "2" }, default: { cpu: "1" } }])).toEqual(["default may not be set when type is Pod"]);
    expect(errorsOf([{ type: "PersistentVolumeClaim", max: { "requests.storage": "1Gi" } }])).toEqual(["a PersistentVolumeClaim item needs a min or max storage value"]);
    expect(errorsOf([{ type: "Container", maxLimitRequestRatio: { cpu: "500m" } }])).toEqual(["ratio 500m is less than 1"]);
    expect(errorsOf([{ type: "Container", min: { cpu: "100m" }, max: { cpu: "200m" }, maxLimitRequestRatio: { cpu: "3" } }])).toEqual(["ratio 3 is greater than max/min = 2.000000"]);
    // Refused under max, and under default and defaultRequest that the max made, as upstream validates the defaulted item.
    const storage = limitRangeErrors(readLimitRange("lr", { limits: [{ type: "Container", max: { storage: "1Gi" } }] }, [])).map((e) => e.path.join("."));
    expect(storage).toEqual(["spec.limits.0.max.storage", "spec.limits.0.default.storage", "spec.limits.0.defaultRequest.storage"]);
    expect(errorsOf([{ type: "Node", max: { cpu: "1" } }])).toEqual(['type "Node" must be Container, Pod, PersistentVolumeClaim or a domain-prefixed type']);
    // Extended resources cannot be overcommitted: default and defaultRequest must be equal.
    expect(errorsOf([{ type: "Container", default: { "example.com/gpu": "2" }, defaultRequest: { "example.com/gpu": "1" } }])).toEqual(["default value 2 must equal defaultRequest value 1 for example.com/gpu, which cannot be overcommitted"]);
  });

  it("accepts the usual shapes", () => {
    expect(errorsOf([{ type: "Container", default: { cpu: "500m", memory: "256Mi" }, defaultRequest: { cpu: "100m", memory: "128Mi" }, max: { cpu: "1", memory: "1Gi" }, min: { cpu: "10m" } }, { type: "Pod", max: { cpu: "4" } }, { type: "PersistentVolumeClaim", min: { storage: "1Gi" } }])).toEqual([]);
    // A min alone makes the default request, which is then equal to it.
    expect(errorsOf([{ type: "Container", min: { cpu: "100m" } }])).toEqual([]);
  });

  it("property: a Container item with min and max (milli-cpu) is refused exactly when min > max", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 100_000 }), (min, max) => {
        const errors = errorsOf([{ type: "Container", min: { cpu: `${min}m` }, max: { cpu: `${max}m` } }]);
        // The max becomes the default limit and the default request; the min is then checked against both as well.
        expect(errors.length > 0).toBe(min > max);
        if (min > max) expect(errors[0]).toMatch(/^min value .* is greater than max value /);
      }),
    );
  });
});
