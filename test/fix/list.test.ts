import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { fixManifestText } from "../../src/fix/fix-text.js";
import { splitJsonList } from "../../src/fix/json-list.js";
import { splitYamlList } from "../../src/fix/yaml-list.js";
import type { ListText } from "../../src/fix/list-editor.js";
import { podTemplate } from "../../src/k8s/workloads.js";
import type { K8sObject } from "../../src/k8s/types.js";
import { evaluatePod } from "../../src/podsecurity/evaluate.js";
import { LATEST, type Level } from "../../src/podsecurity/levels.js";

/**
 * A List document (`kubectl get … -o yaml|json`) is edited item by item (list-editor.ts);
 * editing it as one whole text is the reference: the text written must be the same.
 */

const restricted = { level: "restricted" as Level, version: LATEST };

/** kubectl's layout: the items' dashes under `items:`, `kind: List` after them; comments as people add them. */
const KUBECTL_LIST = `apiVersion: v1
items:
# the web tier
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: web   # keep in sync with the Service
    namespace: shop
    annotations:
      note: |
        first line

        after a blank line
  spec:
    template:
      metadata:
        labels: {app: web}
      spec:
# a comment left of its item
        containers:
        - name: web
          image: "registry.example.com/web:1.4.2"
          args: ["sh", "-c", "a && b *c"]
          securityContext:
            capabilities:
              add:
              - NET_ADMIN   # TODO: why?
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: settings
  data:
    key: value

# the worker
- apiVersion: v1
  kind: Pod
  metadata:
    name: worker
  spec:
    containers:
    - name: w
      image: worker:2   # pinned
kind: List
metadata:
  resourceVersion: ""
`;

/** js-yaml's (and many people's) layout: the items indented under `items:`. */
const INDENTED_LIST = KUBECTL_LIST.replace(/^items:\n([\s\S]*?)^kind: List/m, (_all, items: string) => `items:\n${items.replace(/^(?=.)(?!# a comment left)/gm, "  ")}kind: List`);

function deployments(n: number): unknown {
  return {
    apiVersion: "v1",
    kind: "List",
    items: Array.from({ length: n }, (_, i) => ({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: `d${i}`, namespace: `ns${i % 3}` },
      spec: { replicas: 1, selector: { matchLabels: { app: `d${i}` } }, template: { metadata: { labels: { app: `d${i}` } }, spec: { containers: [{ name: "c", image: "nginx:1.25", ports: [{ containerPort: 80 }] }] } } },
    })),
  };
}

function joined(split: ListText): string {
  return split.gaps.map((gap, i) => gap + (split.items[i] ? split.items[i].restore(split.items[i].text) : "")).join("");
}

function violations(value: unknown): string[] {
  return (value as { items: K8sObject[] }).items.flatMap((item) => {
    const t = podTemplate(item);
    return t ? evaluatePod("restricted", LATEST, t.pod).map((v) => v.checkId) : [];
  });
}

/** The fix made item by item, checked against the fix made on the whole text. */
function fixBothWays(text: string): ReturnType<typeof fixManifestText> {
  const fast = fixManifestText(text, restricted);
  const whole = fixManifestText(text, restricted, { wholeLists: true });
  expect(fast.errors).toEqual([]);
  expect(fast.changed).toBe(true);
  expect(fast.text).toBe(whole.text);
  expect(fast.documents).toEqual(whole.documents);
  expect(fast.corrections).toEqual(whole.corrections);
  return fast;
}

function linesOf(text: string, pattern: RegExp): number[] {
  return text.split("\n").flatMap((line, i) => (pattern.test(line) ? [i + 1] : []));
}

describe("a YAML List, item by item", () => {
  it("writes the same text as editing the whole document, in both sequence indent styles", () => {
    for (const text of [KUBECTL_LIST, INDENTED_LIST]) {
      const split = splitYamlList(text);
      expect(split?.items).toHaveLength(3);
      expect(joined(split!)).toBe(text);
      const r = fixBothWays(text);
      expect(violations(parse(r.text))).toEqual([]);
      expect(fixManifestText(r.text, restricted).text).toBe(r.text);
    }
  });

  it("keeps comments inside and between items, and block scalars, byte for byte", () => {
    for (const text of [KUBECTL_LIST, INDENTED_LIST]) {
      const out = fixBothWays(text).text;
      // Every comment but the one on the NET_ADMIN line, which the fix removes with its item.
      const kept = text.split("\n").filter((l) => (l.includes("#") && !l.includes("NET_ADMIN")) || /first line|after a blank/.test(l));
      expect(kept).toHaveLength(7);
      for (const line of kept) expect(out).toContain(`${line}\n`);
      expect(out).toContain("first line\n\n");
      expect((parse(out) as { items: Array<{ metadata: { annotations?: { note: string } } }> }).items[0]!.metadata.annotations!.note).toBe("first line\n\nafter a blank line\n");
    }
  });

  it("reports each object at its item's line in the file", () => {
    for (const text of [KUBECTL_LIST, INDENTED_LIST]) {
      const r = fixManifestText(text, restricted);
      const dashes = linesOf(text, /^ *- apiVersion:/);
      expect(r.documents.map((d) => [d.object.name, d.line])).toEqual([
        ["web", dashes[0]],
        ["worker", dashes[2]],
      ]);
    }
  });

  it("edits a List with anchors and aliases as one document, still right", () => {
    const text = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata:
    name: a
  spec:
    containers:
    - &app
      name: app
      image: app:1
- apiVersion: v1
  kind: Pod
  metadata:
    name: b
  spec:
    containers:
    - *app
`;
    expect(splitYamlList(text)).toBeUndefined();
    const r = fixManifestText(text, restricted);
    expect(r.errors).toEqual([]);
    expect(r.text).toBe(fixManifestText(text, restricted, { wholeLists: true }).text);
    expect(r.documents.map((d) => d.line)).toEqual([4, 13]);
    // The aliased container is refused (editing it would change both pods), the pods are still fixed where they can be.
    expect(r.changed).toBe(true);
  });

  it("edits an item whole when a line of it could not be put back byte for byte", () => {
    // A line of spaces shorter than the item's indentation.
    const text = KUBECTL_LIST.replace("    name: settings\n", "    name: settings\n \n");
    expect(splitYamlList(text)).toBeUndefined();
    const r = fixManifestText(text, restricted);
    expect(r.errors).toEqual([]);
    expect(r.text).toBe(fixManifestText(text, restricted, { wholeLists: true }).text);
  });

  it("writes the same text as the whole-document path on a List of 30 Deployments", async () => {
    const { dump } = (await import("js-yaml")).default;
    for (const text of [dump(deployments(30)), dump(deployments(30), { noArrayIndent: true })]) {
      const r = fixBothWays(text);
      expect(r.documents).toHaveLength(30);
      expect(r.documents.map((d) => d.line)).toEqual(linesOf(text, /^ *- apiVersion:/));
    }
  });
});

describe("a JSON List, item by item", () => {
  it("writes the same text as editing the whole document, in kubectl's layout and others", () => {
    const value = deployments(30);
    for (const text of [`${JSON.stringify(value, null, 4)}\n`, JSON.stringify(value, null, "\t"), JSON.stringify(value)]) {
      const split = splitJsonList(text);
      expect(split?.items).toHaveLength(30);
      expect(joined(split!)).toBe(text);
      const r = fixBothWays(text);
      expect(violations(JSON.parse(r.text))).toEqual([]);
    }
  });

  it("reports each object at its item's line in the file", () => {
    const text = `${JSON.stringify(deployments(5), null, 4)}\n`;
    expect(fixManifestText(text, restricted).documents.map((d) => d.line)).toEqual(linesOf(text, /^ {8}\{$/));
  });
});

describe("ListEditor", () => {
  it("names a refusal from the whole document, as the whole-document editor does", async () => {
    const { JsonEditor } = await import("../../src/fix/document-editor.js");
    const { jsonListEditor } = await import("../../src/fix/list-editor.js");
    const text = `${JSON.stringify({ apiVersion: "v1", kind: "List", items: [{ kind: "Pod", spec: "oops" }, { kind: "Pod", spec: { containers: [] } }] }, null, 2)}\n`;
    const edit = { op: "set" as const, path: ["items", 0, "spec", "securityContext", "runAsNonRoot"], value: true };
    const list = jsonListEditor(text, JSON.parse(text));
    expect(list).toBeDefined();
    const why = list!.apply(edit);
    expect(why).toMatch(/^items\[0\]\.spec /);
    expect(why).toBe(new JsonEditor(text, JSON.parse(text)).apply(edit));
    expect(list!.apply({ op: "remove", path: ["items", 1] })).toMatch(/not inside one item/);
    expect(list!.text).toBe(text);
  });
});
