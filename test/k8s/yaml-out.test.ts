import fc from "fast-check";
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { parseYamlFile } from "../../src/k8s/parse.js";
import { kubernetesYaml } from "../../src/k8s/yaml-out.js";

/** What Palisade (and kubectl) read back from a manifest's data. */
function readBack(text: string): unknown {
  const parsed = parseYamlFile("out.yaml", text);
  expect(parsed.problems).toEqual([]);
  return (parsed.objects[0]?.object as unknown as { data: unknown }).data;
}

const configMap = (data: unknown) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data });

/** Strings a YAML 1.2 writer leaves plain and YAML 1.1 reads as something else, and their neighbours. */
const edgy = fc.oneof(
  fc.constantFrom("yes", "no", "on", "off", "y", "n", "Y", "NO", "On", "true", "null", "~", "", "0644", "08", "1_000", "0x1F", "0b1", "1:20", "12:30:45", "2024-01-01", "2024-01-01T10:00:00Z", "1e3", ".5", ".inf", "<<", "=", "-", "- a", "a: b", "#x", "plain", "ünï"),
  fc.string({ unit: fc.constantFrom("y", "e", "s", "o", "n", "0", "1", "_", ":", ".", "-", "x", " "), maxLength: 6 }),
  fc.string({ maxLength: 8 }),
);
/** A key `<<` is YAML 1.1's merge key, and no valid key of a Kubernetes map (data, labels) anyway. */
const key = edgy.filter((k) => k !== "<<");
const value = fc.letrec((tie) => ({
  leaf: fc.oneof(edgy, fc.integer(), fc.boolean(), fc.constant(null), fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0))),
  node: fc.oneof({ maxDepth: 3 }, tie("leaf"), fc.array(tie("node"), { maxLength: 3 }), fc.dictionary(key, tie("node"), { maxKeys: 3 })),
})).node;

describe("YAML written for Kubernetes", () => {
  it("reads back as written, where YAML 1.2's writer would print on, yes or 1_000 bare", () => {
    const data = { enabled: "on", answer: "yes", flag: "y", mode: "0644", count: "1_000", time: "1:20", date: "2024-01-01" };
    expect(readBack(kubernetesYaml(configMap(data)))).toEqual(data);
    // The reason for it: YAML 1.2's printing of the same strings reads back otherwise.
    expect(readBack(stringify(configMap(data)))).not.toEqual(data);
  });

  it("round-trips any data through Kubernetes' reading", () => {
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 5 }), (data) => {
        expect(readBack(kubernetesYaml(configMap(data)))).toEqual(data);
      }),
      { numRuns: 500 },
    );
  });
});
