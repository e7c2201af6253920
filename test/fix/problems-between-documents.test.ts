import { describe, expect, it } from "vitest";
import { fixManifestText } from "../../src/fix/fix-text.js";
import { LATEST, type Level } from "../../src/podsecurity/levels.js";

/** Defects a QA pass found in how `palisade fix` splits a file into documents. */

const restricted = { level: "restricted" as Level, version: LATEST };

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: a
    image: nginx
`;

describe("a document's YAML error stays with that document", () => {
  it("an unclosed flow collection at a document's end (reported on the next `---` line) refuses only that document, once", () => {
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\ndata:\n  a: [1, 2\n---\n${POD}`;
    const r = fixManifestText(text, restricted);
    // The scan judges the Pod after it: fix edits it too, and reports the error once.
    expect(r.errors.map((e) => e.line)).toEqual([7]);
    expect(r.documents.map((d) => d.object.name)).toEqual(["p"]);
    expect(r.documents[0]?.plan.notFixed).toEqual([]);
    expect(r.text.startsWith(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\ndata:\n  a: [1, 2\n---\n`)).toBe(true);
    expect(r.text).toContain("runAsNonRoot: true");
  });

  it("a `%YAML` directive, which kubectl reads as a document of its own, does not stop the document after it from being fixed", () => {
    const r = fixManifestText(`%YAML 1.1\n---\n${POD}`, restricted);
    expect(r.errors).toHaveLength(1);
    expect(r.documents.map((d) => d.object.name)).toEqual(["p"]);
    expect(r.text).toMatch(/^%YAML 1\.1\n---\napiVersion: v1\n/);
    expect(r.text).toContain("allowPrivilegeEscalation: false");
  });

  it("an error on a document's own first line still refuses that document", () => {
    const text = `${POD}---\nkind: [Pod\napiVersion: v1\n`;
    const r = fixManifestText(text, restricted);
    expect(r.errors.length).toBeGreaterThan(0);
    expect(r.text.endsWith(`---\nkind: [Pod\napiVersion: v1\n`)).toBe(true);
    expect(r.documents.map((d) => d.object.name)).toEqual(["p"]);
  });

  it("a file of many such documents keeps the cautious answer past a few, in linear time", () => {
    const pair = (i: number) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad${i}\ndata:\n  a: [1\n---\n${POD.replace("name: p", `name: p${i}`)}---\n`;
    const text = Array.from({ length: 60 }, (_, i) => pair(i)).join("");
    const started = Date.now();
    const r = fixManifestText(text, restricted);
    expect(Date.now() - started).toBeLessThan(20_000);
    // Each error reported once for a document read alone, and the Pods after them fixed.
    expect(r.documents.map((d) => d.object.name).slice(0, 3)).toEqual(["p0", "p1", "p2"]);
    expect(r.errors.length).toBeGreaterThanOrEqual(60);
  });
});
