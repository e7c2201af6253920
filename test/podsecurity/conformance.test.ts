import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { podTemplate } from "../../src/k8s/workloads.js";
import { evaluatePod, psaDenialMessage } from "../../src/podsecurity/evaluate.js";
import { parseVersion, type Level } from "../../src/podsecurity/levels.js";
import { conformancePath } from "../support/conformance.js";

interface Fixture {
  file: string;
  level: Level;
  version: string;
  expect: "pass" | "fail";
  check: string | null;
  messageSubstring?: string;
  enforcedAtThisLevelBy?: string;
}

const dir = conformancePath("pod-security");

describe.skipIf(!dir)("Pod Security Admission conformance (shared/conformance/pod-security)", () => {
  const fixtures = JSON.parse(readFileSync(join(dir as string, "index.json"), "utf8")) as Fixture[];

  it("has all 4,537 fixtures", () => {
    expect(fixtures.length).toBe(4537);
  });

  // One test per fixture would be 9,000 tests; each test walks a whole level instead and
  // reports every disagreement at once, so a regression shows all its victims.
  for (const level of ["baseline", "restricted"] as const) {
    it(`judges every ${level} fixture as upstream, as a Pod and inside a Deployment`, () => {
      const failures: string[] = [];
      let judged = 0;
      for (const f of fixtures.filter((x) => x.level === level)) {
        const text = readFileSync(join(dir as string, f.file), "utf8");
        const parsed = parseYamlFile(f.file, text);
        expect(parsed.problems).toEqual([]);
        const pod = parsed.objects[0]?.object;
        if (!pod) throw new Error(`no pod in ${f.file}`);
        const version = parseVersion(f.version);
        if (!version) throw new Error(`bad version ${f.version}`);
        const deployment = {
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { name: "d" },
          spec: { selector: {}, template: { metadata: pod.metadata, spec: pod.spec } },
        };
        for (const [form, object] of [["Pod", pod], ["Deployment", deployment]] as const) {
          const template = podTemplate(object);
          if (!template) throw new Error(`no template for ${form}`);
          const violations = evaluatePod(f.level, version, template.pod);
          judged++;
          if (f.expect === "pass") {
            if (violations.length > 0) failures.push(`${f.file} [${form}]: expected pass, got ${psaDenialMessage(f.level, version, violations)}`);
            continue;
          }
          const expectedCheck = f.enforcedAtThisLevelBy ?? f.check;
          if (!violations.some((v) => v.checkId === expectedCheck)) {
            failures.push(`${f.file} [${form}]: expected a ${expectedCheck} violation, got [${violations.map((v) => v.checkId).join(", ")}]`);
            continue;
          }
          const message = psaDenialMessage(f.level, version, violations);
          if (f.messageSubstring && !message.includes(f.messageSubstring)) {
            failures.push(`${f.file} [${form}]: message lacks ${JSON.stringify(f.messageSubstring)}: ${message}`);
          }
        }
      }
      expect(failures).toEqual([]);
      expect(judged).toBe(fixtures.filter((x) => x.level === level).length * 2);
    });
  }

  it("treats latest exactly like v1.37 on every v1.37 fixture", () => {
    const latest = parseVersion("latest");
    const v137 = parseVersion("v1.37");
    if (!latest || !v137) throw new Error("versions");
    for (const f of fixtures.filter((x) => x.version === "v1.37")) {
      const pod = parseYamlFile(f.file, readFileSync(join(dir as string, f.file), "utf8")).objects[0]?.object;
      const template = pod && podTemplate(pod);
      if (!template) throw new Error(f.file);
      expect(evaluatePod(f.level, latest, template.pod)).toEqual(evaluatePod(f.level, v137, template.pod));
    }
  });
});
