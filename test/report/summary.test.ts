import { describe, expect, it } from "vitest";
import type { Finding, ObjectRef } from "../../src/findings/types.js";
import { summaryLine } from "../../src/report/text.js";
import { findingSubjects } from "../../src/report/summary.js";
import type { ScanResult } from "../../src/scan/run.js";

const finding = (object: ObjectRef, severity: Finding["severity"] = "low"): Finding => ({ ruleId: "x/y", severity, pillar: "workload", message: "m", object });

function result(scanned: ObjectRef[], findings: Finding[], files = 1, dockerfiles?: number): ScanResult {
  return {
    findings,
    problems: [],
    rules: [],
    scanned: scanned.map((object) => ({ object, file: "f.yaml" })),
    stats: { files, documents: scanned.length, objects: scanned.length, skippedNonKubernetes: 0, skippedFiles: 0, ...(dockerfiles === undefined ? {} : { dockerfiles }) },
  };
}

describe("the summary line", () => {
  const pod: ObjectRef = { kind: "Pod", name: "p" };

  it("counts an input object once, however the families name it, and namespaces without a Namespace object apart", () => {
    // Pod Security names the pod in the namespace it would land in; quota names it as written.
    const findings = [finding({ ...pod, namespace: "default" }, "critical"), finding(pod), finding({ kind: "Namespace", name: "default" })];
    expect(findingSubjects(result([pod], findings))).toEqual({ objects: 1, impliedNamespaces: 1, dockerfiles: 0 });
    expect(summaryLine(result([pod], findings))).toBe("3 findings (1 critical, 2 low) in 1 of 1 object and 1 namespace with no Namespace object, across 1 file.");
  });

  it("counts a declared Namespace as an input object, and keeps same-named objects of different namespaces apart", () => {
    const namespace: ObjectRef = { kind: "Namespace", name: "shop" };
    const a: ObjectRef = { kind: "Deployment", name: "web", namespace: "shop" };
    const b: ObjectRef = { kind: "Deployment", name: "web", namespace: "blog" };
    const findings = [finding(namespace), finding(a), finding(b), finding(a)];
    expect(findingSubjects(result([namespace, a, b], findings))).toEqual({ objects: 3, impliedNamespaces: 0, dockerfiles: 0 });
    expect(summaryLine(result([namespace, a, b, pod], findings, 2))).toBe("4 findings (4 low) in 3 of 4 objects, across 2 files.");
  });

  it("counts Dockerfiles apart: they are files, not objects", () => {
    const dockerfile = (name: string): ObjectRef => ({ kind: "Dockerfile", name });
    const alone = [finding(dockerfile("a/Dockerfile"), "high"), finding(dockerfile("a/Dockerfile")), finding(dockerfile("b/Dockerfile"))];
    expect(summaryLine(result([], alone, 2))).toBe("3 findings (1 high, 2 low) in 2 Dockerfiles, across 2 files.");
    expect(summaryLine(result([pod], [...alone, finding(pod)], 3))).toBe("4 findings (1 high, 3 low) in 1 of 1 object and 2 Dockerfiles, across 3 files.");
    expect(summaryLine(result([pod], alone, 3))).toBe("3 findings (1 high, 2 low) in 0 of 1 object and 2 Dockerfiles, across 3 files.");
    // With the count of Dockerfiles read, those with findings are counted among them.
    expect(summaryLine(result([], alone, 3, 3))).toBe("3 findings (1 high, 2 low) in 2 of 3 Dockerfiles, across 3 files.");
    // A clean Dockerfile alone: read, but no object, which "in 0 objects" made sound like nothing was read.
    expect(summaryLine(result([], [], 1, 1))).toBe("No findings in 1 Dockerfile across 1 file.");
    expect(summaryLine(result([pod], [], 2, 1))).toBe("No findings in 1 object and 1 Dockerfile across 2 files.");
    expect(summaryLine(result([], []))).toBe("No findings in 0 objects across 1 file.");
  });

  it("says so when there is nothing to report, and what a walk left out", () => {
    expect(summaryLine(result([pod], []))).toBe("No findings in 1 object across 1 file.");
    const walked = result([pod], []);
    walked.stats.skippedPatches = 2;
    walked.stats.skippedTemplates = 1;
    expect(summaryLine(walked)).toBe("No findings in 1 object across 1 file.\n2 kustomize patches left out (parts of objects: scan the rendered overlay with -k DIR); 1 Helm template left out (scan the rendered chart: helm template CHART | palisade scan -).");
  });
});
