/** How many pods a Job or CronJob runs at once (upstream pkg/controller/job manageJob, SetDefaults_Job). */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { podsAtOnce } from "../../../src/access/quota/pods-at-once.js";
import { evaluateYaml } from "./evaluate-yaml.js";

const job = (spec: Record<string, unknown>, status?: Record<string, unknown>) => ({ apiVersion: "batch/v1", kind: "Job", metadata: { name: "j" }, spec: { ...spec, template: {} }, ...(status ? { status } : {}) });
const optional = fc.option(fc.integer({ min: 0, max: 50 }), { nil: undefined });

describe("podsAtOnce", () => {
  it("runs min(parallelism, completions - succeeded) pods, never fewer than none", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 60 }), (parallelism, completions, succeeded) => {
        expect(podsAtOnce(job({ parallelism, completions }, { succeeded }))).toBe(Math.max(0, Math.min(parallelism, completions - succeeded)));
      }),
    );
  });

  it("runs nothing while suspended or once finished, whatever the counts", () => {
    fc.assert(
      fc.property(optional, optional, fc.constantFrom("Complete", "Failed"), (parallelism, completions, type) => {
        const spec = { ...(parallelism === undefined ? {} : { parallelism }), ...(completions === undefined ? {} : { completions }) };
        expect(podsAtOnce(job({ ...spec, suspend: true }))).toBe(0);
        expect(podsAtOnce(job(spec, { conditions: [{ type, status: "True" }] }))).toBe(0);
      }),
    );
  });

  it("defaults parallelism to 1, and completions to 1 only when parallelism is unset too (a work queue otherwise)", () => {
    expect(podsAtOnce(job({}))).toBe(1);
    expect(podsAtOnce(job({ completions: 10 }))).toBe(1);
    expect(podsAtOnce(job({ parallelism: 4 }))).toBe(4);
    // A work queue with a success starts no more pods and keeps those running.
    expect(podsAtOnce(job({ parallelism: 4 }, { succeeded: 1, active: 2 }))).toBe(2);
  });

  it("runs a CronJob's job template pods at each schedule, none while the CronJob is suspended", () => {
    const cronJob = (spec: Record<string, unknown>, jobSpec: Record<string, unknown>) => ({ apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "c" }, spec: { schedule: "* * * * *", ...spec, jobTemplate: { spec: { ...jobSpec, template: {} } } } });
    expect(podsAtOnce(cronJob({}, { parallelism: 5 }))).toBe(5);
    expect(podsAtOnce(cronJob({}, { parallelism: 5, completions: 2 }))).toBe(2);
    expect(podsAtOnce(cronJob({ suspend: true }, { parallelism: 5 }))).toBe(0);
    expect(podsAtOnce(cronJob({}, { suspend: true, parallelism: 5 }))).toBe(0);
  });
});

describe("Job pods against a quota", () => {
  const quota = `apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: term, namespace: t}\nspec:\n  hard: {pods: "3"}\n  scopes: [Terminating]`;
  const jobYaml = (name: string, spec: string, deadline = 60) =>
    `apiVersion: batch/v1\nkind: Job\nmetadata: {name: ${name}, namespace: t}\nspec:\n${spec}  template:\n    spec:\n      activeDeadlineSeconds: ${deadline}\n      restartPolicy: Never\n      containers: [{name: c, image: x}]`;

  it("counts a Job's remaining completions and nothing for a suspended one", async () => {
    const result = await evaluateYaml([quota, jobYaml("j2", "  parallelism: 5\n  completions: 2\n"), jobYaml("j3", "  suspend: true\n")].join("\n---\n"));
    expect(result.namespaces[0]!.pods).toBe(2);
    expect(result.findings.filter((f) => f.ruleId === "quota/exceeded")).toEqual([]);
  });

  it("refuses a pod template whose activeDeadlineSeconds pod validation refuses (0), as an input problem", async () => {
    const result = await evaluateYaml([quota, jobYaml("j0", "", 0)].join("\n---\n"));
    expect(result.namespaces[0]!.pods).toBe(0);
    expect(result.refused.map((r) => r.problem.message)).toEqual([
      "Job t/j0: spec.template.spec.activeDeadlineSeconds: must be between 1 and 2147483647, inclusive: the API server refuses the object, so it is left out of the quota totals",
    ]);
  });
});
