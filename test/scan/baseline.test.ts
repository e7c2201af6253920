import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import { findingKey } from "../../src/findings/identity.js";
import type { Finding } from "../../src/findings/types.js";
import { baselineFindings, compareWithBaseline, type BaselineFinding } from "../../src/scan/baseline.js";

function finding(ruleId: string, name: string, fieldPath: string | undefined, file: string, line = 1, message = "m"): Finding {
  return {
    ruleId,
    severity: "high",
    pillar: "workload",
    message,
    object: { apiVersion: "apps/v1", kind: "Deployment", name, namespace: "shop" },
    ...(fieldPath === undefined ? {} : { fieldPath }),
    position: { file, line, column: 3 },
  };
}

/** What a JSON report holds of a finding, read back. */
const asBaseline = (f: Finding): BaselineFinding => JSON.parse(JSON.stringify(f)) as BaselineFinding;
const RULES = new Set(["pss/privileged", "pss/run-as-non-root", "docker/root"]);
const PRIVILEGED = "spec.template.spec.containers[0].securityContext.privileged";

describe("findingKey", () => {
  it("is rule, object, field and file: the key SARIF's fingerprints hash, which must not change", () => {
    expect(findingKey(finding("pss/privileged", "web", PRIVILEGED, "k8s/web.yaml", 40))).toBe(`pss/privileged|Deployment/shop/web|${PRIVILEGED}|k8s/web.yaml`);
    expect(findingKey(finding("pss/privileged", "web", undefined, "k8s/web.yaml"), false)).toBe("pss/privileged|Deployment/shop/web||");
  });
});

describe("compareWithBaseline", () => {
  it("leaves out what the baseline has, wherever its line and whatever its message now", () => {
    const before = [finding("pss/privileged", "web", PRIVILEGED, "a.yaml", 10, "privileged (container web)")];
    const now = [finding("pss/privileged", "web", PRIVILEGED, "a.yaml", 42, "privileged (container web, sidecar)")];
    expect(compareWithBaseline(now, before.map(asBaseline), RULES)).toEqual({ fresh: [], known: 1, fixed: 0 });
  });

  it("reports a finding on another object or of another rule as new, and the earlier one as fixed", () => {
    const before = [finding("pss/privileged", "web", PRIVILEGED, "a.yaml")].map(asBaseline);
    for (const now of [finding("pss/privileged", "api", PRIVILEGED, "a.yaml"), finding("pss/run-as-non-root", "web", PRIVILEGED, "a.yaml")]) {
      expect(compareWithBaseline([now], before, RULES)).toEqual({ fresh: [now], known: 0, fixed: 1 });
    }
  });

  it("tells apart what findings name at the same field: another variable, container or key is another finding", () => {
    const env = (name: string, container = "api"): Finding => ({ ...finding("secrets/inline-credential", "web", "spec.template.spec.containers[0].env[0].value", "a.yaml"), properties: { container, env: name } });
    const before = [env("DB_PASSWORD")].map(asBaseline);
    const rules = new Set(["secrets/inline-credential"]);
    // The same variable moved down the list: known. Another variable where it was: new, and the old one fixed.
    const moved = { ...env("DB_PASSWORD"), fieldPath: "spec.template.spec.containers[0].env[3].value" };
    expect(compareWithBaseline([moved], before, rules)).toEqual({ fresh: [], known: 1, fixed: 0 });
    expect(compareWithBaseline([env("API_TOKEN")], before, rules)).toEqual({ fresh: [env("API_TOKEN")], known: 0, fixed: 1 });
    expect(compareWithBaseline([env("DB_PASSWORD", "sidecar")], before, rules).fresh).toHaveLength(1);
  });

  it("knows an object that names no namespace by the one it lands in (default), as earlier reports named it", () => {
    const named = (namespace?: string): Finding => ({ ...finding("pss/privileged", "web", PRIVILEGED, "a.yaml"), object: { apiVersion: "v1", kind: "Pod", name: "web", ...(namespace ? { namespace } : {}) } });
    expect(compareWithBaseline([named()], [named("default")].map(asBaseline), RULES)).toEqual({ fresh: [], known: 1, fixed: 0 });
    expect(compareWithBaseline([named("shop")], [named("default")].map(asBaseline), RULES).fresh).toHaveLength(1);
  });

  it("knows kustomize's generated ConfigMaps and Secrets by their names without the content hash", () => {
    const generated = (name: string, kind = "ConfigMap"): Finding => ({ ...finding("secrets/known-credential", name, "data.aws", "kustomize:."), object: { apiVersion: "v1", kind, name, namespace: "shop" } });
    const before = [generated("app-2fd5m75bch")].map(asBaseline);
    const rules = new Set(["secrets/known-credential"]);
    expect(compareWithBaseline([generated("app-6g575gg6bb")], before, rules)).toEqual({ fresh: [], known: 1, fixed: 0 });
    // Only for generated kinds, and only a hash's alphabet: a Deployment named so is another object.
    expect(compareWithBaseline([generated("app-6g575gg6bb", "Deployment")], [generated("app-2fd5m75bch", "Deployment")].map(asBaseline), rules).fresh).toHaveLength(1);
    expect(compareWithBaseline([generated("app-production")], before, rules).fresh).toHaveLength(1);
  });

  it("takes a finding whose first field changed for the known one (the first container fixed, the second still privileged), but not one more of it", () => {
    const before = [finding("pss/privileged", "web", PRIVILEGED, "a.yaml")].map(asBaseline);
    const second = finding("pss/privileged", "web", PRIVILEGED.replace("[0]", "[1]"), "a.yaml");
    expect(compareWithBaseline([second], before, RULES)).toEqual({ fresh: [], known: 1, fixed: 0 });
    const first = finding("pss/privileged", "web", PRIVILEGED, "a.yaml");
    // Both now: the exact one takes the earlier finding first, so the other is new.
    expect(compareWithBaseline([second, first], before, RULES)).toEqual({ fresh: [second], known: 1, fixed: 0 });
  });

  it("matches a moved file's findings by rule, object and field, but only after every exact match", () => {
    // web is in a.yaml before and after, and a copy of it appears in b.yaml: the copy is new.
    const before = [finding("pss/privileged", "web", PRIVILEGED, "a.yaml")].map(asBaseline);
    const stayed = finding("pss/privileged", "web", PRIVILEGED, "a.yaml");
    const copy = finding("pss/privileged", "web", PRIVILEGED, "b.yaml");
    expect(compareWithBaseline([copy, stayed], before, RULES)).toEqual({ fresh: [copy], known: 1, fixed: 0 });
    // a.yaml renamed to c.yaml: the same finding, not a new one.
    expect(compareWithBaseline([finding("pss/privileged", "web", PRIVILEGED, "c.yaml")], before, RULES)).toEqual({ fresh: [], known: 1, fixed: 0 });
  });

  it("matches each earlier finding once: a second copy of a known problem is new", () => {
    const before = [finding("pss/privileged", "web", PRIVILEGED, "a.yaml")].map(asBaseline);
    const twice = [finding("pss/privileged", "web", PRIVILEGED, "a.yaml", 1), finding("pss/privileged", "web", PRIVILEGED, "a.yaml", 30)];
    expect(compareWithBaseline(twice, before, RULES)).toEqual({ fresh: [twice[1]], known: 1, fixed: 0 });
  });

  it("tells findings about no object apart by their message, and never matches them across files", () => {
    const line = (file: string, message: string): Finding => ({ ruleId: "docker/root", severity: "medium", pillar: "supply-chain", message, position: { file, line: 3, column: 1 } });
    const before = [line("Dockerfile", "USER root"), line("Dockerfile", "no USER")].map(asBaseline);
    expect(compareWithBaseline([line("Dockerfile", "no USER"), line("Dockerfile", "ADD from a URL")], before, RULES)).toEqual({ fresh: [line("Dockerfile", "ADD from a URL")], known: 1, fixed: 1 });
    expect(compareWithBaseline([line("api/Dockerfile", "no USER")], before, RULES).fresh).toHaveLength(1);
  });

  it("does not count the findings of rules this scan did not run as fixed", () => {
    const before = [finding("pss/privileged", "web", PRIVILEGED, "a.yaml"), finding("rbac/wildcard", "web", undefined, "a.yaml")].map(asBaseline);
    expect(compareWithBaseline([], before, RULES)).toEqual({ fresh: [], known: 0, fixed: 1 });
  });

  const arbitraryFinding = fc
    .record({
      rule: fc.constantFrom("pss/privileged", "pss/run-as-non-root"),
      name: fc.constantFrom("web", "api", "db"),
      field: fc.option(fc.constantFrom(PRIVILEGED, "spec.template.spec.hostNetwork"), { nil: undefined }),
      file: fc.constantFrom("a.yaml", "b.yaml"),
      line: fc.integer({ min: 1, max: 500 }),
    })
    .map((f) => finding(f.rule, f.name, f.field, f.file, f.line));

  it("property: known + fresh are every finding now, known + fixed every earlier one, and a scan against its own report has nothing new", () => {
    fc.assert(
      fc.property(fc.array(arbitraryFinding, { maxLength: 30 }), fc.array(arbitraryFinding, { maxLength: 30 }), (before, now) => {
        const result = compareWithBaseline(now, before.map(asBaseline), RULES);
        expect(result.known + result.fresh.length).toBe(now.length);
        expect(result.known + result.fixed).toBe(before.length);
        // Fresh findings keep their order and are the scan's own objects.
        expect(result.fresh.every((f, i) => i === 0 || now.indexOf(f) > now.indexOf(result.fresh[i - 1] as Finding))).toBe(true);
        expect(compareWithBaseline(now, now.map(asBaseline), RULES)).toEqual({ fresh: [], known: now.length, fixed: 0 });
      }),
    );
  });

  it("property: adding findings with keys the baseline lacks reports exactly those as new", () => {
    fc.assert(
      fc.property(fc.array(arbitraryFinding, { maxLength: 30 }), fc.array(arbitraryFinding, { maxLength: 10 }), (before, added) => {
        const novel = added.map((f) => ({ ...f, object: { ...f.object!, name: `new-${f.object!.name}` } }));
        const result = compareWithBaseline([...before, ...novel], before.map(asBaseline), RULES);
        expect(result.fresh).toEqual(novel);
        expect(result.fixed).toBe(0);
      }),
    );
  });
});

describe("baselineFindings", () => {
  const report = (findings: unknown[]) => ({ schemaVersion: "palisade.dev/scan/v1", findings });

  it("reads a scan report's findings", () => {
    const f = finding("pss/privileged", "web", PRIVILEGED, "a.yaml");
    expect(baselineFindings(JSON.parse(JSON.stringify(report([f]))), "base.json")).toEqual([asBaseline(f)]);
  });

  it("refuses what is not a scan report, naming the file and what it is", () => {
    const cases: Array<[unknown, RegExp]> = [
      [[], /base\.json: not a scan report \(expected a JSON object\)/],
      [{ schemaVersion: "palisade.dev/posture/v1" }, /base\.json: not a scan report \(a posture report;/],
      [{ version: "2.1.0", runs: [] }, /not a scan report \(a SARIF log;/],
      [{ schemaVersion: "palisade.dev/scan/v1" }, /base\.json: the report has no findings list/],
      [report([{ message: "m" }]), /base\.json: findings\[0\] has no ruleId/],
      [report([{ ruleId: "x", message: "m", object: { kind: "Pod" } }]), /findings\[0\] has an object without kind and name/],
      [report([{ ruleId: "x", message: "m", position: { line: 1 } }]), /findings\[0\] has a position without a file/],
      [report([{ ruleId: "x", message: "m" }, "text"]), /findings\[1\] is not an object/],
    ];
    for (const [value, message] of cases) {
      expect(() => baselineFindings(value, "base.json")).toThrow(UserError);
      expect(() => baselineFindings(value, "base.json")).toThrow(message);
    }
  });
});
