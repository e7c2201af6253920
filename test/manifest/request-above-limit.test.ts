import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadSnapshot } from "../../src/k8s/load.js";
import { manifestFamily } from "../../src/manifest/family.js";

async function findings(yaml: string) {
  const snapshot = await loadSnapshot({ paths: ["-"], stdinText: yaml });
  expect(snapshot.problems).toEqual([]);
  return manifestFamily.check(snapshot, {}).filter((f) => f.ruleId === "manifest/request-above-limit");
}

const deployment = (resources: string, list = "containers") => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      ${list}:
      - name: app
        image: registry.example/app@sha256:${"a".repeat(64)}
        resources: ${resources}
`;

describe("requests against limits, as the API server validates a container's resources", () => {
  it("refuses a request above its limit, at the request's line", async () => {
    const [finding, ...rest] = await findings(deployment("{requests: {cpu: '2', memory: 64Mi}, limits: {cpu: '1', memory: 64Mi}}"));
    expect(rest).toEqual([]);
    expect(finding?.fieldPath).toBe("spec.template.spec.containers[0].resources.requests.cpu");
    expect(finding?.message).toBe('container "app" requests 2 cpu, above its limit of 1: the request must be less than or equal to the limit, and the API server refuses the object');
    expect(finding?.position?.line).toBe(12);
  });

  it("compares quantities, not their text, in init containers too; a limit alone is fine (the request defaults to it)", async () => {
    expect(await findings(deployment("{requests: {memory: 1Gi}, limits: {memory: 1024Mi}}", "initContainers"))).toEqual([]);
    expect(await findings(deployment("{requests: {memory: 1025Mi}, limits: {memory: 1Gi}}", "initContainers"))).toHaveLength(1);
    expect(await findings(deployment("{limits: {cpu: 500m}}"))).toEqual([]);
  });

  it("an extended resource or hugepages needs a limit, and a request equal to it", async () => {
    expect((await findings(deployment("{requests: {nvidia.com/gpu: '1'}}")))[0]?.message).toMatch(/requests 1 nvidia\.com\/gpu with no limit: .* cannot be overcommitted/);
    expect((await findings(deployment("{requests: {hugepages-2Mi: 2Mi}, limits: {hugepages-2Mi: 4Mi}}")))[0]?.message).toMatch(/must equal the limit/);
    expect(await findings(deployment("{requests: {nvidia.com/gpu: '1'}, limits: {nvidia.com/gpu: 1}}"))).toEqual([]);
    // kubernetes.io-prefixed names are native, and may be overcommitted.
    expect(await findings(deployment("{requests: {example.kubernetes.io/widgets: '1'}}"))).toEqual([]);
  });

  it("reports exactly the requests above their limits (property, cpu in millicores)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 8000 }), fc.integer({ min: 1, max: 8000 }), async (request, limit) => {
        const found = await findings(deployment(`{requests: {cpu: ${request}m}, limits: {cpu: ${limit}m}}`));
        expect(found.length).toBe(request > limit ? 1 : 0);
      }),
      { numRuns: 60 },
    );
  });
});
