import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluateYaml } from "./evaluate-yaml.js";

const evaluate = evaluateYaml;

const setup = (item: string, resources: string) => `
apiVersion: v1
kind: LimitRange
metadata: {name: lr, namespace: t}
spec:
  limits:
  - ${item}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: q, namespace: t}
spec:
  hard: {requests.cpu: "10", pods: "10"}
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: t}
spec:
  containers:
  - {name: app, image: registry.example/app@sha256:abc, resources: ${resources}}
`;

describe("requests above limits once LimitRange defaults are in (API validation after admission's mutation)", () => {
  it("refuses a pod whose stated request is above the LimitRange's default limit, and counts it nowhere", async () => {
    const result = await evaluate(setup("{type: Container, default: {cpu: '1'}}", "{requests: {cpu: '2', memory: 64Mi}, limits: {memory: 64Mi}}"));
    const messages = result.findings.filter((f) => f.ruleId === "quota/limitrange-violation").map((f) => f.message);
    expect(messages).toEqual(["container app: request 2 must be less than or equal to cpu limit of 1, and LimitRange lr gave the container its default cpu limit of 1; the API server refuses the pod when it validates it"]);
    expect(result.namespaces[0]!.rejectedPods).toBe(1);
    expect(result.namespaces[0]!.quotas[0]!.used).toEqual({ pods: "0", "requests.cpu": "0" });
  });

  it("a default request above a stated limit never applies: the API server first requests the limit", async () => {
    const result = await evaluate(setup("{type: Container, default: {cpu: '2'}, defaultRequest: {cpu: '1500m'}}", "{limits: {cpu: 500m, memory: 64Mi}}"));
    expect(result.findings.filter((f) => f.ruleId === "quota/limitrange-violation")).toEqual([]);
    expect(result.namespaces[0]!.quotas[0]!.used).toEqual({ pods: "1", "requests.cpu": "500m" });
  });

  it("property: with a default limit d and a stated request r (milli-cpu), the pod is refused exactly when r > d", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 8000 }), fc.integer({ min: 1, max: 8000 }), async (d, r) => {
        const result = await evaluate(setup(`{type: Container, default: {cpu: ${d}m}}`, `{requests: {cpu: ${r}m}}`));
        const refused = result.namespaces[0]!.rejectedPods === 1;
        expect(refused).toBe(r > d);
        expect(result.namespaces[0]!.quotas[0]!.used["requests.cpu"]).toBe(r > d ? "0" : `${r}m`.replace(/^(\d+)000m$/, "$1"));
      }),
      { numRuns: 40 },
    );
  });
});
