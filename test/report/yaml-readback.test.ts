/**
 * `-o yaml` reads back as the JSON report, whatever the strings, by every reader its users
 * have: kubectl and the API server's (sigs.k8s.io/yaml over go-yaml v2: YAML 1.1's words,
 * Go's integers, underscores dropped) as well as a YAML 1.2 reader. A string printed plain
 * that one of them reads as a number (`0X1F`, `1_000`, `+.5`) changes the report.
 */
import fc from "fast-check";
import jsYaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { kubernetesYamlSchema } from "../../src/k8s/js-yaml-lazy.js";
import { renderJson } from "../../src/report/json.js";
import { renderYaml } from "../../src/report/yaml.js";
import { plainValues, reportOf, untrusted } from "./untrusted.js";

/** Strings near numbers as Go and YAML 1.1 read them: prefixes, signs, dots, exponents, underscores. */
const numberish = fc.oneof(
  fc.constantFrom("0X1F", "0B101", "0O17", "1_000", "0x1_F", "0_7", "1_", "+.5", "1e1_0", "1.0_0", "-1_0", "1_0:20", "0123", "1e3", "08", "yes", "Off", "~", "null", "2001-12-14", "1.2.3"),
  fc.array(fc.constantFrom("0", "1", "7", "9", "_", ".", "e", "E", "+", "-", "x", "X", "b", "B", "o", "O", "F", ":"), { minLength: 1, maxLength: 8 }).map((chars) => chars.join("")),
);

describe("-o yaml reads back as -o json", () => {
  it("for any name, message and path, as Kubernetes and a YAML 1.2 reader read it", () => {
    fc.assert(
      fc.property(fc.oneof(numberish, untrusted), numberish, fc.oneof(numberish, untrusted), (name, message, file) => {
        const result = reportOf({ ...plainValues(), name, namespace: name, message, file, fieldPath: message });
        const expected = JSON.parse(renderJson(result)) as unknown;
        const yaml = renderYaml(result);
        expect(jsYaml.load(yaml, { schema: kubernetesYamlSchema() })).toEqual(expected);
        expect(jsYaml.load(yaml)).toEqual(expected);
      }),
      { numRuns: 1500 },
    );
  });
});
