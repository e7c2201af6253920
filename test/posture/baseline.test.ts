import { describe, expect, it } from "vitest";
import { withBaseline } from "../../src/posture/baseline.js";
import { POSTURE_SCHEMA_VERSION, type PostureReport, type WorkloadPosture } from "../../src/posture/types.js";

const workload = (name: string, pillars: { identity: number; workload: number; network: number; data: number }) =>
  ({
    ref: { kind: "Deployment", name, namespace: "shop" },
    score: Math.min(...Object.values(pillars)),
    pillars: Object.fromEntries(Object.entries(pillars).map(([p, score]) => [p, { score, deductions: [] }])),
  }) as unknown as WorkloadPosture;
const report = (workloads: WorkloadPosture[]) => ({ workloads }) as unknown as PostureReport;
const baselineOf = (workloads: WorkloadPosture[]) => ({ schemaVersion: POSTURE_SCHEMA_VERSION, source: "before/", generatedAt: "", summary: { meanScore: 50 }, workloads });

describe("posture --baseline", () => {
  it("names a workload weaker on a pillar even when its weakest pillar holds its score where it was", () => {
    const before = [workload("web", { identity: 100, workload: 100, network: 72, data: 100 }), workload("api", { identity: 100, workload: 85, network: 60, data: 100 })];
    const after = [workload("web", { identity: 100, workload: 85, network: 72, data: 100 }), workload("api", { identity: 100, workload: 100, network: 60, data: 100 })];
    const compared = withBaseline(report(after), baselineOf(before), "base.json").baseline;
    expect(compared).toMatchObject({ lower: [], weaker: [{ workload: "shop/Deployment/web", pillars: ["workload"] }], higher: [] });
    // A pillar better and another worse is weaker, not higher; an overall drop is lower.
    const mixed = [workload("web", { identity: 100, workload: 85, network: 80, data: 100 }), workload("api", { identity: 100, workload: 85, network: 40, data: 100 })];
    expect(withBaseline(report(mixed), baselineOf(before), "base.json").baseline).toMatchObject({ lower: ["shop/Deployment/api"], weaker: [{ workload: "shop/Deployment/web", pillars: ["workload"] }], higher: [] });
    // A baseline whose workloads kept no pillars compares scores alone.
    const bare = before.map(({ ref, score }) => ({ ref, score }));
    expect(withBaseline(report(after), { ...baselineOf([]), workloads: bare }, "base.json").baseline).toMatchObject({ lower: [], weaker: [], higher: [] });
  });
});
