import fc from "fast-check";
import jsYaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { dumpOptions, sequenceItem } from "../../src/report/yaml-block.js";

/** What js-yaml prints for `item` as the only finding under a report's `findings:` key. */
function dumpedInPlace(item: unknown): string {
  const text = jsYaml.dump({ findings: [item] }, dumpOptions());
  return text.slice("findings:".length, -1);
}

/** Strings at the edges of plain style: keywords, numbers, indicators, `: ` and ` #`, spaces at the ends, non-ASCII. */
const edgy = fc.oneof(
  fc.constantFrom("", "null", "Null", "~", "true", "False", "yes", "No", "on", "OFF", "y", "n", "123", "0x1F", "1e3", ".5", ".inf", "-.inf", ".nan", "1:20", "2026-11-30", "<<", "- a", "? a", ": a", "a: b", "a:b", "a #b", "a#b", "#a", "a ", " a", "a\tb", "/etc/x.yaml", "spec.containers[0].image", 'say "hi"', "it's", "—", "😀", "\u0085", "\ufeff", "a\nb", "x".repeat(1100)),
  fc.string(),
  fc.string({ unit: "grapheme-ascii" }),
  fc.string({ unit: fc.constantFrom("a", " ", ":", "#", "-", "'", '"', "\n", "1", ".", "/", "[", "{", ",", "\u00e9") }),
);

const value = fc.letrec((tie) => ({
  leaf: fc.oneof(edgy, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined)),
  node: fc.oneof({ maxDepth: 4 }, tie("leaf"), fc.array(tie("node"), { maxLength: 4 }), fc.dictionary(edgy, tie("node"), { maxKeys: 4 })),
})).node;

describe("YAML block printer", () => {
  it("prints a finding exactly as js-yaml does in the whole report, or leaves it to js-yaml", () => {
    fc.assert(
      fc.property(fc.dictionary(edgy, value, { maxKeys: 6 }), (item) => {
        const fast = sequenceItem(item, 1);
        if (fast !== undefined) expect(fast).toBe(dumpedInPlace(item));
      }),
      { numRuns: 2000 },
    );
  });

  it("prints report-shaped findings itself, so the common case is fast", () => {
    const finding = {
      ruleId: "pod-security/privileged",
      severity: "critical",
      message: 'privileged (container "app" must not set securityContext.privileged=true)',
      object: { kind: "Deployment", name: "web", namespace: "shop" },
      fieldPath: "spec.template.spec.containers[0].securityContext.privileged",
      position: { file: "deploy/web.yaml", line: 22, column: 13 },
      properties: { podSecurity: "restricted:latest", otherFields: 2, tags: [], extra: {}, flag: true, none: null },
      fix: [{ op: "replace", path: "/spec/template/spec/containers/0/securityContext/privileged", value: false }],
    };
    const fast = sequenceItem(finding, 1);
    expect(fast).toBe(dumpedInPlace(finding));
    // Quoting left to js-yaml for the strings that need it, still in place.
    expect(sequenceItem({ ...finding, message: "failed quota: q1: must specify limits.memory", note: "yes" }, 1)).toBe(dumpedInPlace({ ...finding, message: "failed quota: q1: must specify limits.memory", note: "yes" }));
    // A multi-line string or a fraction: js-yaml's to print.
    expect(sequenceItem({ ...finding, message: "two\nlines" }, 1)).toBeUndefined();
    expect(sequenceItem({ ...finding, properties: { ratio: 0.5 } }, 1)).toBeUndefined();
  });
});
