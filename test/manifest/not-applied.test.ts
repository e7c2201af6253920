import { describe, expect, it } from "vitest";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { emptySnapshot } from "../../src/k8s/snapshot.js";
import { manifestFamily } from "../../src/manifest/family.js";
import { NOT_APPLIED } from "../../src/manifest/rules.js";

const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;

const notApplied = (text: string) =>
  manifestFamily
    .check({ ...emptySnapshot(), objects: parseYamlFile("m.yaml", text).objects }, {})
    .filter((f) => f.ruleId === NOT_APPLIED.id)
    .map((f) => [f.object?.name, f.position?.line, f.position?.column, f.severity]);

describe("manifest/not-applied-by-kubectl", () => {
  it("reports each document after `...` in the same `---` part, at its first line, and still loads it", () => {
    const text = `${cm("a")}...\n${cm("b")}... # end\n${cm("c")}---\n${cm("d")}`;
    expect(notApplied(text)).toEqual([
      ["b", 6, 1, "low"],
      ["c", 11, 1, "low"],
    ]);
    expect(parseYamlFile("m.yaml", text).objects.map((o) => o.object.metadata?.name)).toEqual(["a", "b", "c", "d"]);
    expect(manifestFamily.check({ ...emptySnapshot(), objects: parseYamlFile("m.yaml", text).objects }, {}).find((f) => f.ruleId === NOT_APPLIED.id)?.message).toBe(
      "kubectl applies only the first document between `---` lines; this one follows `...` and is never applied",
    );
  });

  it("says nothing where a `---` follows the `...`, as kubectl then applies the document", () => {
    expect(notApplied(`${cm("a")}...\n---\n${cm("b")}`)).toEqual([]);
  });

  it("counts an explicit empty first document: after `---` then `...`, the next document is dropped", () => {
    expect(notApplied(`---\n...\n${cm("b")}`)).toEqual([["b", 3, 1, "low"]]);
  });

  it("reports every item of a List kubectl drops", () => {
    const list = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: item-x}\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: item-y}\n";
    expect(notApplied(`${cm("a")}...\n${list}`).map(([name, line]) => [name, line])).toEqual([
      ["item-x", 9],
      ["item-y", 12],
    ]);
  });
});
