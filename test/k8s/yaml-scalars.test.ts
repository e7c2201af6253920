import fc from "fast-check";
import jsYaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { resolvePlainScalar } from "../../src/k8s/yaml-scalars.js";

/** What js-yaml makes of `text` as a plain scalar, or undefined when it refuses the line. */
function jsYamlReads(text: string): { value: unknown } | undefined {
  try {
    return { value: (jsYaml.load(`k: ${text}\n`) as { k: unknown }).k };
  } catch {
    return undefined;
  }
}

/**
 * Where YAML 1.1 (go-yaml v2, what Kubernetes reads with) and YAML 1.2 (js-yaml's default
 * schema) read a plain scalar the same way: not one of 1.1's extra words, no underscore,
 * no leading zero before a digit, no timestamp (go-yaml v2 leaves those as text), no
 * upper-case base prefix, no `+.5`-style float (1.1 reads it; js-yaml 4 does not).
 */
function yaml12Agrees(text: string): boolean {
  return !/^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/.test(text) && !text.includes("_") && !/^[-+]?0[0-9]/.test(text) && !/^[0-9]{4}-/.test(text) && !/^[-+]?0[XBO]/.test(text) && !/^\+\./.test(text) && !/^-\.(?!inf|Inf|INF)/.test(text);
}

function agrees(text: string): void {
  const expected = jsYamlReads(text);
  if (expected === undefined || !yaml12Agrees(text)) return;
  // An integer zero has no sign in Go (`-0x0` is 0); js-yaml keeps one. Otherwise
  // toStrictEqual tells -0 from 0.
  if (expected.value === 0 && resolvePlainScalar(text) === 0 && !/[.eE]/.test(text)) return;
  expect({ text, value: resolvePlainScalar(text) }).toStrictEqual({ text, value: expected.value });
}

describe("plain YAML scalars, as Kubernetes (sigs.k8s.io/yaml over go-yaml v2) resolves them", () => {
  it("reads YAML 1.1's words, Go's integers and timestamps as go-yaml v2's resolve.go does", () => {
    const cases: Array<[string, unknown]> = [
      // Words: YAML 1.1 booleans (so `privileged: yes` is privileged), nulls, and text that only looks close.
      ["yes", true], ["Yes", true], ["YES", true], ["y", true], ["Y", true], ["on", true], ["On", true], ["ON", true], ["true", true], ["True", true], ["TRUE", true],
      ["no", false], ["No", false], ["NO", false], ["n", false], ["N", false], ["off", false], ["Off", false], ["OFF", false], ["false", false], ["FALSE", false],
      ["", null], ["~", null], ["null", null], ["Null", null], ["NULL", null],
      ["yEs", "yEs"], ["oN", "oN"], ["nULL", "nULL"], ["tRUE", "tRUE"], ["none", "none"], ["o", "o"], ["yy", "yy"],
      // Integers as strconv.ParseInt(s, 0, 64) reads them, after underscores are dropped.
      ["0", 0], ["-0", 0], ["+0", 0], ["17", 17], ["+17", 17], ["-17", -17], ["017", 15], ["0777", 511], ["0644", 420], ["-017", -15], ["00", 0],
      ["0x1F", 31], ["0X1f", 31], ["-0x1F", -31], ["0b101", 5], ["0B101", 5], ["0o17", 15], ["0O17", 15], ["1_000", 1000], ["0x_1F", 31], ["1__0", 10],
      // (Beyond 2^53 a JavaScript number rounds, as JSON.parse would round the API's JSON.)
      ["9223372036854775807", Number(2n ** 63n - 1n)], ["18446744073709551615", Number(2n ** 64n - 1n)], ["0xFFFFFFFFFFFFFFFFFF", Number(2n ** 72n - 1n)],
      // Floats: leading-zero digits that are not octal, fractions, exponents; overflow stays text.
      ["08", 8], ["09.5", 9.5], ["-08", -8], ["1.5", 1.5], ["1.", 1], ["-.5", -0.5], ["+.5", 0.5], [".5", 0.5], [".5e2", 50], ["1e3", 1000], ["1E3", 1000], ["1_0.5", 10.5],
      ["99999999999999999999", 1e20], ["-9223372036854775809", Number(-(2n ** 63n) - 1n)], ["1e400", "1e400"], [".inf", Infinity], ["+.Inf", Infinity], ["-.INF", -Infinity],
      // Text: timestamps (go-yaml v2 gives them to untyped targets as written), odd numbers, signs alone.
      ["2024-01-01", "2024-01-01"], ["2024-01-01T10:00:00Z", "2024-01-01T10:00:00Z"], ["2024-13-45", "2024-13-45"], ["1:20", "1:20"], ["0x", "0x"], ["0xG", "0xG"], ["0b2", "0b2"],
      ["-0x8000000000000001", "-0x8000000000000001"], [".", "."], [".5_0", ".5_0"], ["+", "+"], ["-", "-"], ["_1", "_1"], ["inf", "inf"], [".iNf", ".iNf"], ["1.0.0", "1.0.0"], ["100m", "100m"], ["128Mi", "128Mi"],
    ];
    for (const [text, value] of cases) expect({ text, value: resolvePlainScalar(text) }).toStrictEqual({ text, value });
    expect(Number.isNaN(resolvePlainScalar(".nan"))).toBe(true);
    expect(Number.isNaN(resolvePlainScalar(".NAN"))).toBe(true);
  });

  it("agrees with js-yaml on the named cases where YAML 1.1 and 1.2 agree", () => {
    const samples = [
      "", "~", "null", "Null", "NULL", "nULL", "true", "True", "TRUE", "fALSE",
      "0", "-0", "+0", "-0x0", "-0b0", "+1", "0o17", "-0o17", "0o18", "0x1F", "-0x1f", "0xG", "0b101", "0b", "0x", "0o",
      "1e3", "1E3", "1.5", "-1.5e-3", "1.", "-.5", ".5", ".5e2", "1e400", "-1e400", "9".repeat(400), ".inf", "-.Inf", "+.INF", ".NaN", "nan", "inf", "0.5e", "1.0.0",
      "v1", "100m", "128Mi", "-x", "12:30", "1:2:3", "0x1F:", "+", "-", ".", "..", "-.",
    ];
    for (const s of samples) agrees(s);
  });

  it("agrees with js-yaml on generated number- and word-shaped scalars where YAML 1.1 and 1.2 agree", () => {
    const digits = (max: number) => fc.stringMatching(new RegExp(`^[0-9]{1,${max}}$`));
    const sign = fc.constantFrom("", "+", "-");
    const numberLike = fc.oneof(
      fc.tuple(sign, fc.constantFrom("0b", "0o", "0x", "0", ""), fc.stringMatching(/^[0-9a-fA-FxXbBoO_]{0,6}$/)).map((p) => p.join("")),
      fc.tuple(sign, digits(4), fc.constantFrom("", ".", "."), fc.stringMatching(/^[0-9]{0,3}$/), fc.constantFrom("", "e", "E", "e-", "e+"), fc.stringMatching(/^[0-9]{0,3}$/)).map((p) => p.join("")),
      fc.tuple(sign, fc.constantFrom(".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN", ".iNf", ".5", ".")).map((p) => p.join("")),
      fc.double().map(String),
      fc.integer().map(String),
    );
    const wordLike = fc.stringMatching(/^[0-9a-zA-Z.+_~:-]{1,12}$/);
    let compared = 0;
    fc.assert(
      fc.property(fc.oneof(numberLike, wordLike), (text) => {
        if (yaml12Agrees(text)) compared++;
        agrees(text);
      }),
      { numRuns: 5000 },
    );
    expect(compared).toBeGreaterThan(2500);
  });
});
