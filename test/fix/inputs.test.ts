import { describe, expect, it } from "vitest";
import { fixManifestText } from "../../src/fix/fix-text.js";
import { LATEST, type Level } from "../../src/podsecurity/levels.js";

/** The defects a tester found in `palisade fix`, each as the input that showed it. */

const restricted = { level: "restricted" as Level, version: LATEST };

const POD_JSON = `{
  "apiVersion": "v1",
  "kind": "Pod",
  "metadata": {"name": "pj"},
  "spec": {
    "containers": [
      {"name": "c", "image": "nginx:1.25"}
    ]
  }
}
`;

describe("JSON in, JSON out", () => {
  it("splices the edits into the text: inline objects stay inline, added members take their container's layout, the final newline stays", () => {
    const r = fixManifestText(POD_JSON, restricted);
    expect(r.errors).toEqual([]);
    expect(r.text).toBe(`{
  "apiVersion": "v1",
  "kind": "Pod",
  "metadata": {"name": "pj"},
  "spec": {
    "containers": [
      {"name": "c", "image": "nginx:1.25", "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}
    ],
    "securityContext": {
      "runAsNonRoot": true,
      "seccompProfile": {
        "type": "RuntimeDefault"
      }
    }
  }
}
`);
  });

  it("leaves untouched inline objects of an indented file as they were (no re-indenting), byte for byte", () => {
    const text = '{\n  "apiVersion": "apps/v1",\n  "kind": "Deployment",\n  "metadata": {"name": "d", "labels": {"app": "d"}},\n  "spec": {\n    "selector": {"matchLabels": {"app": "d"}},\n    "template": {\n      "metadata": {"labels": {"app": "d"}},\n      "spec": {\n        "containers": [\n          {\n            "name": "c",\n            "image": "nginx:1.25",\n            "resources": {"limits": {"cpu": "1"}}\n          }\n        ]\n      }\n    }\n  }\n}\n';
    const r = fixManifestText(text, restricted);
    expect(r.text).toBe(
      text
        .replace('"resources": {"limits": {"cpu": "1"}}', '"resources": {"limits": {"cpu": "1"}},\n            "securityContext": {\n              "allowPrivilegeEscalation": false,\n              "capabilities": {\n                "drop": [\n                  "ALL"\n                ]\n              }\n            }')
        .replace('        ]\n      }\n    }', '        ],\n        "securityContext": {\n          "runAsNonRoot": true,\n          "seccompProfile": {\n            "type": "RuntimeDefault"\n          }\n        }\n      }\n    }'),
    );
  });

  it("keeps tabs, one-line objects, a missing final newline, numbers as written and integer-like keys in place", () => {
    const tabbed = '{\n\t"apiVersion": "v1",\n\t"kind": "Pod",\n\t"metadata": {"name": "t", "labels": {"b": "x", "10": "y"}},\n\t"spec": {"terminationGracePeriodSeconds": 12345678901234567890, "containers": [{"name": "c", "image": "i"}]}\n}';
    const r = fixManifestText(tabbed, restricted);
    expect(r.text).toBe(
      '{\n\t"apiVersion": "v1",\n\t"kind": "Pod",\n\t"metadata": {"name": "t", "labels": {"b": "x", "10": "y"}},\n' +
        '\t"spec": {"terminationGracePeriodSeconds": 12345678901234567890, "containers": [{"name": "c", "image": "i", "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}], "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}}}\n}',
    );
    const oneLine = JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "o" }, spec: { containers: [{ name: "c", image: "i" }] } }) + "\n";
    const compact = fixManifestText(oneLine, restricted).text;
    expect(compact).toBe(
      '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"o"},"spec":{"containers":[{"name":"c","image":"i","securityContext":{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]}}}],"securityContext":{"runAsNonRoot":true,"seccompProfile":{"type":"RuntimeDefault"}}}}\n',
    );
  });

  it("takes each container's own habits: four spaces in one, padded braces in another, an empty object opened in its parent's layout", () => {
    const text = '{\n    "apiVersion": "v1",\n    "kind": "Pod",\n    "metadata": { "name": "p" },\n    "spec": {\n        "securityContext": {},\n        "containers": [{ "name": "c", "image": "i", "securityContext": {} }]\n    }\n}\n';
    const r = fixManifestText(text, restricted);
    expect(r.text).toBe(
      '{\n    "apiVersion": "v1",\n    "kind": "Pod",\n    "metadata": { "name": "p" },\n    "spec": {\n' +
        '        "securityContext": {\n            "runAsNonRoot": true,\n            "seccompProfile": {\n                "type": "RuntimeDefault"\n            }\n        },\n' +
        '        "containers": [{ "name": "c", "image": "i", "securityContext": { "allowPrivilegeEscalation": false, "capabilities": { "drop": [ "ALL" ] } } }]\n    }\n}\n',
    );
  });

  it("removes, renames and quotes in place: a removed item takes its neighbours' commas, not their lines", () => {
    const text =
      '{\n  "apiVersion": "v1",\n  "kind": "Pod",\n  "metadata": {"name": "q", "labels": {"version": 1.0}},\n  "spec": {\n    "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},\n' +
      '    "containers": [\n      {\n        "name": "c",\n        "image": "i",\n        "imagePullpolicy": "Always",\n        "securityContext": {\n          "allowPrivilegeEscalation": false,\n' +
      '          "capabilities": {"add": ["SYS_TIME", "NET_BIND_SERVICE", "NET_ADMIN"], "drop": ["ALL"]},\n          "runAsUser": 1000\n        }\n      }\n    ]\n  }\n}\n';
    const r = fixManifestText(text, restricted);
    expect(r.errors).toEqual([]);
    expect(r.documents[0]!.plan.notFixed).toEqual([]);
    expect(r.corrections.map((c) => `${c.ruleId} ${c.description}`)).toEqual(["manifest/unknown-field spec.containers[0].imagePullpolicy → spec.containers[0].imagePullPolicy", "manifest/string-expected metadata.labels.version quoted as written"]);
    // Only the lines that held what was corrected or removed change, and only there.
    const before = text.split("\n");
    const after = r.text.split("\n");
    expect(after.length).toBe(before.length);
    expect(after.filter((line, i) => line !== before[i])).toEqual([
      '  "metadata": {"name": "q", "labels": {"version": "1.0"}},',
      '        "imagePullPolicy": "Always",',
      '          "capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]},',
    ]);
  });

  it("reports invalid JSON in a .json file at its line and column, as the scan does", () => {
    const r = fixManifestText('{\n  "kind": "Pod",\n  "metadata": {"name": "x",}\n}\n', restricted, { json: true });
    expect(r.errors).toEqual([{ line: 3, column: 28, message: "invalid JSON: Expected double-quoted property name", hint: "fix the JSON syntax at that position, or rename the file to .yaml if it is YAML" }]);
    expect(r.changed).toBe(false);
  });
});

describe("fields the API server cannot decode", () => {
  const WT2 = `apiVersion: v1
kind: Pod
metadata: {name: w2}
spec:
  securityContext: "restricted"
  containers:
  - name: c
    image: nginx
    securityContext: [runAsNonRoot]
`;
  const FINE = "---\napiVersion: v1\nkind: Pod\nmetadata: {name: ok}\nspec:\n  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}\n  containers:\n  - name: c\n    image: nginx\n";

  it("are input problems at their field; the object is neither judged nor edited, the other documents are fixed", () => {
    const r = fixManifestText(WT2 + FINE, restricted);
    expect(r.errors).toEqual([
      { line: 5, column: 3, message: "Pod/w2: spec.securityContext is a string where Kubernetes expects a mapping (PodSecurityContext): the API server refuses this object when decoding it, before any admission", hint: "write the field as the type it expects (`kubectl explain` shows it); the object was left unchanged and not judged" },
      { line: 9, column: 5, message: "Pod/w2: spec.containers[0].securityContext is a list where Kubernetes expects a mapping (SecurityContext): the API server refuses this object when decoding it, before any admission", hint: "write the field as the type it expects (`kubectl explain` shows it); the object was left unchanged and not judged" },
    ]);
    expect(r.documents.map((d) => d.object.name)).toEqual(["ok"]);
    expect(r.text).toBe(WT2 + FINE + "    securityContext:\n      allowPrivilegeEscalation: false\n      capabilities:\n        drop:\n        - ALL\n");
  });

  it("a quoted number is corrected first; one that cannot be corrected (drop: ALL) refuses the object", () => {
    const wt3 = 'apiVersion: v1\nkind: Pod\nmetadata: {name: w3}\nspec:\n  containers:\n  - name: c\n    image: nginx\n    securityContext:\n      capabilities: {drop: ALL}\n      allowPrivilegeEscalation: "false"\n';
    const r = fixManifestText(wt3, restricted);
    expect(r.errors.map((e) => [e.line, e.column])).toEqual([[9, 22]]);
    expect(r.errors[0]?.message).toBe("Pod/w3: spec.containers[0].securityContext.capabilities.drop is a string where Kubernetes expects a list: the API server refuses this object when decoding it, before any admission");
    expect(r.text).toBe(wt3);
    expect(r.corrections).toEqual([]);
  });
});

describe("corrections inside a renamed field", () => {
  it("a misspelt key's contents get the corrections a correctly spelt one gets (securityContex: {runAsUser: \"1000\"})", () => {
    const typo3 = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: t3\nspec:\n  securityContex:\n    runAsUser: "1000"\n    runAsNonRoot: true\n  containers:\n  - name: c\n    image: nginx:1.25\n';
    const r = fixManifestText(typo3, restricted);
    expect(r.corrections.map((c) => `${c.ruleId} ${c.description}`)).toEqual(["manifest/unknown-field spec.securityContex → spec.securityContext", 'manifest/wrong-type spec.securityContext.runAsUser: "1000" → 1000']);
    expect(r.text).toBe(
      "apiVersion: v1\nkind: Pod\nmetadata:\n  name: t3\nspec:\n  securityContext:\n    runAsUser: 1000\n    runAsNonRoot: true\n    seccompProfile:\n      type: RuntimeDefault\n" +
        "  containers:\n  - name: c\n    image: nginx:1.25\n    securityContext:\n      allowPrivilegeEscalation: false\n      capabilities:\n        drop:\n        - ALL\n",
    );
    expect(r.documents[0]?.plan.notFixed).toEqual([]);
    expect(fixManifestText(r.text, restricted).changed).toBe(false);
  });
});

describe("YAML anchors and merges", () => {
  const ANCHORS = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: a
spec:
  selector: {matchLabels: {app: a}}
  template:
    metadata:
      labels: {app: a}
    spec:
      containers:
      - &main
        name: c1
        image: nginx:1.25
        securityContext: &sc
          runAsNonRoot: true
      - <<: *main
        name: c2
      - name: c3
        image: nginx:1.25
        securityContext: *sc
`;

  it("makes every edit that touches no alias, anchor or merge, and reports the rest as NOT fixed from the text written", () => {
    const r = fixManifestText(ANCHORS, restricted);
    expect(r.text).toBe(ANCHORS + "      securityContext:\n        seccompProfile:\n          type: RuntimeDefault\n");
    const plan = r.documents[0]!.plan;
    expect(plan.changes.map((c) => c.description)).toEqual(["pod: seccompProfile: RuntimeDefault"]);
    expect(plan.notFixed.map((n) => `${n.checkId}: ${n.why}`)).toEqual([
      "allowPrivilegeEscalation: spec.template.spec.containers[0] carries the YAML anchor &main that aliases use: editing it would change them too",
      "capabilities_restricted: spec.template.spec.containers[0] carries the YAML anchor &main that aliases use: editing it would change them too",
    ]);
  });
});

describe("one bad document does not block the others", () => {
  it("a duplicated key is reported at its line and column (as the scan does); the document before it is fixed, the bad one kept byte for byte", () => {
    const good = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p1}\nspec:\n  containers: [{name: c, image: "nginx:1.25"}]\n';
    const bad = "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: dk\nspec:\n  containers:\n  - name: c\n    image: nginx:1.25\n    securityContext:\n      runAsUser: 0\n    securityContext:\n      runAsUser: 1000\n";
    const r = fixManifestText(good + bad, restricted);
    expect(r.errors).toEqual([{ line: 17, column: 5, message: "invalid YAML: duplicated mapping key", hint: "keep one of the two: YAML forbids a key twice, and kubectl would silently apply the last one; the other documents were still scanned" }]);
    expect(r.text.endsWith(bad)).toBe(true);
    expect(r.documents.map((d) => [d.object.name, d.plan.notFixed.length])).toEqual([["p1", 0]]);
  });

  it("documents nested too deep, or alias bombs, are refused with the loader's limits and words", () => {
    const deep = `a: ${"[".repeat(250)}${"]".repeat(250)}\n`;
    expect(fixManifestText(deep, restricted).errors).toEqual([
      { line: 1, column: 1, message: "refused: the document nests deeper than 200 levels", hint: "Kubernetes objects nest a few dozen levels at most; check that this is the file you meant to scan" },
    ]);
  });
});

describe("lines no edit touches keep every byte", () => {
  it("a four-space file with `-   name:` items and an untouched block: only lines are added", () => {
    const weird = `apiVersion: v1
kind: Pod
metadata:
  name: p
  labels: {app: p}
spec:
    containers:
        -   name: c
            image: nginx:1.25
            env:
              - {name: A, value: "1"}
    initContainers:
    - name: init
      image: busybox:1.36
      securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
`;
    const r = fixManifestText(weird, restricted);
    expect(r.text).toBe(
      weird.replace(
        '              - {name: A, value: "1"}\n',
        '              - {name: A, value: "1"}\n            securityContext:\n                allowPrivilegeEscalation: false\n                capabilities:\n                    drop:\n                        - ALL\n',
      ) + "    securityContext:\n        runAsNonRoot: true\n        seccompProfile:\n            type: RuntimeDefault\n",
    );
  });
});
