import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { fixManifestText } from "../../src/fix/fix-text.js";
import { rewriteManifest } from "../../src/fix/rewrite.js";
import { podTemplate } from "../../src/k8s/workloads.js";
import type { K8sObject } from "../../src/k8s/types.js";
import { evaluatePod } from "../../src/podsecurity/evaluate.js";
import { LATEST, parseVersion, type Level } from "../../src/podsecurity/levels.js";

/** Inputs a demanding user tried on `palisade fix`, each of which it got wrong once. */

const restricted = { level: "restricted" as Level, version: LATEST };

function violations(text: string, version = LATEST): string[] {
  return parseAllDocuments(text).flatMap((d) => {
    const t = podTemplate(d.toJS() as K8sObject);
    return t ? evaluatePod("restricted", version, t.pod).map((v) => v.checkId) : [];
  });
}

const pod = (name: string, container = '{"name":"c","image":"nginx"}') => `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"${name}"},"spec":{"containers":[${container}]}}`;

describe("a stream of JSON values (jq -c '.items[]'), which the scan reads and kubectl applies", () => {
  it("is fixed value by value; one that does not parse is reported at its line and kept, the text between values as it was", () => {
    const text = `${pod("a")}\n${pod("bad", '{"name":"c","image":nginx}')}\n\n${pod("b")}\n`;
    // A .json file: read as JSON whatever it holds (a stream with a bad value is not JSON to the YAML reader's guess).
    const r = fixManifestText(text, restricted, { json: true });
    expect(r.errors.map((e) => [e.line, e.message])).toEqual([[2, "invalid JSON: Unexpected token 'g'"]]);
    expect(r.documents.map((d) => [d.line, d.object.name, d.plan.notFixed.length])).toEqual([[1, "a", 0], [4, "b", 0]]);
    const lines = r.text.split("\n");
    expect(lines).toHaveLength(5);
    expect(lines[1]).toBe(text.split("\n")[1]);
    expect(lines[2]).toBe("");
    for (const line of [lines[0], lines[3]]) expect(JSON.parse(line ?? "")).toMatchObject({ spec: { securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } } } });
    expect(lines[0]).toContain('"securityContext":{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]}}');
  });

  it("a value spread over lines is reported at its own lines, and two values on one line are both fixed", () => {
    const first = JSON.stringify(JSON.parse(pod("a")), null, 2);
    const text = `${first}\n${pod("b")} ${pod("c", '{"name":"c","image":"nginx","securityContext":"x"}')}\n`;
    const r = fixManifestText(text, restricted);
    expect(r.documents.map((d) => [d.line, d.object.name])).toEqual([[1, "a"], [first.split("\n").length + 1, "b"]]);
    expect(r.errors.map((e) => e.line)).toEqual([first.split("\n").length + 1]);
    expect(r.errors[0]?.message).toContain("Pod/c: spec.containers[0].securityContext is a string");
  });
});

describe("input problems are input problems, and never show the document's text", () => {
  const secret = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {password: hunter2";

  it("an unclosed flow map at the end of a file with no final line break is invalid YAML at its line, not an internal error", () => {
    for (const text of [secret, `${pod("a").replace(/}$/, "")}`, `apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {}\n---\n${secret}`]) {
      const r = fixManifestText(text, restricted);
      expect(r.text).toBe(text);
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0]?.message).toMatch(/^invalid YAML: unexpected end of the stream within a flow collection$/);
      expect(r.errors[0]?.line).toBe(text.split("\n").length + 1);
      expect(JSON.stringify(r.errors)).not.toContain("hunter2");
    }
  });

  it("an internal error says its first line only: the YAML readers' messages quote the document around the error", () => {
    const text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: nginx}]}\n";
    const err = Object.assign(new Error("bad thing (4:7)\n\n 3 | password: hunter2\n-----^"), { reason: "bad thing" });
    const r = rewriteManifest(text, {
      edit: () => {
        throw err;
      },
    });
    expect(r.text).toBe(text);
    expect(r.problems.map((p) => p.message)).toEqual(["not fixed: internal error: bad thing"]);
    const json = rewriteManifest('{"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c"}]}}', {
      edit: () => {
        throw new SyntaxError(`Unexpected token 'h', "{"password": hunter2}" is not valid JSON`);
      },
    });
    expect(json.problems.map((p) => p.message)).toEqual(["not fixed: internal error: Unexpected token 'h'"]);
  });

  it("a UTF-8 byte-order mark in front of JSON is kept in front, and the JSON fixed (the scan reads it)", () => {
    const r = fixManifestText(`\ufeff${pod("a")}\n`, restricted);
    expect(r.errors).toEqual([]);
    expect(r.text.charCodeAt(0)).toBe(0xfeff);
    expect(violations(r.text.slice(1))).toEqual([]);
    expect(r.text).toBe(`\ufeff${fixManifestText(`${pod("a")}\n`, restricted).text}`);
  });
});

describe("Windows pods", () => {
  const WINDOWS = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: w\nspec:\n  os:\n    name: windows\n  containers:\n  - name: c\n    image: mcr.microsoft.com/windows/nanoserver:ltsc2022\n";

  it("before v1.25, are not given the fields the API server refuses in a Windows pod; each is NOT fixed, with why and what to do", () => {
    const v124 = parseVersion("v1.24")!;
    const r = fixManifestText(WINDOWS, { level: "restricted", version: v124 });
    expect(r.text).toBe(`${WINDOWS}  securityContext:\n    runAsNonRoot: true\n`);
    const notFixed = r.documents[0]?.plan.notFixed ?? [];
    expect(notFixed.map((n) => n.checkId).sort()).toEqual(["allowPrivilegeEscalation", "capabilities_restricted", "seccompProfile_restricted"]);
    for (const n of notFixed) expect(n.why).toMatch(/^a Windows pod \(spec\.os\.name: windows\) cannot set securityContext\.\w+: the API server refuses it; .* from v1\.25 \(use --pss-version v1\.25 or later\)$/);
    expect(violations(r.text, v124).sort()).toEqual(["allowPrivilegeEscalation", "capabilities_restricted", "seccompProfile_restricted"]);
    // From v1.25 Pod Security asks for none of them: the same edit passes.
    const latest = fixManifestText(WINDOWS, restricted);
    expect(latest.text).toBe(r.text);
    expect(latest.documents[0]?.plan.notFixed).toEqual([]);
  });
});

describe("comments stay with what they describe", () => {
  it("a key added after a list goes after the list's commented-out items and before a comment that introduces an outer key", () => {
    const text = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: co
spec:
  template:
    spec:
      securityContext:
        runAsNonRoot: true
        seccompProfile:
          type: RuntimeDefault
      containers:
      - name: app
        image: nginx
        securityContext:
          capabilities:
            drop:
            - ALL
            # - SYS_ADMIN
  # rollout strategy: one at a time
  strategy:
    type: Recreate
`;
    const r = fixManifestText(text, restricted);
    expect(r.text).toBe(text.replace("            # - SYS_ADMIN\n", "            # - SYS_ADMIN\n          allowPrivilegeEscalation: false\n"));
  });

  it("`key: null` filled with lines leaves no blank at the end of the key's line", () => {
    const text = "apiVersion: v1\nkind: Pod\nmetadata: {name: nul}\nspec:\n  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}\n  containers:\n  - name: c\n    image: nginx\n    securityContext: null\n  - name: d\n    image: nginx\n    securityContext: ~   # none yet\n";
    const r = fixManifestText(text, restricted);
    expect(violations(r.text)).toEqual([]);
    expect(r.text.split("\n").filter((l) => /\s$/.test(l))).toEqual([]);
    expect(r.text).toContain("    securityContext:\n      allowPrivilegeEscalation: false\n");
    expect(r.text).toContain("    securityContext:    # none yet\n      allowPrivilegeEscalation: false\n");
  });
});
