import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatQuantity, parseQuantity } from "../../../src/k8s/quantity.js";
import { containerDefaults, limitRangeViolations, readLimitRange } from "../../../src/access/quota/limitrange.js";
import { applyContainerDefaults, isBestEffort, podLimits, podRequests, readPodResources } from "../../../src/access/quota/pod-resources.js";
import { formatResourceList, type QuantityProblem } from "../../../src/access/quota/resource-list.js";
import { missingRequiredResources } from "../../../src/access/quota/resourcequota.js";

const container = (name: string, requests?: Record<string, unknown>, limits?: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  name,
  ...(requests || limits ? { resources: { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) } } : {}),
  ...extra,
});

describe("pod requests and limits as upstream's resource helpers compute them", () => {
  it("adds containers and sidecars, takes the larger init moment, and adds overhead", () => {
    const pod = readPodResources(
      {
        containers: [container("app", { cpu: "100m", memory: "64Mi" }), container("log", { cpu: "200m" })],
        initContainers: [
          container("mesh", { cpu: "50m", memory: "32Mi" }, undefined, { restartPolicy: "Always" }),
          container("migrate", { cpu: "1", memory: "16Mi" }),
        ],
        overhead: { cpu: "10m" },
      },
      ["spec"],
    );
    // regular 300m + sidecar 50m = 350m; init moment: migrate 1 + mesh 50m = 1050m; + 10m overhead.
    expect(formatResourceList(podRequests(pod))).toEqual({ cpu: "1060m", memory: "96Mi" });
    expect(formatResourceList(podRequests(pod, { excludeOverhead: true }))).toEqual({ cpu: "1050m", memory: "96Mi" });
  });

  it("adds overhead only to limits that exist, and requests default to limits", () => {
    const pod = readPodResources({ containers: [container("a", undefined, { memory: "1Gi" })], overhead: { cpu: "10m", memory: "64Mi" } }, ["spec"]);
    expect(formatResourceList(podLimits(pod))).toEqual({ memory: "1088Mi" });
    expect(formatResourceList(podRequests(pod))).toEqual({ cpu: "10m", memory: "1088Mi" });
  });

  it("lets pod-level resources replace the container aggregate for cpu and memory", () => {
    const pod = readPodResources({ resources: { requests: { cpu: "2" } }, containers: [container("a", { cpu: "100m", memory: "1Gi" })] }, ["spec"]);
    expect(formatResourceList(podRequests(pod))).toEqual({ cpu: "2", memory: "1Gi" });
  });

  it("reports unparseable quantities with their field path", () => {
    const pod = readPodResources({ containers: [container("a", { cpu: "one" })] }, ["spec", "template", "spec"]);
    expect(pod.problems).toEqual([{ path: ["spec", "template", "spec", "containers", 0, "resources", "requests", "cpu"], message: expect.stringMatching(/^cpu: "one" is not a quantity/) }]);
  });

  it("is BestEffort only without any non-zero cpu or memory", () => {
    expect(isBestEffort(readPodResources({ containers: [container("a")] }, []))).toBe(true);
    expect(isBestEffort(readPodResources({ containers: [container("a", { cpu: "0" })] }, []))).toBe(true);
    expect(isBestEffort(readPodResources({ containers: [container("a")], initContainers: [container("i", { memory: "1Mi" })] }, []))).toBe(false);
  });

  it("never asks less than the regular containers plus sidecars, nor less than any init container", () => {
    const milli = fc.integer({ min: 0, max: 4000 });
    fc.assert(
      fc.property(fc.array(milli, { minLength: 1, maxLength: 5 }), fc.array(fc.tuple(milli, fc.boolean()), { maxLength: 5 }), (regular, inits) => {
        const pod = readPodResources(
          {
            containers: regular.map((m, i) => container(`c${i}`, { cpu: `${m}m` })),
            initContainers: inits.map(([m, sidecar], i) => container(`i${i}`, { cpu: `${m}m` }, undefined, sidecar ? { restartPolicy: "Always" } : {})),
          },
          [],
        );
        const total = podRequests(pod).get("cpu")?.nanos ?? 0n;
        const steady = [...regular, ...inits.filter(([, s]) => s).map(([m]) => m)].reduce((a, b) => a + b, 0);
        expect(total >= BigInt(steady) * 1_000_000n).toBe(true);
        for (const [m] of inits) expect(total >= BigInt(m) * 1_000_000n).toBe(true);
      }),
    );
  });
});

describe("LimitRange defaults and limits as LimitRanger applies them", () => {
  const problems: QuantityProblem[] = [];
  const range = readLimitRange(
    "limits",
    {
      limits: [
        { type: "Container", max: { cpu: "2", memory: "1Gi" }, min: { cpu: "50m" }, defaultRequest: { memory: "128Mi" }, maxLimitRequestRatio: { cpu: "4" } },
        { type: "Pod", max: { memory: "1536Mi" } },
      ],
    },
    problems,
  );

  it("defaults as the API does: max -> default limit -> default request, min -> default request", () => {
    expect(problems).toEqual([]);
    const item = range.items[0]!;
    expect(formatResourceList(item.default)).toEqual({ cpu: "2", memory: "1Gi" });
    expect(formatResourceList(item.defaultRequest)).toEqual({ cpu: "2", memory: "128Mi" });
  });

  it("fills only what a container lacks, then checks min, max and ratio", () => {
    let pod = readPodResources({ containers: [container("a", { cpu: "100m" })] }, ["spec"]);
    pod = applyContainerDefaults(pod, containerDefaults(range));
    expect(formatResourceList(pod.containers[0]!.requests)).toEqual({ cpu: "100m", memory: "128Mi" });
    expect(formatResourceList(pod.containers[0]!.limits)).toEqual({ cpu: "2", memory: "1Gi" });
    // limit 2 / request 100m = 20 > 4
    expect(limitRangeViolations(range, pod).map((v) => v.message)).toEqual(["container a: cpu max limit to request ratio per Container is 4, but provided ratio is 20.000000"]);
  });

  it("reports min, max and pod totals with upstream's messages", () => {
    const pod = applyContainerDefaults(
      readPodResources({ containers: [container("a", { cpu: "10m" }, { cpu: "20m", memory: "1Gi" }), container("b", { cpu: "1" }, { cpu: "3", memory: "800Mi" })] }, ["spec"]),
      containerDefaults(range),
    );
    expect(limitRangeViolations(range, pod).map((v) => v.message)).toEqual([
      "container a: minimum cpu usage per Container is 50m, but request is 10m",
      "container b: maximum cpu usage per Container is 2, but limit is 3",
      "maximum memory usage per Pod is 1536Mi, but limit is 1824Mi",
    ]);
  });

  it("compares at milli precision rounding up, as the API server does", () => {
    const tiny = readLimitRange("t", { limits: [{ type: "Container", min: { cpu: "1m" } }] }, []);
    const pod = readPodResources({ containers: [container("a", { cpu: "0.5m" })] }, []);
    expect(limitRangeViolations(tiny, pod)).toEqual([]);
    expect(formatQuantity(parseQuantity("0.5m"))).toBe("500u");
  });
});

describe("pod-level resources and the quota's must-specify rule", () => {
  const quota = { name: "q", namespace: "t", hard: new Map([["requests.cpu", parseQuantity("2")], ["limits.memory", parseQuantity("4Gi")]]), scopes: [], listedScopes: 0 };
  const pod = (podLevel: Record<string, unknown> | undefined) =>
    readPodResources({ ...(podLevel ? { resources: podLevel } : {}), containers: [{ name: "a" }, { name: "b" }] }, ["spec"]);

  it("skips the per-container check when spec.resources sets cpu or memory (upstream podEvaluator.Constraints)", () => {
    expect(missingRequiredResources(quota, pod({ requests: { cpu: "500m" } }))).toEqual([]);
    expect(missingRequiredResources(quota, pod({ limits: { memory: "512Mi" } }))).toEqual([]);
  });

  it("keeps it without pod-level resources, or with only resources pod level does not support", () => {
    const missing = [{ resource: "limits.memory", containers: ["a", "b"] }, { resource: "requests.cpu", containers: ["a", "b"] }];
    expect(missingRequiredResources(quota, pod(undefined))).toEqual(missing);
    expect(missingRequiredResources(quota, pod({ requests: { "ephemeral-storage": "1Gi" } }))).toEqual(missing);
  });
});
