import { describe, expect, it } from "vitest";
import { parseYamlFile } from "../../src/k8s/parse.js";

/**
 * Tags as kubectl reads them (go-yaml v2 through sigs.k8s.io/yaml: resolve.go returns an
 * unknown tag's scalar as its text, and mappings and sequences are decoded whatever their
 * tag), so an object kubectl applies is never left unjudged because of a tag.
 */
function onlyObject(text: string) {
  const parsed = parseYamlFile("t.yaml", text);
  expect(parsed.problems).toEqual([]);
  expect(parsed.objects).toHaveLength(1);
  return (parsed.objects[0] as (typeof parsed.objects)[number]);
}

const POD_HEAD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n";

describe("YAML tags, as kubectl's decoder reads them", () => {
  it("reads a scalar with an unknown local or global tag as its text, unresolved, and keeps the field's position", () => {
    const loaded = onlyObject(`${POD_HEAD}spec:\n  containers:\n  - name: c\n    image: !custom evil:latest\n    securityContext:\n      privileged: !x true\n      runAsUser: !!foo 0\n`);
    const container = (loaded.object.spec as { containers: Array<Record<string, unknown>> }).containers[0] as Record<string, unknown>;
    expect(container.image).toBe("evil:latest");
    // go-yaml v2 does not resolve a scalar under a tag it does not know: the text stays text.
    expect(container.securityContext).toEqual({ privileged: "true", runAsUser: "0" });
    expect(loaded.source.locate(["spec", "containers", 0, "image"])).toEqual({ file: "t.yaml", line: 8, column: 5 });
  });

  it("decodes mappings and sequences whatever their tag, and an empty tagged node as Go's empty text", () => {
    const loaded = onlyObject(`${POD_HEAD}  labels: !Labels {team: a}\n  annotations: !!set {x: z}\nspec:\n  containers: !List\n  - name: c\n    image: x\n    args: !!pairs [{a: 1}]\n    workingDir: !custom\n`);
    expect(loaded.object.metadata?.labels).toEqual({ team: "a" });
    expect(loaded.object.metadata?.annotations).toEqual({ x: "z" });
    const container = (loaded.object.spec as { containers: Array<Record<string, unknown>> }).containers[0] as Record<string, unknown>;
    expect(container.args).toEqual([{ a: 1 }]);
    expect(container.workingDir).toBe("");
  });

  it("decodes !!binary to its text as Go does, and refuses base64 Go would refuse, at its line", () => {
    const loaded = onlyObject(`${POD_HEAD}  annotations:\n    a: !!binary aGVsbG8=\n    b: !!binary |\n      aGVs\n      bG8=\n`);
    expect(loaded.object.metadata?.annotations).toEqual({ a: "hello", b: "hello" });
    const bad = parseYamlFile("b.yaml", `${POD_HEAD}  annotations:\n    a: !!binary aGVsbG8\n`);
    expect(bad.objects).toEqual([]);
    expect(bad.problems).toHaveLength(1);
    expect(bad.problems[0]?.message).toContain("binary");
    expect(bad.problems[0]?.position?.line).toBe(6);
  });

  it("still refuses what go-yaml refuses: a tagged scalar that is not of its standard type", () => {
    const parsed = parseYamlFile("i.yaml", `${POD_HEAD}spec:\n  priority: !!int abc\n`);
    expect(parsed.objects).toEqual([]);
    expect(parsed.problems[0]?.message).toContain("invalid YAML");
  });
});
