import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluateYaml } from "./evaluate-yaml.js";
import { evaluateQuotas } from "../../../src/access/quota/evaluate.js";
import { loadSnapshot } from "../../../src/k8s/load.js";

const evaluate = evaluateYaml;

const deployment = (name: string, replicas: number, resources: string, ns = "shop", extraSpec = "") => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ns}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:${extraSpec}
      containers:
      - name: app
        image: registry.example/app@sha256:abc
        resources: ${resources}
`;

const quota = (name: string, hard: string, ns = "shop", extra = "") => `
apiVersion: v1
kind: ResourceQuota
metadata: {name: ${name}, namespace: ${ns}}
spec:
  hard: ${hard}${extra}
`;

const limitRange = (ns = "shop") => `
apiVersion: v1
kind: LimitRange
metadata: {name: defaults, namespace: ${ns}}
spec:
  limits:
  - type: Container
    default: {cpu: 500m, memory: 256Mi}
    defaultRequest: {cpu: 100m, memory: 128Mi}
`;

const docs = (...parts: string[]) => parts.join("\n---\n");

const daemonSet = (name: string, ns: string) => `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ${name}, namespace: ${ns}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
      - name: app
        image: registry.example/app@sha256:abc
`;

describe("quota evaluation over manifests", () => {
  it("admits replicas in order and reports the ones that exceed the quota", async () => {
    const result = await evaluate(
      docs(quota("compute", "{requests.cpu: '1', pods: '10'}"), limitRange(), deployment("web", 3, "{requests: {cpu: 400m, memory: 64Mi}, limits: {memory: 64Mi}}"), deployment("api", 1, "{requests: {cpu: 100m, memory: 64Mi}, limits: {memory: 64Mi}}")),
    );
    const exceeded = result.findings.filter((f) => f.ruleId === "quota/exceeded");
    expect(exceeded).toHaveLength(1);
    expect(exceeded[0]).toMatchObject({ object: { kind: "Deployment", name: "web" }, fieldPath: "spec.template.spec" });
    expect(exceeded[0]!.message).toBe("1 of 3 pod(s) would be rejected: exceeded quota: compute, requested: requests.cpu=400m, used: requests.cpu=800m, limited: requests.cpu=1");
    // api still fits after web's two admitted replicas: 800m + 100m <= 1.
    expect(result.namespaces.find((n) => n.namespace === "shop")).toMatchObject({
      pods: 4,
      rejectedPods: 1,
      quotas: [{ name: "compute", hard: { pods: "10", "requests.cpu": "1" }, used: { pods: "3", "requests.cpu": "900m" } }],
      limitRanges: ["defaults"],
    });
  });

  it("rejects pods lacking requests a quota requires, unless a LimitRange supplies them", async () => {
    const without = await evaluate(docs(quota("mem", "{limits.memory: 4Gi, requests.cpu: '2'}"), deployment("web", 1, "{requests: {cpu: 100m}}")));
    const missing = without.findings.filter((f) => f.ruleId === "quota/missing-required-resources");
    expect(missing.map((f) => f.message)).toEqual(["failed quota: mem: must specify limits.memory for: app"]);
    expect(missing[0]!.fieldPath).toBe("spec.template.spec.containers[0].resources");
    const several = await evaluate(docs(quota("all", "{requests.memory: 1Gi, limits.cpu: '2', cpu: '2'}"), deployment("web", 1, "{}").replace("      containers:\n", "      initContainers: [{name: setup, image: x}]\n      containers:\n")));
    expect(several.findings.filter((f) => f.ruleId === "quota/missing-required-resources").map((f) => f.message)).toEqual([
      "failed quota: all: must specify cpu for: app,setup; limits.cpu for: app,setup; requests.memory for: app,setup",
    ]);
    const withDefaults = await evaluate(docs(quota("mem", "{limits.memory: 4Gi}"), limitRange(), deployment("web", 1, "{}")));
    expect(withDefaults.findings.filter((f) => f.ruleId === "quota/missing-required-resources")).toEqual([]);
    expect(withDefaults.namespaces[0]!.quotas[0]!.used).toEqual({ "limits.memory": "256Mi" });
  });

  it("applies scopes: BestEffort, NotBestEffort and PriorityClass selectors", async () => {
    const result = await evaluate(
      docs(
        quota("best-effort", "{pods: '0'}", "shop", "\n  scopes: [BestEffort]"),
        quota("critical", "{pods: '1'}", "shop", "\n  scopeSelector: {matchExpressions: [{scopeName: PriorityClass, operator: In, values: [high]}]}"),
        deployment("be", 1, "{}"),
        deployment("burst", 1, "{requests: {cpu: 100m, memory: 1Mi}, limits: {memory: 1Mi}}"),
        deployment("vip", 2, "{requests: {cpu: 100m, memory: 1Mi}, limits: {memory: 1Mi}}", "shop", "\n      priorityClassName: high"),
      ),
    );
    const exceeded = result.findings.filter((f) => f.ruleId === "quota/exceeded").map((f) => `${f.object?.name}: ${f.properties?.quota} ${f.properties?.rejected}`);
    expect(exceeded).toEqual(["be: best-effort 1", "vip: critical 1"]);
  });

  it("counts objects, services and claims, including StatefulSet claim templates", async () => {
    const result = await evaluate(
      docs(
        quota("objects", "{count/deployments.apps: '1', services.loadbalancers: '0', requests.storage: 15Gi, persistentvolumeclaims: '5'}"),
        deployment("a", 0, "{}"),
        deployment("b", 0, "{}"),
        "apiVersion: v1\nkind: Service\nmetadata: {name: lb, namespace: shop}\nspec: {type: LoadBalancer, ports: [{port: 80}]}",
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data, namespace: shop}\nspec: {resources: {requests: {storage: 10Gi}}}",
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db, namespace: shop}\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers: [{name: db, image: db}]\n  volumeClaimTemplates:\n  - metadata: {name: data}\n    spec: {resources: {requests: {storage: 2Gi}}}",
      ),
    );
    const exceeded = result.findings.filter((f) => f.ruleId === "quota/exceeded");
    expect(exceeded.map((f) => `${f.object?.kind}/${f.object?.name}: ${f.properties?.rejected} ${(f.properties?.exceeded as string[]).join(",")}`)).toEqual([
      "Deployment/b: 1 count/deployments.apps",
      "Service/lb: 1 services.loadbalancers",
      "StatefulSet/db: 1 requests.storage",
    ]);
    expect(result.namespaces[0]!.quotas[0]!.used).toMatchObject({ "requests.storage": "14Gi", persistentvolumeclaims: "3" });
  });

  it("reports namespaces without a quota or LimitRange, but not system namespaces", async () => {
    const result = await evaluate(
      docs("apiVersion: v1\nkind: Namespace\nmetadata: {name: empty}", deployment("web", 1, "{}", "open"), deployment("dns", 1, "{}", "kube-system"), deployment("plain", 1, "{}", "default")),
    );
    const missing = result.findings.filter((f) => f.ruleId.startsWith("quota/namespace-without")).map((f) => `${f.ruleId} ${f.object?.name}`);
    expect(missing).toEqual([
      "quota/namespace-without-resourcequota default",
      "quota/namespace-without-limitrange default",
      "quota/namespace-without-resourcequota empty",
      "quota/namespace-without-resourcequota open",
      "quota/namespace-without-limitrange open",
    ]);
    expect(result.findings.filter((f) => f.ruleId === "quota/container-without-resources").map((f) => f.object?.name)).toEqual(["web", "dns", "plain"]);
  });

  it("points a namespace's finding, when the input has no Namespace object for it, at the namespace field of its first object", async () => {
    const text = docs(deployment("web", 1, "{}", "open"), deployment("api", 1, "{}", "open"));
    const finding = (await evaluate(text)).findings.find((f) => f.ruleId === "quota/namespace-without-resourcequota");
    const lines = text.split("\n");
    const line = lines.findIndex((l) => l.includes("name: web, namespace: open"));
    expect(finding?.position).toEqual({ file: "<stdin>", line: line + 1, column: (lines[line] as string).indexOf("namespace:") + 1 });
  });

  it("points a namespace's finding at the first workload in it, not at an object before it that runs nothing, and at the Namespace when the input has one", async () => {
    // As falco's chart renders: its ServiceAccount first, the DaemonSet after.
    const account = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: falco, namespace: default}";
    const text = docs(account, daemonSet("falco", "default"));
    const lines = text.split("\n");
    // The DaemonSet's metadata, the line after its kind (the ServiceAccount's reads the same).
    const line = lines.indexOf("kind: DaemonSet") + 1;
    const findings = (await evaluate(text)).findings.filter((f) => f.ruleId.startsWith("quota/namespace-without"));
    expect(findings.map((f) => f.position)).toEqual([0, 1].map(() => ({ file: "<stdin>", line: line + 1, column: (lines[line] as string).indexOf("namespace:") + 1 })));
    const withNamespace = docs(account, daemonSet("falco", "default"), "apiVersion: v1\nkind: Namespace\nmetadata: {name: default}");
    const namespaceLine = withNamespace.split("\n").findIndex((l) => l === "kind: Namespace");
    const finding = (await evaluate(withNamespace)).findings.find((f) => f.ruleId === "quota/namespace-without-resourcequota");
    // The Namespace object itself: its first line, the one before its kind.
    expect(finding?.position?.line).toBe(namespaceLine);
  });

  it("says a DaemonSet runs one pod per node rather than counting it as one pod", async () => {
    const only = (await evaluate(daemonSet("falco", "default"))).findings.find((f) => f.ruleId === "quota/namespace-without-resourcequota");
    expect(only?.message).toBe("namespace default has no ResourceQuota for the pods of DaemonSet falco (one per node)");
    const mixed = (await evaluate(docs(deployment("web", 2, "{}", "ops"), daemonSet("a", "ops"), daemonSet("b", "ops")))).findings.find((f) => f.ruleId === "quota/namespace-without-resourcequota");
    expect(mixed?.message).toBe("namespace ops has no ResourceQuota for its 2 pod(s) and the pods of DaemonSets a, b (one per node each)");
    const full = await evaluate(docs(quota("q", "{pods: '0'}", "ops"), daemonSet("agent", "ops")));
    expect(full.findings.find((f) => f.ruleId === "quota/exceeded")?.message).toMatch(/^1 of 1 pod\(s\) \(a DaemonSet runs one per node; counted here as one\) would be rejected: /);
  });

  it("leaves alone a namespace the input only mentions, with no pods in it (a lone ConfigMap's)", async () => {
    const result = await evaluate(docs("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: b}", "apiVersion: v1\nkind: Secret\nmetadata: {name: creds, namespace: shop}"));
    expect(result.findings.map((f) => f.ruleId)).toEqual([]);
  });

  it("counts a finished pod as an object only, as upstream's QuotaV1Pod", async () => {
    const pod = (name: string, phase: string) =>
      `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: shop}\nspec:\n  containers: [{name: c, image: x, resources: {requests: {cpu: '1', memory: 1Mi}, limits: {memory: 1Mi}}}]\nstatus: {phase: ${phase}}`;
    const result = await evaluate(docs(quota("q", "{pods: '5', count/pods: '5', requests.cpu: '1'}"), pod("done", "Succeeded"), pod("running", "Running")));
    expect(result.findings.filter((f) => f.ruleId === "quota/exceeded")).toEqual([]);
    expect(result.namespaces[0]!.quotas[0]!.used).toEqual({ "count/pods": "2", pods: "1", "requests.cpu": "1" });
  });

  it("places objects without a namespace in the -n namespace", async () => {
    const result = await evaluate(docs(quota("q", "{pods: '1'}", "team"), deployment("web", 2, "{}", "").replace("namespace: ,", "").replace(", namespace: }", "}")), "team");
    expect(result.findings.filter((f) => f.ruleId === "quota/exceeded")).toHaveLength(1);
  });

  it("refuses objects with unparseable quantities as input problems at their line and column, and counts them nowhere", async () => {
    const result = await evaluate(docs(quota("q", "{requests.cpu: 2 cores}"), deployment("web", 1, "{requests: {memory: 1GB}}"), quota("pods", "{pods: '5'}")));
    // Decoding fails before any admission: neither a finding of `palisade quota` nor a bound, nor a pod.
    expect(result.findings.filter((f) => f.ruleId === "quota/invalid-quantity")).toEqual([]);
    expect(result.refused.map((r) => [r.problem.position?.line, r.problem.message.split(": the API")[0]])).toEqual([
      [6, `ResourceQuota shop/q: spec.hard["requests.cpu"]: "2 cores" is not a quantity: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`],
      [22, `Deployment shop/web: spec.template.spec.containers[0].resources.requests.memory: "1GB" is not a quantity: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`],
    ]);
    expect(result.namespaces[0]!.quotas.map((q) => q.name)).toEqual(["pods"]);
    expect(result.namespaces[0]!.pods).toBe(0);
    // The scan reports the same refusals as findings, where they were before.
    expect(result.refused.flatMap((r) => r.findings ?? []).map((f) => [f.ruleId, f.fieldPath, f.position?.line])).toEqual([
      ["quota/invalid-quantity", 'spec.hard["requests.cpu"]', 6],
      ["quota/invalid-quantity", "spec.template.spec.containers[0].resources.requests.memory", 22],
    ]);
  });

  it("refuses claims outside a LimitRange's PersistentVolumeClaim min and max, with upstream's messages, and counts them nowhere", async () => {
    const lr = "apiVersion: v1\nkind: LimitRange\nmetadata: {name: lr, namespace: shop}\nspec:\n  limits:\n  - type: PersistentVolumeClaim\n    min: {storage: 1Gi}\n    max: {storage: 5Gi}";
    const claim = (name: string, requests: string, extra = "") => `apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: ${name}, namespace: shop}\nspec:\n  accessModes: [ReadWriteOnce]${extra}\n  resources: ${requests}`;
    const result = await evaluate(
      docs(
        quota("storage", "{requests.storage: 10Gi, persistentvolumeclaims: '5', fast.storageclass.storage.k8s.io/requests.storage: 1Gi}"),
        lr,
        claim("fits", "{requests: {storage: 5Gi}}"),
        claim("big", "{requests: {storage: 6Gi}}", "\n  storageClassName: fast"),
        claim("small", "{requests: {storage: 512Mi}}"),
        claim("none", "{}"),
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db, namespace: shop}\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers: [{name: db, image: db}]\n  volumeClaimTemplates:\n  - metadata: {name: data}\n    spec: {resources: {requests: {storage: 8Gi}}}",
      ),
    );
    const violations = result.findings.filter((f) => f.ruleId === "quota/limitrange-violation");
    expect(violations.map((f) => `${f.object?.name} ${f.fieldPath} :${f.position?.line}: ${f.message}`)).toEqual([
      "big spec.resources.requests :31: LimitRange lr: maximum storage usage per PersistentVolumeClaim is 5Gi, but request is 6Gi",
      "small spec.resources.requests :38: LimitRange lr: minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 512Mi",
      "none spec :43: LimitRange lr: minimum storage usage per PersistentVolumeClaim is 1Gi.  No request is specified",
      "none spec :43: LimitRange lr: maximum storage usage per PersistentVolumeClaim is 5Gi.  No request is specified",
      "db spec.volumeClaimTemplates[0].spec.resources.requests :57: LimitRange lr: claim template data: maximum storage usage per PersistentVolumeClaim is 5Gi, but request is 8Gi; the StatefulSet controller creates a pod's claims before the pod, so none of its 2 pods would be created (left out of the quota totals with their claims)",
    ]);
    // Only "fits" was created: the refused claims neither count nor exceed the fast class's 1Gi.
    expect(result.namespaces[0]!.quotas[0]!.used).toEqual({ "fast.storageclass.storage.k8s.io/requests.storage": "0", persistentvolumeclaims: "1", "requests.storage": "5Gi" });
    expect(result.findings.filter((f) => f.ruleId === "quota/exceeded")).toEqual([]);
  });

  it("leaves out of the totals, as input problems, objects whose fields have the wrong type", async () => {
    const snapshot = await loadSnapshot({
      paths: ["-"],
      stdinText: docs(
        quota("q", "{pods: '2'}"),
        "apiVersion: v1\nkind: LimitRange\nmetadata: {name: lr, namespace: shop}\nspec:\n  limits: {type: Container, max: {memory: 1Mi}}",
        deployment("web", 3, "{limits: {memory: 1Gi}}").replace("replicas: 3", 'replicas: "3"'),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec:\n  containers: \"oops\"",
        deployment("ok", 1, "{requests: {cpu: 10m, memory: 1Mi}, limits: {memory: 1Mi}}"),
      ),
    });
    const result = evaluateQuotas(snapshot);
    expect(result.refused.map((r) => [r.object.kind, r.problem.position.line, r.problem.message])).toEqual([
      ["LimitRange", 13, "LimitRange shop/lr: spec.limits is a mapping where Kubernetes expects a list of LimitRangeItem: the API server refuses the object, so it is left out of the quota totals"],
      ["Deployment", 20, 'Deployment shop/web: spec.replicas is text where Kubernetes expects an integer: the API server refuses the object, so it is left out of the quota totals'],
      ["Pod", 35, 'Pod shop/p: spec.containers is text where Kubernetes expects a list of Container: the API server refuses the object, so it is left out of the quota totals'],
    ]);
    expect(result.refused[0]!.problem).toMatchObject({ kind: "invalid-object", hint: expect.stringMatching(/^write the value in the declared type/) });
    // Only "ok" runs: one pod, no LimitRange (its own was refused), nothing rejected.
    expect(result.namespaces[0]).toMatchObject({ pods: 1, rejectedPods: 0, limitRanges: [], quotas: [{ used: { pods: "1" } }] });
    expect(result.findings.map((f) => `${f.ruleId} ${f.object?.name}`)).toEqual(["quota/namespace-without-limitrange shop"]);
  });

  it("reports LimitRange violations as rejections", async () => {
    const lr = "apiVersion: v1\nkind: LimitRange\nmetadata: {name: caps, namespace: shop}\nspec:\n  limits:\n  - type: Container\n    max: {memory: 1Gi}";
    const result = await evaluate(docs(lr, deployment("big", 1, "{limits: {memory: 2Gi}}")));
    expect(result.findings.filter((f) => f.ruleId === "quota/limitrange-violation").map((f) => f.message)).toEqual([
      "LimitRange caps: container app: maximum memory usage per Container is 1Gi, but limit is 2Gi",
    ]);
  });
});

describe("admission order property", () => {
  it("matches a replica-by-replica simulation and never fills a quota past its hard limit", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 1500 }), fc.integer({ min: 0, max: 6 })), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 0, max: 4000 }),
        fc.integer({ min: 0, max: 12 }),
        async (workloads, hardMilli, hardPods) => {
          const yaml = docs(
            quota("q", `{requests.cpu: ${hardMilli}m, pods: '${hardPods}'}`),
            ...workloads.map(([m, r], i) => deployment(`w${i}`, r, `{requests: {cpu: ${m}m, memory: 1Mi}, limits: {memory: 1Mi}}`)),
          );
          const result = await evaluate(yaml);
          // The reference: one pod at a time, refused when either resource would pass its limit.
          let usedMilli = 0;
          let usedPods = 0;
          let rejected = 0;
          for (const [m, r] of workloads) {
            for (let i = 0; i < r; i++) {
              if (usedMilli + m <= hardMilli && usedPods + 1 <= hardPods) {
                usedMilli += m;
                usedPods += 1;
              } else rejected++;
            }
          }
          const ns = result.namespaces.find((n) => n.namespace === "shop")!;
          expect(ns.rejectedPods).toBe(rejected);
          expect(ns.quotas[0]!.used.pods).toBe(String(usedPods));
          const used = ns.quotas[0]!.used["requests.cpu"]!;
          expect(used === "0" ? 0 : used.endsWith("m") ? Number(used.slice(0, -1)) : Number(used) * 1000).toBe(usedMilli);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("pod-level resources (spec.resources)", () => {
  it("admit a pod whose containers state none, at the pod-level amounts", async () => {
    const pod = `apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: t}\nspec:\n  resources:\n    requests: {cpu: 500m, memory: 256Mi}\n    limits: {cpu: "1", memory: 512Mi}\n  containers:\n  - {name: a, image: x}\n  - {name: b, image: x}`;
    const result = await evaluate(docs(quota("q", "{requests.cpu: '2', requests.memory: 2Gi, limits.memory: 4Gi}", "t"), pod));
    expect(result.findings.map((f) => f.ruleId)).toEqual(["quota/namespace-without-limitrange"]);
    expect(result.namespaces[0]!.quotas[0]!.used).toEqual({ "limits.memory": "512Mi", "requests.cpu": "500m", "requests.memory": "256Mi" });
  });
});
