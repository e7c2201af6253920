import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluateYaml } from "./evaluate-yaml.js";
import { QuotaEvaluator } from "../../../src/access/quota/evaluate.js";
import type { LoadedObject } from "../../../src/k8s/types.js";
import { quotaSpecErrors } from "../../../src/access/quota/quota-validation.js";
import { readResourceQuota } from "../../../src/access/quota/resourcequota.js";

const errorsOf = (spec: unknown) => quotaSpecErrors(readResourceQuota("q", "t", spec, [])).map((e) => e.message);

const evaluate = evaluateYaml;

const pod = (name: string, resources: string) => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: t}
spec:
  containers:
  - name: app
    image: registry.example/app@sha256:abc
    resources: ${resources}
---`;

describe("ResourceQuota scope validation (upstream validateResourceQuotaSpec)", () => {
  it("refuses a BestEffort quota on cpu: it bounds nothing and is an input problem", async () => {
    const result = await evaluate(`
apiVersion: v1
kind: ResourceQuota
metadata: {name: be, namespace: t}
spec:
  hard: {pods: "5", requests.cpu: "1"}
  scopes: [BestEffort]
---${pod("p", "{requests: {cpu: 2}}")}
`);
    expect(result.refused).toHaveLength(1);
    expect(result.refused[0]!.problem.message).toContain("ResourceQuota t/be: spec.scopes: unsupported scope applied to resource: scope BestEffort cannot limit requests.cpu");
    // Without the validation the quota would be treated as a bound and report the pod as rejected.
    expect(result.findings.filter((f) => f.ruleId.startsWith("quota/exceeded") || f.ruleId === "quota/missing-required-resources")).toEqual([]);
    expect(result.namespaces[0]!.quotas).toEqual([]);
  });

  it("refuses a scopeSelector that asks In of a scope that only exists or not", async () => {
    const result = await evaluate(`
apiVersion: v1
kind: ResourceQuota
metadata: {name: term, namespace: t}
spec:
  hard: {pods: "0"}
  scopeSelector: {matchExpressions: [{scopeName: Terminating, operator: In, values: ["x"]}]}
---${pod("p", "{}")}
`);
    expect(result.refused.map((r) => r.problem.message)).toEqual([expect.stringContaining('spec.scopeSelector.matchExpressions[0].operator: operator "In": scope Terminating allows only Exists')]);
    expect(result.findings.some((f) => f.ruleId === "quota/exceeded")).toBe(false);
  });

  it("accepts what upstream accepts: PriorityClass with every operator, count/ and extended resources under any scope", () => {
    for (const operator of ["In", "NotIn"]) expect(errorsOf({ hard: { pods: "1" }, scopeSelector: { matchExpressions: [{ scopeName: "PriorityClass", operator, values: ["high"] }] } })).toEqual([]);
    for (const operator of ["Exists", "DoesNotExist"]) expect(errorsOf({ hard: { "requests.cpu": "1" }, scopeSelector: { matchExpressions: [{ scopeName: "PriorityClass", operator }] } })).toEqual([]);
    // Only standard quota resource names are checked against a scope.
    expect(errorsOf({ hard: { "count/pods": "1", "requests.example.com/gpu": "2", pods: "3" }, scopes: ["BestEffort"] })).toEqual([]);
    expect(errorsOf({ hard: { pods: "1", "limits.memory": "1Gi" }, scopes: ["NotTerminating", "NotBestEffort"], scopeSelector: { matchExpressions: [{ scopeName: "CrossNamespacePodAffinity", operator: "Exists" }] } })).toEqual([]);
  });

  it("refuses values where the operator takes none, no values for In/NotIn, unknown operators and scopes, and conflicting scopes", () => {
    const selector = (e: Record<string, unknown>) => ({ hard: { pods: "1" }, scopeSelector: { matchExpressions: [e] } });
    expect(errorsOf(selector({ scopeName: "PriorityClass", operator: "Exists", values: ["a"] }))).toEqual(["operator Exists takes no values"]);
    expect(errorsOf(selector({ scopeName: "PriorityClass", operator: "NotIn", values: [] }))).toEqual(["operator NotIn needs at least one value"]);
    expect(errorsOf(selector({ scopeName: "PriorityClass", operator: "Gt", values: ["1"] }))).toEqual(['"Gt" is not a scope selector operator (In, NotIn, Exists, DoesNotExist)']);
    expect(errorsOf(selector({ scopeName: "PriorityClass" }))).toEqual(['"" is not a scope selector operator (In, NotIn, Exists, DoesNotExist)']);
    expect(errorsOf({ hard: { pods: "1" }, scopes: ["Nightly"] })).toEqual(['unsupported scope "Nightly"']);
    expect(errorsOf({ hard: { pods: "1" }, scopes: ["Terminating", "NotTerminating"] })).toEqual(["conflicting scopes"]);
    // Conflicts are looked for within one list only, as upstream validates the two apart.
    expect(errorsOf({ hard: { pods: "1" }, scopes: ["BestEffort"], scopeSelector: { matchExpressions: [{ scopeName: "NotBestEffort", operator: "Exists" }] } })).toEqual([]);
  });

  it("never refuses a quota read from a live cluster: the API server accepted it already", () => {
    const position = { file: "<cluster prod>", line: 1, column: 1 };
    const live: LoadedObject = {
      object: { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "be", namespace: "t" }, spec: { hard: { "requests.cpu": "1" }, scopes: ["BestEffort"] } },
      source: { file: "<cluster prod>", documentIndex: 0, position, locate: () => position },
    };
    const evaluator = new QuotaEvaluator();
    evaluator.addBounds(live);
    const result = evaluator.finish();
    expect(result.refused).toEqual([]);
    evaluator.addBounds({ ...live, source: { ...live.source, file: "quota.yaml" } });
    expect(evaluator.finish().refused).toHaveLength(1);
  });

  it("refuses hard limits on unknown unprefixed names, negative values and fractional object counts", () => {
    expect(errorsOf({ hard: { "request.cpu": "1" } })).toEqual(["request.cpu is not a resource a quota can limit (cpu, memory, requests.*, limits.*, pods, services, ... or count/<resource>)"]);
    expect(errorsOf({ hard: { "requests.memory": "-1Gi" } })).toEqual(["requests.memory must not be negative"]);
    expect(errorsOf({ hard: { pods: "1500m" } })).toEqual(["pods must be a whole number"]);
    // The milli-value rounds up, so a value a nano short of whole is whole to upstream.
    expect(errorsOf({ hard: { pods: "999999999n", "requests.cpu": "1500m", "count/deployments.apps": "2", "requests.hugepages-2Mi": "0", "example.com/anything": "3" } })).toEqual([]);
  });

  it("property: an Exists-only scope with any other operator is refused; with Exists and pods it is accepted", () => {
    const existsOnly = fc.constantFrom("Terminating", "NotTerminating", "BestEffort", "NotBestEffort", "CrossNamespacePodAffinity");
    fc.assert(
      fc.property(existsOnly, fc.constantFrom("In", "NotIn", "DoesNotExist"), (scopeName, operator) => {
        const values = operator === "DoesNotExist" ? [] : ["v"];
        const errors = errorsOf({ hard: { pods: "1" }, scopeSelector: { matchExpressions: [{ scopeName, operator, values }] } });
        expect(errors).toEqual([`operator ${JSON.stringify(operator)}: scope ${scopeName} allows only Exists`]);
        expect(errorsOf({ hard: { pods: "1" }, scopeSelector: { matchExpressions: [{ scopeName, operator: "Exists" }] } })).toEqual([]);
      }),
    );
  });

  it("property: BestEffort limits only pods among the standard resources; the other pod scopes add cpu and memory", () => {
    const standard = ["cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory", "ephemeral-storage", "requests.storage", "services", "secrets", "configmaps", "requests.hugepages-2Mi", "pods"];
    fc.assert(
      fc.property(fc.constantFrom(...standard), fc.constantFrom("BestEffort", "Terminating", "NotBestEffort", "PriorityClass"), (resource, scope) => {
        const compute = ["cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory"].includes(resource);
        const valid = resource === "pods" || (scope !== "BestEffort" && compute);
        expect(errorsOf({ hard: { [resource]: "1" }, scopes: [scope] }).length === 0).toBe(valid);
      }),
    );
  });
});
