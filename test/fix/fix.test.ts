import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments, stringify } from "yaml";
import { detectLayout, fixManifestText } from "../../src/fix/fix-text.js";
import { podTemplate } from "../../src/k8s/workloads.js";
import type { K8sObject } from "../../src/k8s/types.js";
import { evaluatePod } from "../../src/podsecurity/evaluate.js";
import { LATEST, parseVersion, type Level } from "../../src/podsecurity/levels.js";
import { INDENTED_STYLE, KUBECTL_STYLE, UNFIXABLE } from "./fixtures.js";

const restricted = { level: "restricted" as Level, version: LATEST };

function violations(text: string, level: Level = "restricted", version = LATEST): string[] {
  return parseAllDocuments(text).flatMap((d) => {
    const t = podTemplate(d.toJS() as K8sObject);
    return t ? evaluatePod(level, version, t.pod).map((v) => v.checkId) : [];
  });
}

describe("palisade fix on real-looking manifests", () => {
  it("makes the smallest edits and keeps comments, quoting, flow maps and other documents byte for byte", () => {
    const r = fixManifestText(KUBECTL_STYLE, restricted);
    expect(r.changed).toBe(true);
    expect(violations(r.text)).toEqual([]);
    const expected = KUBECTL_STYLE.replace(
      `          capabilities:
            add:
            - NET_ADMIN   # TODO: why?
            - NET_BIND_SERVICE
`,
      `          capabilities:
            add:
            - NET_BIND_SERVICE
            drop:
            - ALL
          allowPrivilegeEscalation: false
`,
    ).replace(
      `        image: registry.example.com/exporter:0.9
---`,
      `        image: registry.example.com/exporter:0.9
        securityContext:
          allowPrivilegeEscalation: false
          capabilities:
            drop:
            - ALL
      securityContext:
        runAsNonRoot: true
        seccompProfile:
          type: RuntimeDefault
---`,
    );
    expect(r.text).toBe(expected);
    const changes = r.documents[0]?.plan.changes.map((c) => c.checkId);
    expect(new Set(changes)).toEqual(new Set(["allowPrivilegeEscalation", "capabilities_restricted", "runAsNonRoot", "seccompProfile_restricted"]));
  });

  it("follows a file's own indentation", () => {
    expect(detectLayout(INDENTED_STYLE)).toEqual({ indent: 4, indentSeq: true });
    expect(detectLayout(KUBECTL_STYLE)).toEqual({ indent: 2, indentSeq: false });
    const r = fixManifestText(INDENTED_STYLE, restricted);
    expect(violations(r.text)).toEqual([]);
    expect(r.text).toContain("                    securityContext:\n                        runAsUser: 1000\n                        runAsNonRoot: true\n");
    expect(r.text.startsWith(INDENTED_STYLE.slice(0, INDENTED_STYLE.indexOf("                    containers:")).replace("runAsUser: 1000\n", ""))).toBe(true);
  });

  it("keeps a file's Windows line breaks on every line, the added ones too", () => {
    const windows = KUBECTL_STYLE.replace(/\n/g, "\r\n");
    const r = fixManifestText(windows, restricted);
    expect(r.changed).toBe(true);
    expect(r.text).not.toMatch(/(?:^|[^\r])\n/);
    expect(r.text).toBe(fixManifestText(KUBECTL_STYLE, restricted).text.replace(/\n/g, "\r\n"));
    const bad = "apiVersion: v1\r\nkind: Pod\r\nmetadata: {name: p\r\nspec: {}\r\n";
    expect(fixManifestText(bad, restricted).text).toBe(bad);
  });

  it("says what it will not fix, and why, and fixes the rest", () => {
    const r = fixManifestText(UNFIXABLE, restricted);
    const plan = r.documents[0]?.plan;
    expect(plan?.notFixed.map((n) => n.checkId).sort()).toEqual(["allowPrivilegeEscalation", "hostNamespaces", "privileged", "restrictedVolumes"]);
    expect(plan?.notFixed.find((n) => n.checkId === "privileged")?.why).toMatch(/by design/);
    expect(plan?.notFixed.find((n) => n.checkId === "allowPrivilegeEscalation")?.why).toMatch(/remove privileged first/);
    // hostNetwork, privileged and the hostPath volume are untouched.
    expect(r.text).toContain("hostNetwork: true");
    expect(r.text).toContain("privileged: true");
    expect(r.text).toContain("path: /");
    expect(fixManifestText(r.text, restricted).text).toBe(r.text);
  });

  it("leaves explicit choices alone: runAsNonRoot false, UID 0, Unconfined seccomp", () => {
    const text = `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  securityContext:
    runAsNonRoot: false
    seccompProfile:
      type: Unconfined
  containers:
  - name: a
    image: x
    securityContext:
      runAsUser: 0
`;
    const r = fixManifestText(text, restricted);
    const why = Object.fromEntries(r.documents[0]?.plan.notFixed.map((n) => [n.checkId, n.why]) ?? []);
    expect(why.runAsNonRoot).toMatch(/explicitly/);
    expect(why.runAsUser).toMatch(/UID 0/);
    expect(why.seccompProfile_restricted).toMatch(/Unconfined/);
    expect(r.text).toContain("runAsNonRoot: false");
    expect(r.text).toContain("type: Unconfined");
    // Written as YAML 1.1 words, which Kubernetes reads as booleans: the same choices.
    const words = fixManifestText(text.replace("runAsNonRoot: false", "runAsNonRoot: off").replace("      runAsUser: 0\n", "      runAsUser: 0\n      privileged: yes\n"), restricted);
    const wordsWhy = Object.fromEntries(words.documents[0]?.plan.notFixed.map((n) => [n.checkId, n.why]) ?? []);
    expect(wordsWhy.runAsNonRoot).toMatch(/explicitly/);
    expect(wordsWhy.privileged).toMatch(/by design/);
    expect(words.text).toContain("runAsNonRoot: off");
  });

  it("fixes only what the requested level and version ask for", () => {
    const text = `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: a
    image: x
    securityContext:
      capabilities:
        add: [SYS_ADMIN, CHOWN]
`;
    const baseline = fixManifestText(text, { level: "baseline", version: LATEST });
    expect(baseline.text).toContain("add: [CHOWN]");
    expect(baseline.text).not.toContain("runAsNonRoot");
    // restricted v1.21 had no capability or runAsUser rules; v1.22 added drop ALL.
    const v121 = fixManifestText(text, { level: "restricted", version: parseVersion("v1.21")! });
    expect(v121.text).not.toContain("drop");
    expect(violations(v121.text, "restricted", parseVersion("v1.21")!)).toEqual([]);
  });

  it("leaves non-workloads, Lists of nothing and already-compliant files untouched", () => {
    const svc = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: b\n";
    expect(fixManifestText(svc, restricted)).toMatchObject({ text: svc, changed: false, documents: [] });
    const once = fixManifestText(KUBECTL_STYLE, restricted).text;
    expect(fixManifestText(once, restricted)).toMatchObject({ text: once, changed: false });
  });

  it("returns a file with YAML errors unchanged, with the error's position", () => {
    const bad = "apiVersion: v1\nkind: Pod\nmetadata: {name: p\nspec: {}\n";
    const r = fixManifestText(bad, restricted);
    expect(r.text).toBe(bad);
    expect(r.errors.length).toBeGreaterThan(0);
    expect(r.errors[0]?.line).toBeGreaterThan(0);
  });
});

// Property: pods whose only problems are fixable pass the level after one fix, and a second fix changes nothing.
const KINDS: Array<[string, string, (podSpec: unknown) => Record<string, unknown>]> = [
  ["v1", "Pod", (spec) => ({ spec })],
  ["apps/v1", "Deployment", (spec) => ({ spec: { selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "b" } }, spec } } })],
  ["apps/v1", "StatefulSet", (spec) => ({ spec: { serviceName: "s", template: { spec } } })],
  ["apps/v1", "DaemonSet", (spec) => ({ spec: { template: { spec } } })],
  ["batch/v1", "Job", (spec) => ({ spec: { template: { spec } } })],
  ["batch/v1", "CronJob", (spec) => ({ spec: { schedule: "* * * * *", jobTemplate: { spec: { template: { spec } } } } })],
];
const fixableSc = fc.record(
  {
    allowPrivilegeEscalation: fc.boolean(),
    runAsNonRoot: fc.constant(true),
    runAsUser: fc.integer({ min: 1, max: 65535 }),
    capabilities: fc.record({ add: fc.subarray(["NET_BIND_SERVICE", "NET_ADMIN", "SYS_TIME", "CHOWN", "SYS_ADMIN"]), drop: fc.subarray(["NET_RAW", "ALL"]) }, { requiredKeys: [] }),
    seccompProfile: fc.constantFrom({ type: "RuntimeDefault" }, { type: "Localhost", localhostProfile: "p.json" }),
  },
  { requiredKeys: [] },
);
const container = (name: string) => fc.record({ name: fc.constant(name), image: fc.constant("registry.example.com/app:1"), securityContext: fixableSc }, { requiredKeys: ["name", "image"] });
const workload = fc.record({
  kind: fc.integer({ min: 0, max: KINDS.length - 1 }),
  containers: fc.array(container("c"), { minLength: 1, maxLength: 3 }).map((cs) => cs.map((c, i) => ({ ...c, name: `c${i}` }))),
  init: fc.array(container("i"), { maxLength: 1 }),
  podSc: fc.record({ runAsNonRoot: fc.constant(true), runAsUser: fc.integer({ min: 1, max: 65535 }), seccompProfile: fc.constant({ type: "RuntimeDefault" }) }, { requiredKeys: [] }),
  indentSeq: fc.boolean(),
});

describe("fix properties", () => {
  it("fixable workloads pass restricted after one fix, and fixing again changes nothing", () => {
    fc.assert(
      fc.property(fc.array(workload, { minLength: 1, maxLength: 3 }), (workloads) => {
        const text = workloads
          .map((w, n) => {
            const [apiVersion, kind, wrap] = KINDS[w.kind]!;
            const spec = { securityContext: w.podSc, containers: w.containers, ...(w.init.length ? { initContainers: w.init } : {}) };
            return stringify({ apiVersion, kind, metadata: { name: `w${n}` }, ...wrap(spec) }, { indentSeq: w.indentSeq });
          })
          .join("---\n");
        const once = fixManifestText(text, restricted);
        expect(once.errors).toEqual([]);
        expect(violations(once.text)).toEqual([]);
        expect(once.documents.every((d) => d.plan.notFixed.length === 0)).toBe(true);
        const twice = fixManifestText(once.text, restricted);
        expect(twice.text).toBe(once.text);
        expect(twice.changed).toBe(false);
        // Nothing but securityContext changed: the objects minus securityContexts are equal.
        const strip = (t: string) => JSON.stringify(parseAllDocuments(t).map((d) => d.toJS()), (k, v) => (k === "securityContext" ? undefined : v));
        expect(strip(once.text)).toBe(strip(text));
      }),
      { numRuns: 40 },
    );
  });

  it("the fixed text parses to the same objects as applying the plan to the parsed input", () => {
    const r = fixManifestText(KUBECTL_STYLE, restricted);
    expect(parse(r.text.split("---\n")[1] ?? "")).toEqual(parse(KUBECTL_STYLE.split("---\n")[1] ?? ""));
  });
});

describe("fields the API server would refuse or drop", () => {
  const TYPOS = `# a job with typos
apiVersion: batch/v1
kind: CronJob
metadata:
  name: report   # the nightly report
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          activeDeadlineSeconds: "600"
          securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
          containers:
          - name: app
            image: registry.example.com/report:1
            allowPrivilegeEscalation: false
            securityContext:
              readOnlyRootFileSystem: true  # keep it read-only
              capabilities: {drop: [ALL]}
---
apiVersion: v1
kind: Service
metadata: {name: s}
spec:
  ports: [{port: "80", targetPort: http}]
`;

  it("moves misspelt and misplaced fields where they were meant and unquotes quoted integers, before judging the pod as corrected", () => {
    const r = fixManifestText(TYPOS, restricted);
    expect(r.corrections.map((c) => [c.line, c.ruleId, c.description.replace(/spec\.jobTemplate\.spec\.template\.spec\./g, "…")])).toEqual([
      [2, "manifest/unknown-field", "…containers[0].allowPrivilegeEscalation → …containers[0].securityContext.allowPrivilegeEscalation"],
      [2, "manifest/unknown-field", "…containers[0].securityContext.readOnlyRootFileSystem → …containers[0].securityContext.readOnlyRootFilesystem"],
      [2, "manifest/wrong-type", '…activeDeadlineSeconds: "600" → 600'],
      [23, "manifest/wrong-type", 'spec.ports[0].port: "80" → 80'],
    ]);
    // With allowPrivilegeEscalation where it belongs, the pod already passes: no Pod Security edit.
    expect(r.documents.map((d) => d.plan.changes)).toEqual([[]]);
    expect(r.text).toBe(
      TYPOS.replace('activeDeadlineSeconds: "600"', "activeDeadlineSeconds: 600")
        .replace("            allowPrivilegeEscalation: false\n", "")
        .replace("              readOnlyRootFileSystem: true  # keep it read-only\n", "              readOnlyRootFilesystem: true  # keep it read-only\n")
        .replace("              capabilities: {drop: [ALL]}\n", "              capabilities: {drop: [ALL]}\n              allowPrivilegeEscalation: false\n")
        .replace('ports: [{port: "80", targetPort: http}]', "ports: [{port: 80, targetPort: http}]"),
    );
    const again = fixManifestText(r.text, restricted);
    expect(again.changed).toBe(false);
    expect(again.corrections).toEqual([]);
  });

  it("leaves uncertain ones to a person", () => {
    const text = TYPOS.replace("              readOnlyRootFileSystem: true  # keep it read-only\n", "              readOnlyRootFileSystem: true\n              readOnlyRootFilesystem: false\n").replace('"600"', '"ten minutes"');
    const r = fixManifestText(text, restricted);
    expect(r.corrections.map((c) => c.description)).not.toContainEqual(expect.stringMatching(/readOnlyRootFileSystem|activeDeadlineSeconds/));
    expect(r.text).toContain("readOnlyRootFileSystem: true\n");
    expect(r.text).toContain('"ten minutes"');
  });

  it("quotes a boolean or number where Kubernetes expects text as it was written, never printing it", () => {
    const text = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web, version: 1.0, canary: yes}   # keep
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
      containers:
      - name: app
        image: web:1
        args: ["--port", 8080]
        env:
        - {name: MODE, value: 0644}
        securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
---
apiVersion: v1
kind: Secret
metadata: {name: s}
stringData:
  pin: 12345
`;
    const r = fixManifestText(text, restricted);
    expect(r.text).toBe(
      text
        .replace("labels: {app: web, version: 1.0, canary: yes}   # keep", 'labels: {app: web, version: "1.0", canary: "yes"}   # keep')
        .replace('args: ["--port", 8080]', 'args: ["--port", "8080"]')
        .replace("value: 0644}", 'value: "0644"}')
        .replace("pin: 12345", 'pin: "12345"'),
    );
    expect(r.corrections.map((c) => `${c.ruleId} ${c.description}`)).toEqual([
      "manifest/string-expected metadata.labels.version quoted as written",
      "manifest/string-expected metadata.labels.canary quoted as written",
      "manifest/string-expected spec.template.spec.containers[0].args[1] quoted as written",
      "manifest/string-expected spec.template.spec.containers[0].env[0].value quoted as written",
      "manifest/string-expected stringData.pin quoted as written",
    ]);
    expect(JSON.stringify(r.corrections)).not.toContain("12345");
    expect(fixManifestText(r.text, restricted).changed).toBe(false);
  });

  it("leaves two moves that would write the same place to a person (and writes no duplicate key)", () => {
    const text = `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: app
    image: x
    allowPrivilegeEscalation: false
    securityContex: {capabilities: {drop: [ALL]}}
`;
    const r = fixManifestText(text, restricted);
    // Left as written, and said so: kubectl apply refuses the object until a person moves them.
    expect(r.corrections.map((c) => `${c.ruleId} ${c.description}${c.notMade ? " NOT fixed" : ""}`)).toEqual([
      "manifest/unknown-field spec.containers[0].allowPrivilegeEscalation is not a field of Container: did you mean securityContext.allowPrivilegeEscalation? NOT fixed",
      "manifest/unknown-field spec.containers[0].securityContex is not a field of Container: did you mean securityContext? NOT fixed",
    ]);
    const [doc] = parseAllDocuments(r.text);
    expect(doc!.errors).toEqual([]);
    expect((doc!.toJS() as { spec: { containers: Array<Record<string, unknown>> } }).spec.containers[0]!.securityContex).toEqual({ capabilities: { drop: ["ALL"] } });
  });
});

describe("fields left as written", () => {
  it("a misplaced field no certain correction moves is reported NOT fixed, with what was likely meant", () => {
    const text = `apiVersion: v1
kind: Pod
metadata: {name: p, namespace: a}
spec:
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: c
    image: nginx
    hostNetwork: true
    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
`;
    const r = fixManifestText(text, restricted);
    expect(r.changed).toBe(false);
    expect(r.corrections).toEqual([
      {
        line: 1,
        object: { kind: "Pod", name: "p", namespace: "a", apiVersion: "v1" },
        ruleId: "manifest/unknown-field",
        description: "spec.containers[0].hostNetwork is not a field of Container",
        notMade: "where it was meant is not certain: kubectl apply refuses the object until it is moved or removed by hand",
      },
    ]);
  });
});

describe("YAML anchors", () => {
  it("does not edit through an alias or a shared anchor (that would change every user of the anchor); makes the other edits and says which were not made", () => {
    const text = `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  securityContext:
    runAsNonRoot: true
  containers:
  - name: a
    image: x
    securityContext: &sc
      allowPrivilegeEscalation: false
  - name: b
    image: z
    securityContext: *sc
`;
    const r = fixManifestText(text, restricted);
    expect(r.text).toBe(text.replace("    runAsNonRoot: true\n", "    runAsNonRoot: true\n    seccompProfile:\n      type: RuntimeDefault\n"));
    const plan = r.documents[0]!.plan;
    expect(plan.changes.map((c) => c.checkId)).toEqual(["seccompProfile_restricted"]);
    expect(plan.notFixed.map((n) => [n.checkId, n.why])).toEqual([
      ["capabilities_restricted", "spec.containers[0].securityContext carries the YAML anchor &sc that aliases use: editing it would change them too"],
    ]);
  });
});

describe("hostile input", () => {
  it("an alias bomb is refused as the loader refuses it, not expanded", () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]", ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(", ")}]`)].join("\n") + "\n";
    const r = fixManifestText(bomb, restricted);
    expect(r.text).toBe(bomb);
    expect(r.errors).toEqual([
      { line: 1, column: 1, message: "refused: YAML aliases expand this document to over 10× its own size (an alias bomb)", hint: "expand the anchors by hand; Kubernetes manifests rarely need aliases" },
    ]);
  });
});

describe("Lists", () => {
  it("fixes every workload inside a kind: List (kubectl get -o yaml)", () => {
    const list = `apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: a
  spec:
    template:
      spec:
        containers:
        - name: a
          image: x
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: c
- apiVersion: v1
  kind: Pod
  metadata:
    name: b
  spec:
    containers:
    - name: b
      image: y
`;
    const r = fixManifestText(list, restricted);
    expect(r.documents.map((d) => d.object.name)).toEqual(["a", "b"]);
    const items = (parse(r.text) as { items: K8sObject[] }).items;
    for (const item of items) {
      const t = podTemplate(item);
      if (t) expect(evaluatePod("restricted", LATEST, t.pod)).toEqual([]);
    }
    expect(fixManifestText(r.text, restricted).text).toBe(r.text);
  });
});
