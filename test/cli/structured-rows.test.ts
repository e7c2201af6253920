/** A matrix written in pieces reads the same as the whole document written at once. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { structuredRows } from "../../src/cli/structured-rows.js";
import { kubernetesYaml } from "../../src/k8s/yaml-out.js";

const text = fc.string({ maxLength: 12 });
/** Strings the YAML writer folds over lines (a rule's description naming many peers). */
const long = fc.array(fc.constantFrom("or", "ipBlock", "198.18.0.1/32", "to", "a-long-namespace-name/workload"), { minLength: 15, maxLength: 60 }).map((words) => words.join(" "));
const row = fc.record({
  from: text,
  to: fc.oneof(text, long, fc.constant("multi\nline"), fc.constant("")),
  allowed: fc.oneof(fc.constant("all"), fc.dictionary(fc.constantFrom("TCP", "UDP"), fc.array(fc.record({ from: fc.nat(), to: fc.nat() }), { maxLength: 2 }))),
  backends: fc.array(fc.record({ endpoint: fc.oneof(text, long), port: fc.nat() }), { maxLength: 2 }),
});
const head = fc.dictionary(fc.constantFrom("workloads", "services", "note"), fc.oneof(fc.nat(), text, fc.array(fc.nat(), { maxLength: 2 })), { maxKeys: 2 });

describe("structuredRows", () => {
  it("writes exactly what JSON.stringify(value, null, 2) and the YAML writer give for the whole document, over batch boundaries too", () => {
    fc.assert(
      fc.property(head, fc.oneof(fc.array(row, { maxLength: 5 }), fc.array(row, { minLength: 499, maxLength: 1003 })), (fields, rows) => {
        const whole = { ...fields, connections: rows };
        expect([...structuredRows(fields, "connections", rows, "json")].join("")).toBe(JSON.stringify(whole, null, 2) + "\n");
        expect([...structuredRows(fields, "connections", rows, "yaml")].join("")).toBe(kubernetesYaml(whole));
      }),
      { numRuns: 60 },
    );
  });

  it("takes rows from a generator, one at a time", () => {
    let made = 0;
    function* rows(): Generator<{ n: number }> {
      for (let n = 0; n < 3; n++) {
        made++;
        yield { n };
      }
    }
    const pieces = structuredRows({ workloads: 3 }, "connections", rows(), "json");
    expect(pieces.next().value).toBe('{\n  "workloads": 3,\n  "connections": [');
    expect(made).toBe(0);
    expect(pieces.next().value).toBe('\n    {\n      "n": 0\n    }');
    expect(made).toBe(1);
  });
});
