import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fixManifestText } from "../../src/fix/fix-text.js";
import { podTemplate } from "../../src/k8s/workloads.js";
import { valueAt, type FieldPath, type K8sObject } from "../../src/k8s/types.js";
import { evaluatePod } from "../../src/podsecurity/evaluate.js";
import { LATEST, type Level } from "../../src/podsecurity/levels.js";
import { emitJson, isSubsequence, jsonStyle, type Owner } from "./json-emit.js";

const restricted = { level: "restricted" as Level, version: LATEST };

const container = (prefix: string) =>
  fc.record(
    {
      name: fc.constantFrom(`${prefix}a`, `${prefix}b`),
      image: fc.constantFrom("nginx:1.25", "registry.example.com/app:1"),
      securityContext: fc.record({ runAsUser: fc.integer({ min: 1, max: 65535 }), readOnlyRootFilesystem: fc.boolean() }, { requiredKeys: [] }),
    },
    { requiredKeys: ["name", "image"] },
  );

const podSpec = fc.record(
  {
    securityContext: fc.record({ runAsNonRoot: fc.constant(true), fsGroup: fc.integer({ min: 1, max: 9999 }) }, { requiredKeys: [] }),
    containers: fc.array(container("c"), { minLength: 1, maxLength: 2 }),
    initContainers: fc.array(container("i"), { minLength: 1, maxLength: 1 }),
    hostNetwork: fc.boolean(),
    restartPolicy: fc.constant("Always"),
  },
  { requiredKeys: ["containers"] },
);

const workload = fc.tuple(fc.boolean(), podSpec).map(([deployment, spec]): Record<string, unknown> =>
  deployment
    ? { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d", labels: { app: "d" } }, spec: { selector: { matchLabels: { app: "d" } }, template: { metadata: { labels: { app: "d" } }, spec } } }
    : { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec },
);

interface Style {
  indent: number;
  /** Whether a list under a key is indented past it. */
  seqIndented: boolean;
  /** Spaces between a list's dash and its item. */
  gap: number;
  /** Trailing comments on scalar lines, with this many spaces before the `#`. */
  comments: number;
}

const style = fc.record({ indent: fc.integer({ min: 2, max: 4 }), seqIndented: fc.boolean(), gap: fc.constantFrom(1, 3), comments: fc.constantFrom(0, 1, 3) });

/** Block YAML in a given house style (what people write by hand, and what tools of every kind print). */
function emit(value: Record<string, unknown>, column: number, s: Style): string[] {
  const pad = " ".repeat(column);
  return Object.entries(value).flatMap(([key, v]): string[] => {
    if (Array.isArray(v)) {
      const dash = column + (s.seqIndented ? s.indent : 0);
      return [`${pad}${key}:`, ...v.flatMap((item) => {
        const inner = typeof item === "object" && item !== null ? emit(item as Record<string, unknown>, dash + 1 + s.gap, s) : [`${" ".repeat(dash + 1 + s.gap)}${String(item)}`];
        return [`${" ".repeat(dash)}-${" ".repeat(s.gap)}${(inner[0] ?? "").trimStart()}`, ...inner.slice(1)];
      })];
    }
    // An empty map is written `{}`: filling it edits that line, so none is generated.
    if (typeof v === "object" && v !== null) return Object.keys(v).length === 0 ? [] : [`${pad}${key}:`, ...emit(v as Record<string, unknown>, column + s.indent, s)];
    return [`${pad}${key}: ${JSON.stringify(v)}${s.comments ? `${" ".repeat(s.comments)}# ${key}` : ""}`];
  });
}

/** Whether every line of `original` is in `written`, in order: edits only added lines. */
function keepsEveryLine(original: string, written: string): boolean {
  const out = written.split("\n");
  let at = 0;
  for (const line of original.split("\n")) {
    while (at < out.length && out[at] !== line) at++;
    if (at === out.length) return false;
    at++;
  }
  return true;
}

function violationsOf(object: unknown): string[] {
  const template = podTemplate(object as K8sObject);
  return template ? evaluatePod("restricted", LATEST, template.pod).map((v) => v.checkId).sort() : [];
}

/** How many entries the container at `path` holds (0 for none there). */
function sizeAt(value: unknown, path: FieldPath): number {
  const v = valueAt(value, path);
  return Array.isArray(v) ? v.length : typeof v === "object" && v !== null ? Object.keys(v).length : 0;
}

/**
 * Every line of the original JSON is in the output, in order: byte for byte, unless a
 * container that gained entries ends there (in place, then: on the same line for a
 * one-line container, which stays on one line). Each line that is new is indented by whole
 * steps of the file's unit.
 */
function keepsUntouchedJsonLines(owners: Owner[][], original: string, output: string, before: unknown, after: unknown, unit: string): boolean {
  const out = output.split("\n");
  const matched = new Set<number>();
  let at = 0;
  for (const [i, line] of original.split("\n").entries()) {
    const grown = (owners[i] ?? []).filter((o) => sizeAt(after, o.path) > sizeAt(before, o.path));
    if (grown.length === 0) {
      while (at < out.length && out[at] !== line) at++;
    } else if (grown.some((o) => o.kind === "empty")) {
      // An empty container opened over lines: the line goes on, as it was, on a later line.
      let joined = out[at] ?? "";
      let last = at;
      while (!isSubsequence(line, joined) && last + 1 < out.length) joined += `\n${out[++last]}`;
      if (!isSubsequence(line, joined)) return false;
      for (let k = at; k <= last; k++) matched.add(k);
      at = last + 1;
      continue;
    } else {
      while (at < out.length && !isSubsequence(line, out[at]!)) at++;
    }
    if (at === out.length) return false;
    matched.add(at++);
  }
  const step = unit === "\t" ? "\t" : " ".repeat(unit.length);
  return out.every((line, k) => matched.has(k) || new RegExp(`^(?:${step})+[^ \t]`).test(line));
}

describe("fix properties over layouts and formats", () => {
  it("in any indentation style, every line an edit does not touch is kept byte for byte, and the result reads as the fix meant", () => {
    fc.assert(
      fc.property(fc.array(workload, { minLength: 1, maxLength: 2 }), style, (objects, s) => {
        const text = objects.map((o) => emit(o, 0, s).join("\n") + "\n").join("---\n");
        const r = fixManifestText(text, restricted);
        expect(r.errors).toEqual([]);
        expect(keepsEveryLine(text, r.text)).toBe(true);
        for (const d of r.documents) {
          // hostNetwork is for a person: everything else passes.
          expect(d.plan.notFixed.map((n) => n.checkId)).toEqual(violationsOf(objects[d.documentIndex]).includes("hostNamespaces") ? ["hostNamespaces"] : []);
        }
        expect(fixManifestText(r.text, restricted).changed).toBe(false);
      }),
      { numRuns: 60 },
    );
  });

  it("fix's output on any JSON input parses as JSON, keeps every other field, and scans clean at the level, or the document is reported NOT fixed", () => {
    fc.assert(
      fc.property(workload, fc.constantFrom(0, 2, 4, "\t"), fc.boolean(), (object, indent, newline) => {
        const text = JSON.stringify(object, null, indent) + (newline ? "\n" : "");
        const r = fixManifestText(text, restricted);
        expect(r.errors).toEqual([]);
        const written: unknown = JSON.parse(r.text);
        expect(r.text.endsWith("\n")).toBe(newline);
        const [document] = r.documents;
        expect(document?.plan.notFixed.map((n) => n.checkId).sort()).toEqual(violationsOf(written));
        const strip = (value: unknown) => JSON.stringify(value, (key, v: unknown) => (key === "securityContext" ? undefined : v));
        expect(strip(written)).toBe(strip(object));
      }),
      { numRuns: 60 },
    );
  });
  it("JSON with inline and indented objects mixed: JSON out, every line an edit does not touch byte for byte, inline objects still inline, added lines in the file's indentation", () => {
    fc.assert(
      fc.property(workload, jsonStyle, fc.boolean(), (object, s, newline) => {
        const emitted = emitJson(object, s);
        const text = emitted.text + (newline ? "\n" : "");
        const r = fixManifestText(text, restricted);
        expect(r.errors).toEqual([]);
        // JSON in, JSON out: it parses, keeps every other field, and passes but for what is a person's to fix.
        const written: unknown = JSON.parse(r.text);
        expect(r.text.endsWith("\n")).toBe(newline);
        expect(r.documents[0]?.plan.notFixed.map((n) => n.checkId).sort()).toEqual(violationsOf(written));
        const strip = (value: unknown) => JSON.stringify(value, (key, v: unknown) => (key === "securityContext" ? undefined : v));
        expect(strip(written)).toBe(strip(object));
        // The edits only add: the input is still there, every character in order.
        expect(isSubsequence(text, r.text)).toBe(true);
        expect(keepsUntouchedJsonLines(emitted.owners, text, r.text, object, written, s.unit)).toBe(true);
        if (s.oneLine) expect(r.text.trimEnd()).not.toContain("\n");
        expect(fixManifestText(r.text, restricted).changed).toBe(false);
      }),
      { numRuns: 100 },
    );
  });
});
